"""Documents of a person or a customer organisation: list, upload, download, delete.

Only members with ``contacts.documents`` see or fetch them; adding and deleting
also needs ``contacts.edit``. Files are kept by the core's ``FileStore``.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile

from accord import (
    HTTPException,
    Request,
    RequestContext,
    Response,
    confirm_page,
    flash,
    form_data,
    get_or_404,
    redirect,
    render,
    render_to_string,
)
from accord.files import FileStore, Rejected

from ..documents.models import Document
from ..models import CustomerOrganisation, Person

DOCUMENTS, EDIT = "contacts.documents", "contacts.edit"
STORE = FileStore("contacts")
CARD_LIMIT = 5


def _owner(request: Request) -> tuple[str, Any]:
    """The person or organisation in the path, of the member's organisation (else 404)."""
    kind = request.path_params["kind"]
    model = {"people": Person, "organisations": CustomerOrganisation}.get(kind)
    if model is None:
        raise HTTPException(404)
    return kind, get_or_404(model, request, request.path_params["pk"])


def _documents_of(owner: Any):
    column = Document.person if isinstance(owner, Person) else Document.organisation
    return (
        Document.in_org(owner.org_id)
        .where(column == owner.id)
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
    )


def _name(owner: Any) -> str:
    return owner.full_name if isinstance(owner, Person) else str(owner.name)


def _owner_url(ctx: RequestContext, owner: Any) -> str:
    if isinstance(owner, Person):
        return ctx.url("contacts:person", pk=owner.id)
    return ctx.url("contacts:organisation", pk=owner.id)


def _page(
    request: Request,
    kind: str,
    owner: Any,
    *,
    error: str = "",
    description: str = "",
    status_code: int = 200,
) -> Response:
    ctx = request.state.ctx
    return render(
        request,
        "contacts/documents.html",
        {
            "title": f"Documents of {_name(owner)}",
            "owner": owner,
            "owner_name": _name(owner),
            "owner_url": _owner_url(ctx, owner),
            "kind": kind,
            "documents": list(_documents_of(owner)),
            "limits": STORE.limits(request.app.state.accord.settings),
            "can_edit": ctx.can(EDIT),
            "error": error,
            "description": description,
        },
        status_code=status_code,
    )


def documents(request: Request) -> Response:
    """The owner's documents, and (GET/POST) the form that adds one."""
    ctx = request.state.ctx
    kind, owner = _owner(request)
    if request.method == "GET":
        return _page(request, kind, owner)
    if not ctx.can(EDIT):
        raise HTTPException(403)
    form = form_data(request)
    description = str(form.get("description") or "").strip()[:300]
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(
            request,
            kind,
            owner,
            error="Choose a file to add.",
            description=description,
            status_code=422,
        )
    try:
        kept = STORE.save(request.app.state.accord.settings, ctx.org, upload)
    except Rejected as exc:
        return _page(
            request,
            kind,
            owner,
            error=f"{upload.filename} is not added: {exc}",
            description=description,
            status_code=422,
        )
    finally:
        upload.file.close()
    Document.create(
        org=ctx.org,
        person=owner.id if kind == "people" else None,
        organisation=owner.id if kind == "organisations" else None,
        description=description,
        uploaded_by=ctx.user,
        **kept.fields(),
    )
    flash(request, f"{kept.filename} is added to {_name(owner)}'s documents.")
    return redirect(request, ctx.url("contacts:documents", kind=kind, pk=owner.id))


def _document(request: Request) -> tuple[str, Any, Document]:
    kind, owner = _owner(request)
    document = get_or_404(Document, request, request.path_params["did"])
    column = "person_id" if kind == "people" else "organisation_id"
    if getattr(document, column) != owner.id:
        raise HTTPException(404)
    return kind, owner, document


def download(request: Request) -> Response:
    _, _, document = _document(request)
    return STORE.download(request.app.state.accord.settings, document)


def delete(request: Request) -> Response:
    ctx = request.state.ctx
    if not ctx.can(EDIT):
        raise HTTPException(403)
    kind, owner, document = _document(request)
    back = ctx.url("contacts:documents", kind=kind, pk=owner.id)
    if request.method == "GET":
        return confirm_page(
            request,
            f"Delete {document.filename}?",
            f"The file is deleted from {_name(owner)}'s documents and cannot be recovered.",
            ctx.url("contacts:document_delete", kind=kind, pk=owner.id, did=document.id),
            "Delete the document",
            cancel_url=back,
        )
    form_data(request)
    STORE.delete(request.app.state.accord.settings, document)
    flash(request, f"{document.filename} is deleted.")
    return redirect(request, back)


def card(ctx: RequestContext, owner: Any, kind: str) -> str:
    """The newest documents on a person's or an organisation's page."""
    found = list(_documents_of(owner).limit(CARD_LIMIT + 1))
    return render_to_string(
        ctx.request,
        "contacts/_documents_card.html",
        {
            "documents": found[:CARD_LIMIT],
            "more": len(found) > CARD_LIMIT,
            "kind": kind,
            "owner": owner,
            "can_edit": ctx.can(EDIT),
        },
    )
