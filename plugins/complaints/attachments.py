"""Files kept with complaints, by the core's ``FileStore`` (the instance folder or the database).

Served only through the complaint's download page, which checks the member's
organisation and permission. The size limit comes from ``[plugins.complaints]``
in the configuration: ``max_attachment_mb`` (default 10); the accepted types
are the file store's (documents, images, text, email files).
"""

from __future__ import annotations

from typing import Any

from accord import Organisation, Request, Response, Settings, User, utcnow
from accord.files import FileStore, Rejected

from .models import Attachment, Complaint

STORE = FileStore("complaints", size_setting="max_attachment_mb")

__all__ = [
    "Rejected",
    "bind",
    "delete",
    "download",
    "kept",
    "limits",
    "purge",
    "delete_complaint",
    "store",
]


def _settings(request: Request) -> Settings:
    return request.app.state.accord.settings


def limits(request: Request) -> dict[str, Any]:
    return STORE.limits(_settings(request))


def kept(complaint: Complaint) -> list[Attachment]:
    """The complaint's files still kept, newest first."""
    return list(
        Attachment.select()
        .where((Attachment.complaint == complaint.id) & Attachment.deleted_at.is_null())
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
    )


def store(request: Request, complaint: Complaint, upload: Any, user: User | None) -> Attachment:
    """Check ``upload`` (a Starlette ``UploadFile``), keep it, and record it on ``complaint``."""
    saved = STORE.save(_settings(request), complaint.org_id, upload)
    return Attachment.create(
        org=complaint.org_id,
        complaint=complaint.id,
        uploaded_by=user,
        uploaded_at=utcnow(),
        **saved.fields(),
    )


def download(request: Request, attachment: Attachment) -> Response:
    """The file as a download, never shown inline in our origin; 404 if not kept."""
    return STORE.download(_settings(request), attachment)


def delete(request: Request, attachment: Attachment, user: User | None) -> None:
    """Remove the file; its row stays, marked deleted (audited), for the timeline."""
    attachment.deleted_at = utcnow()
    attachment.deleted_by = user
    attachment.save()
    STORE.remove(_settings(request), attachment)


def delete_complaint(settings: Settings, complaint: Complaint) -> int:
    """Delete ``complaint`` (audited; its rows go with it) and its kept files; count the files.

    The files go after the rows, so a failure leaves no complaint pointing at missing
    files; with the database store they go in the same transaction.
    """
    files = kept(complaint)
    complaint.delete_instance()  # notes, files' rows and correspondence cascade
    for attachment in files:
        STORE.remove(settings, attachment)
    return len(files)


def bind(settings: Settings) -> None:
    STORE.bind(settings)


def purge(org: Organisation, dry_run: bool) -> int:
    return STORE.purge(org, dry_run)
