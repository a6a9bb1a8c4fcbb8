"""Downloading an incident's attachment: only members who may see the incident, never inline."""

from __future__ import annotations

from accord import HTTPException, Request, Response

from .. import attachments_store
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
    return attachments_store.download(request, attachment)
