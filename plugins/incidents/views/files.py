"""Downloading an incident's attachment: only members who may see the incident, never inline."""

from __future__ import annotations

from starlette.responses import FileResponse

from accord import HTTPException, Request, Response

from ..attachments_store import path_of
from ..models import Attachment
from .shared import incident_or_404


def download(request: Request) -> Response:
    incident = incident_or_404(request)
    attachment = (
        Attachment.in_org(request.state.ctx.org)
        .where((Attachment.incident == incident.id) & (Attachment.id == request.path_params["aid"]))
        .first()
    )
    if attachment is None:
        raise HTTPException(404)
    path = path_of(request, attachment)
    if not path.is_file():
        raise HTTPException(404, "The file is missing from the server's storage.")
    # Always a download: a file people uploaded never renders in our origin.
    return FileResponse(
        path,
        media_type=str(attachment.content_type),
        filename=str(attachment.filename),
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )
