"""Canned replies: wording agents reuse, managed by managers, inserted into a reply."""

from __future__ import annotations

import re

from accord import (
    Column,
    Request,
    Response,
    StaleEdit,
    Table,
    confirm_page,
    conflict_response,
    flash,
    form_data,
    get_or_404,
    redirect,
    render,
    render_form,
    render_table,
    save_versioned,
    wants_fragment,
)
from accord.plugins.contacts.models import Person

from ..forms import CannedReplyForm, NoteForm
from ..models import CannedReply, Incident
from .detail import detail_page
from .shared import MANAGE

REPLIES = Table(
    CannedReply,
    [
        Column(
            "Title",
            "title",
            sortable=True,
            link=lambda url, r: url("incidents:canned_edit", pk=r.id),
        ),
        Column("Reply", accessor=lambda r: r.body if len(r.body) < 120 else r.body[:117] + "…"),
    ],
    search=["title", "body"],
    sort="title",
    filename="canned-replies",
    empty_message="No canned replies yet: save the answers agents give again and again.",
    search_label="Search replies",
)


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(text: str, incident: Incident) -> str:
    """The reply with ``{reporter_first_name}``, ``{reference}``… filled in for ``incident``.

    Unknown names stay as typed; nothing but these plain values can be reached.
    """
    person = Person.get_or_none(Person.id == incident.reporter_id) if incident.reporter_id else None
    values = {
        "reference": incident.reference,
        "title": incident.title,
        "reporter_first_name": str(person.first_name) if person else "",
        "reporter_name": person.full_name if person else "",
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def canned_list(request: Request) -> Response:
    ctx = request.state.ctx
    action = ("New canned reply", ctx.url("incidents:canned_new")) if ctx.can(MANAGE) else None
    return render_table(
        request,
        REPLIES,
        CannedReply.in_org(ctx.org),
        context={
            "title": "Canned replies",
            "actions": [action] if action else [],
        },
        empty_action=action,
    )


def create(request: Request) -> Response:
    ctx = request.state.ctx
    action, cancel = ctx.url("incidents:canned_new"), ctx.url("incidents:canned")
    form = CannedReplyForm(form_data(request)) if request.method == "POST" else CannedReplyForm()
    form.org = ctx.org
    if request.method == "GET" or not form.is_valid():
        return render_form(
            request, form, title="New canned reply", action=action, cancel_url=cancel
        )
    CannedReply.create(org=ctx.org, **form.cleaned)
    flash(request, f"“{form.cleaned['title']}” is saved.")
    return redirect(request, cancel)


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    reply = get_or_404(CannedReply, request, request.path_params["pk"])
    title = f"Edit “{reply.title}”"
    action, cancel = ctx.url("incidents:canned_edit", pk=reply.id), ctx.url("incidents:canned")
    if request.method == "GET":
        form = CannedReplyForm.from_instance(reply)
        return render(
            request,
            "incidents/canned_form.html",
            {
                "form": form,
                "title": title,
                "action": action,
                "cancel_url": cancel,
                "delete_url": ctx.url("incidents:canned_delete", pk=reply.id),
            },
        )
    form = CannedReplyForm(form_data(request))
    form.org, form.instance_id = ctx.org, reply.id
    if not form.is_valid():
        return render(
            request,
            "incidents/canned_form.html",
            {
                "form": form,
                "title": title,
                "action": action,
                "cancel_url": cancel,
                "delete_url": ctx.url("incidents:canned_delete", pk=reply.id),
            },
            status_code=422,
        )
    try:
        save_versioned(reply, form.version, form.cleaned)
    except StaleEdit as stale:
        return conflict_response(request, stale, form, action=action, cancel_url=cancel)
    flash(request, f"“{reply.title}” is saved.")
    return redirect(request, cancel)


def delete(request: Request) -> Response:
    ctx = request.state.ctx
    reply = get_or_404(CannedReply, request, request.path_params["pk"])
    if request.method == "GET":
        return confirm_page(
            request,
            f"Delete “{reply.title}”?",
            "Agents will no longer be offered it. Replies already sent keep their words.",
            ctx.url("incidents:canned_delete", pk=reply.id),
            "Delete canned reply",
            cancel_url=ctx.url("incidents:canned"),
        )
    reply.delete_instance()
    flash(request, f"“{reply.title}” is deleted.")
    return redirect(request, ctx.url("incidents:canned"))


def text(request: Request) -> Response:
    """A canned reply filled in for one incident, in its reply form's message box.

    htmx swaps in just the box; without JavaScript the incident's page comes
    back with the reply form filled in.
    """
    params = request.query_params
    incident = get_or_404(Incident, request, params.get("incident", ""))
    reply = get_or_404(CannedReply, request, params.get("reply", ""))
    body = fill(str(reply.body), incident)
    if wants_fragment(request):
        return render(request, "incidents/_note_body.html", {"body": body, "error": None})
    form = NoteForm(initial={"body": body, "kind": "reply"})
    return detail_page(request, incident, note_form=form)
