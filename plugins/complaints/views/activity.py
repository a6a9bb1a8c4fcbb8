"""What staff add to a complaint's timeline besides moves: internal notes and files."""

from __future__ import annotations

from starlette.datastructures import UploadFile

from accord import (
    HTTPException,
    Request,
    Response,
    confirm_page,
    flash,
    form_data,
    redirect,
)

from .. import attachments
from ..models import Attachment, Complaint, Note
from .complaints import page_with
from .shared import complaint_or_404

MAX_NOTE = 20_000


def add_note(request: Request) -> Response:
    """An internal note: staff only, never sent to the complainant."""
    ctx = request.state.ctx
    complaint = complaint_or_404(request)
    body = str(form_data(request).get("body") or "").strip()
    error = ""
    if not body:
        error = "Write the note."
    elif len(body) > MAX_NOTE:
        error = f"A note has at most {MAX_NOTE:,} characters."
    if error:
        return page_with(request, complaint, 422, note_body=body, note_error=error)
    Note.create(org=ctx.org, complaint=complaint.id, body=body, author=ctx.user)
    flash(request, f"Your note is added to {complaint.reference}.")
    return redirect(request, ctx.url("complaints:detail", pk=complaint.id) + "#complaint-timeline")


def upload(request: Request) -> Response:
    ctx = request.state.ctx
    complaint = complaint_or_404(request)
    file = form_data(request).get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return page_with(request, complaint, 422, file_error="Choose a file to add.")
    try:
        attachment = attachments.store(request, complaint, file, ctx.user)
    except attachments.Rejected as exc:
        return page_with(request, complaint, 422, file_error=f"{file.filename} is not added: {exc}")
    finally:
        file.file.close()  # the spooled copy is no longer needed
    flash(request, f"{attachment.filename} is added to {complaint.reference}.")
    return redirect(request, ctx.url("complaints:detail", pk=complaint.id) + "#complaint-files")


def _attachment(request: Request) -> tuple[Complaint, Attachment]:
    """The complaint's file in the path, still kept (else 404: another organisation's too)."""
    complaint = complaint_or_404(request)
    attachment = (
        Attachment.in_org(request.state.ctx.org)
        .where(
            (Attachment.complaint == complaint.id)
            & (Attachment.id == request.path_params["aid"])
            & Attachment.deleted_at.is_null()
        )
        .first()
    )
    if attachment is None:
        raise HTTPException(404)
    return complaint, attachment


def download(request: Request) -> Response:
    _, attachment = _attachment(request)
    return attachments.download(request, attachment)


def delete(request: Request) -> Response:
    ctx = request.state.ctx
    complaint, attachment = _attachment(request)
    back = ctx.url("complaints:detail", pk=complaint.id)
    if request.method == "GET":
        return confirm_page(
            request,
            f"Delete {attachment.filename}?",
            f"The file is deleted from {complaint.reference} and cannot be recovered. "
            "The timeline keeps its name and who deleted it.",
            ctx.url("complaints:file_delete", pk=complaint.id, aid=attachment.id),
            "Delete the file",
            cancel_url=back,
        )
    form_data(request)
    attachments.delete(request, attachment, ctx.user)
    flash(request, f"{attachment.filename} is deleted from {complaint.reference}.")
    return redirect(request, back + "#complaint-files")
