"""The complaints list, logging and editing one, its page and its moves."""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from accord import (
    Request,
    Response,
    StaleEdit,
    confirm_page,
    conflict_response,
    flash,
    form_data,
    local_time,
    redirect,
    render,
    render_table,
    utcnow,
)
from accord.inputs import integer
from accord.plugins.contacts.models import CustomerOrganisation, Person

from .. import attachments, related, workflow
from ..forms import CloseForm, ComplaintForm, RespondForm
from ..models import Complaint
from ..tables import complaints_table, list_query
from ..timeline import complaint_timeline
from .shared import MANAGE, WORK, complaint_or_404, with_choices

FORM_TEMPLATE = "complaints/form.html"
MAX_FOUND = 8


def index(request: Request) -> Response:
    ctx = request.state.ctx
    actions = [("Log a complaint", ctx.url("complaints:new"))] if ctx.can(WORK) else []
    actions.append(("By service and cause", ctx.url("complaints:report")))
    return render_table(
        request,
        complaints_table,
        list_query(ctx.org),
        template="complaints/list.html",
        context={"title": "Complaints", "actions": actions},
        empty_action=actions[0] if ctx.can(WORK) else None,
    )


def _find_people(org: Any, query: str) -> list[Person]:
    terms = " ".join(query.split()).casefold().split()[:6]
    if not terms:
        return []
    matches = reduce(operator.and_, [Person.search_text.contains(t) for t in terms])
    return list(
        Person.in_org(org)
        .where(matches & (Person.status == "active"))
        .order_by(Person.last_name, Person.first_name, Person.id)
        .limit(MAX_FOUND)
    )


def _form_page(
    request: Request,
    form: ComplaintForm,
    *,
    title: str,
    action: str,
    cancel: str,
    query: str = "",
    complaint: Complaint | None = None,
) -> Response:
    ctx = request.state.ctx
    chosen = form.values.get("person", "")
    person = (
        Person.get_or_none((Person.org == ctx.org) & (Person.id == integer(chosen)))
        if integer(chosen) is not None
        else None
    )
    found = [p for p in _find_people(ctx.org, query) if person is None or p.id != person.id]
    context = {
        "title": title,
        "form": form,
        "action": action,
        "cancel_url": cancel,
        "person": person,
        "found": found,
        "query": query,
        "complaint": complaint,
    }
    return render(request, FORM_TEMPLATE, context, status_code=form.status_code)


def new(request: Request) -> Response:
    ctx = request.state.ctx
    action, cancel = ctx.url("complaints:new"), ctx.url("complaints:index")
    if request.method == "GET":
        params = request.query_params
        # Every field: Find without JavaScript sends the whole form here, and nothing typed is lost.
        initial = {n: params[n] for n in ComplaintForm.declared if params.get(n)}
        form = with_choices(request, ComplaintForm(initial=initial))
        query = params.get("person_q", "").strip()[:200]
        return _form_page(
            request, form, title="Log a complaint", action=action, cancel=cancel, query=query
        )
    form = with_choices(request, ComplaintForm(form_data(request)))
    if not form.is_valid():
        return _form_page(request, form, title="Log a complaint", action=action, cancel=cancel)
    complaint = workflow.receive(ctx.org, dict(form.cleaned), user=ctx.user)
    due = local_time(ctx.org, complaint.acknowledge_due)
    flash(request, f"{complaint.reference} is logged. Acknowledge it by {due}.")
    return redirect(request, ctx.url("complaints:detail", pk=complaint.id))


def people(request: Request) -> Response:
    """People of the organisation matching ``person_q``: the log form's live search (a fragment)."""
    query = request.query_params.get("person_q", "").strip()[:200]
    found = _find_people(request.state.ctx.org, query)
    return render(request, "complaints/_people.html", {"found": found, "query": query})


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    complaint = complaint_or_404(request)
    title = f"Edit {complaint.reference}"
    action = ctx.url("complaints:edit", pk=complaint.id)
    cancel = ctx.url("complaints:detail", pk=complaint.id)
    if not complaint.is_open:
        return _refused(request, complaint, "A closed complaint is kept as it was closed.")
    if request.method == "GET":
        form = with_choices(request, ComplaintForm.from_instance(complaint), complaint)
        incident = related.incident(ctx.org, complaint.incident_id)
        if "incident" in form.fields and incident is not None:
            form.values["incident"] = str(incident.reference)
        return _form_page(
            request, form, title=title, action=action, cancel=cancel, complaint=complaint
        )
    form = with_choices(request, ComplaintForm(form_data(request)), complaint)
    if not form.is_valid():
        return _form_page(
            request, form, title=title, action=action, cancel=cancel, complaint=complaint
        )
    try:
        workflow.edit(complaint, form.version, form.cleaned)
    except StaleEdit as stale:
        return conflict_response(
            request, stale, form, action=action, cancel_url=cancel, title=title
        )
    flash(request, f"{complaint.reference} is saved.")
    return redirect(request, cancel)


def _detail_context(request: Request, complaint: Complaint) -> dict[str, Any]:
    ctx = request.state.ctx
    names = dict(related.staff(ctx.org))
    service_names = related.service_names(ctx.org, [complaint.service_id])
    moves = set(workflow.moves_from(str(complaint.status))) if ctx.can(WORK) else set()
    if not ctx.can(MANAGE):
        moves.discard("close")
    return {
        "title": f"{complaint.reference} {complaint.summary}",
        "complaint": complaint,
        "now": utcnow(),
        "person": Person.get_or_none(Person.id == complaint.person_id)
        if complaint.person_id
        else None,
        "customer": CustomerOrganisation.get_or_none(
            CustomerOrganisation.id == complaint.customer_id
        )
        if complaint.customer_id
        else None,
        "service_name": service_names.get(complaint.service_id, ""),
        "incident": related.incident(ctx.org, complaint.incident_id)
        if related.has(ctx, "incidents")
        else None,
        "owner_name": names.get(complaint.owner_id, ""),
        "timeline": complaint_timeline(complaint, request.query_params.get("show", "")),
        "timeline_url": ctx.url("complaints:detail", pk=complaint.id),
        "files": attachments.kept(complaint),
        "limits": attachments.limits(request),
        "moves": moves,
        "can_work": ctx.can(WORK),
        "can_manage": ctx.can(MANAGE),
        "note_body": "",
        "note_error": "",
        "file_error": "",
    }


def detail(request: Request) -> Response:
    complaint = complaint_or_404(request)
    # A timeline filter's htmx request gets only the timeline.
    block = "timeline" if "show" in request.query_params else None
    return render(
        request, "complaints/detail.html", _detail_context(request, complaint), block=block
    )


def page_with(request: Request, complaint: Complaint, status_code: int, **extra: Any) -> Response:
    """The complaint's page again, with what a form on it needs to say (a 422, usually)."""
    context = _detail_context(request, complaint)
    context.update(extra)
    return render(request, "complaints/detail.html", context, status_code=status_code)


def _refused(request: Request, complaint: Complaint, message: str) -> Response:
    context = _detail_context(request, complaint)
    context["refusal"] = message
    return render(request, "complaints/detail.html", context, status_code=409)


def _quick_move(request: Request, action: str, done: str) -> Response:
    ctx = request.state.ctx
    complaint = complaint_or_404(request)
    version = form_data(request).get("version")
    back = ctx.url("complaints:detail", pk=complaint.id)
    try:
        workflow.move(complaint, version, action, user=ctx.user)
    except workflow.NotAllowed as exc:
        return _back_with(request, back, str(exc))
    except StaleEdit:
        current = complaint_or_404(request)
        if action not in workflow.moves_from(str(current.status)):
            return _back_with(request, back, workflow.refusal(current, action))
        return _back_with(
            request,
            back,
            "Someone else changed this complaint since you opened it. Check it and try again.",
        )
    flash(request, f"{complaint.reference} {done}.")
    return redirect(request, back)


def _back_with(request: Request, back: str, message: str) -> Response:
    """To the complaint, saying what stopped the move (a page that was out of date, usually)."""
    flash(request, message, "error")
    return redirect(request, back)


def acknowledge(request: Request) -> Response:
    return _quick_move(request, "acknowledge", "is acknowledged")


def investigate(request: Request) -> Response:
    return _quick_move(request, "investigate", "is being investigated")


def _form_move(request: Request, action: str, form_class: type, title: str, done: str):
    ctx = request.state.ctx
    complaint = complaint_or_404(request)
    here = ctx.url(f"complaints:{action}", pk=complaint.id)
    back = ctx.url("complaints:detail", pk=complaint.id)
    if action not in workflow.moves_from(str(complaint.status)):
        return _back_with(request, back, workflow.refusal(complaint, action))
    if request.method == "GET":
        form = form_class(version=complaint.version)
    else:
        form = form_class(form_data(request))
        if form.is_valid():
            try:
                workflow.move(complaint, form.version, action, user=ctx.user, values=form.cleaned)
            except workflow.NotAllowed as exc:
                form.add_error(None, str(exc))
            except StaleEdit as stale:
                return conflict_response(
                    request, stale, form, action=here, cancel_url=back, title=title
                )
            else:
                flash(request, f"{complaint.reference} is {done}.")
                return redirect(request, back)
    context = {
        "title": f"{title}: {complaint.reference}",
        "form": form,
        "action": here,
        "cancel_url": back,
        "complaint": complaint,
        "submit_label": title,
    }
    return render(request, "complaints/move.html", context, status_code=form.status_code)


def respond(request: Request) -> Response:
    return _form_move(request, "respond", RespondForm, "Record the response", "responded to")


def close(request: Request) -> Response:
    return _form_move(request, "close", CloseForm, "Close the complaint", "closed")


def delete(request: Request) -> Response:
    """Delete a complaint logged by mistake, with its notes, correspondence and files."""
    ctx = request.state.ctx
    complaint = complaint_or_404(request)
    if request.method == "GET":
        return confirm_page(
            request,
            f"Delete {complaint.reference}?",
            "The complaint, its notes, correspondence and files are deleted and cannot be "
            "recovered. The audit log keeps a record that it was deleted, and by whom.",
            ctx.url("complaints:delete", pk=complaint.id),
            "Delete the complaint",
            cancel_url=ctx.url("complaints:detail", pk=complaint.id),
        )
    form_data(request)
    reference = complaint.reference
    attachments.delete_complaint(request.app.state.accord.settings, complaint)
    flash(request, f"{reference} is deleted.")
    return redirect(request, ctx.url("complaints:index"))
