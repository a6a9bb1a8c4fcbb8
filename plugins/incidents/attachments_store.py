"""Files attached to incidents, kept by the core's ``FileStore`` (folder or database).

Served only through the incident's download page, which checks the member's
organisation and permission.
The size limit comes from ``[plugins.incidents]`` in the configuration:
``max_attachment_mb`` (default 10).
"""

from __future__ import annotations

from typing import Any

from accord import Organisation, Request, Response, Settings, User, utcnow
from accord.files import FileStore, Rejected

from .models import Attachment, Incident

STORE = FileStore("incidents", size_setting="max_attachment_mb")

__all__ = ["Rejected", "bind", "download", "limits", "purge", "store"]


def limits(request: Request) -> dict[str, Any]:
    return STORE.limits(request.app.state.accord.settings)


def download(request: Request, attachment: Attachment) -> Response:
    """The attachment as a download, never shown inline in our origin; 404 if not kept."""
    return STORE.download(request.app.state.accord.settings, attachment)


def store(request: Request, incident: Incident, upload: Any, user: User | None) -> Attachment:
    """Check ``upload`` (a Starlette ``UploadFile``), keep it, and record it on ``incident``."""
    kept = STORE.save(request.app.state.accord.settings, incident.org_id, upload)
    return Attachment.create(
        org=incident.org_id,
        incident=incident.id,
        uploaded_by=user,
        uploaded_at=utcnow(),
        **kept.fields(),
    )


def bind(settings: Settings) -> None:
    STORE.bind(settings)


def purge(org: Organisation, dry_run: bool) -> int:
    return STORE.purge(org, dry_run)
