"""Working an incident: assign, start, pend, resume, resolve, close, reopen; notes and files.

Actions with something to fill in have a page of their own (GET the form,
POST it: 422 with the input kept, 409 when the incident changed since it was
opened). Start, resume and close are buttons on the incident's page.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile

from accord import (
    Form,
    Request,
    Response,
    StaleEdit,
    confirm_page,
    conflict_response,
    flash,
    form_data,
    redirect,
    render_form,
    wants_fragment,
)

from .. import attachments_store, workflow
from ..forms import AssignForm, NoteForm, PendForm, ReopenForm, ResolveForm
from ..models import Incident, Team
from .detail import detail_page
from .links import close_major
from .shared import incident_or_404, reopen_days, staff_member, stale_response, with_choices


def _form_action(
    request: Request,
    form_class: type[Form],
    *,
    name: str,
    title: str,
    submit: str,
    apply: Any,
    done: str,
    initial: dict[str, Any] | None = None,
) -> Response:
    """One action's page: the form, its checks, the move, and where the user lands."""
    ctx = request.state.ctx
    incident = incident_or_404(request)
    action = ctx.url(f"incidents:{name}", pk=incident.id)
    cancel = ctx.url("incidents:detail", pk=incident.id)
    heading = f"{title}: {incident.reference} {incident.title}"
    if request.method == "GET":
        form = with_choices(
            form_class(initial=initial or {}, version=incident.version), ctx.org, incident
        )
        return render_form(
            request, form, title=heading, action=action, submit_label=submit, cancel_url=cancel
        )
    form = with_choices(form_class(form_data(request)), ctx.org, incident)
    if not form.is_valid():
        return render_form(
            request, form, title=heading, action=action, submit_label=submit, cancel_url=cancel
        )
    try:
        _same_version(incident, form.version)
        apply(incident, form)
    except StaleEdit as stale:
        return conflict_response(
            request,
            stale,
            form,
            action=action,
            cancel_url=cancel,
            title=f"Someone else changed {incident.reference}",
        )
    except workflow.NotAllowed as exc:
        form.add_error(None, str(exc))
        return render_form(
            request, form, title=heading, action=action, submit_label=submit, cancel_url=cancel
        )
    flash(request, done.format(ref=incident.reference))
    return redirect(request, cancel)


def _same_version(incident: Incident, version: Any) -> None:
    """A change made since the page was opened wins over whether the move is still allowed."""
    if str(version) != str(incident.version):
        raise StaleEdit(incident, incident, {})


def assign(request: Request) -> Response:
    ctx = request.state.ctx

    def apply(incident: Incident, form: AssignForm) -> None:
        team = Team.get_in_org(ctx.org, form.cleaned["team"]) if form.cleaned["team"] else None
        workflow.assign(
            incident,
            form.version,
            team=team,
            assignee=staff_member(ctx.org, form.cleaned["assignee"]),
            user=ctx.user,
        )

    incident = incident_or_404(request)
    initial = {"team": incident.team_id, "assignee": incident.assignee_id}
    return _form_action(
        request,
        AssignForm,
        name="assign",
        title="Assign",
        submit="Assign",
        apply=apply,
        done="{ref} is assigned.",
        initial=initial,
    )


def pend(request: Request) -> Response:
    user = request.state.ctx.user

    def apply(incident: Incident, form: PendForm) -> None:
        workflow.pend(
            incident,
            form.version,
            form.cleaned["pending_reason"],
            form.cleaned["pending_note"],
            user=user,
        )

    return _form_action(
        request,
        PendForm,
        name="pend",
        title="Set pending",
        submit="Set pending",
        apply=apply,
        done="{ref} is pending: its resolution clock is paused.",
    )


def resolve(request: Request) -> Response:
    user = request.state.ctx.user

    def apply(incident: Incident, form: ResolveForm) -> None:
        workflow.resolve(
            incident,
            form.version,
            form.cleaned["resolution_code"],
            form.cleaned["resolution_notes"],
            user=user,
        )

    return _form_action(
        request,
        ResolveForm,
        name="resolve",
        title="Resolve",
        submit="Resolve",
        apply=apply,
        done="{ref} is resolved.",
    )


def reopen(request: Request) -> Response:
    ctx = request.state.ctx

    def apply(incident: Incident, form: ReopenForm) -> None:
        workflow.reopen(
            incident,
            form.version,
            form.cleaned["reason"],
            window_days=reopen_days(ctx.org),
            user=ctx.user,
        )

    return _form_action(
        request,
        ReopenForm,
        name="reopen",
        title="Reopen",
        submit="Reopen",
        apply=apply,
        done="{ref} is open again.",
    )


def _button(request: Request, move: Any, what: str, done: str) -> Response:
    ctx = request.state.ctx
    incident = incident_or_404(request)
    back = ctx.url("incidents:detail", pk=incident.id)
    # The confirmation page (no JavaScript) carries no version: it showed the current one.
    version = form_data(request).get("version") or incident.version
    try:
        _same_version(incident, version)
        move(incident, version, user=ctx.user)
    except StaleEdit as stale:
        return stale_response(request, stale, incident, what)
    except workflow.ChildrenNotClosed:
        raise  # the caller asks the user
    except workflow.NotAllowed as exc:
        flash(request, str(exc), "error")
        return redirect(request, back)
    flash(request, done.format(ref=incident.reference))
    return redirect(request, back)


def start(request: Request) -> Response:
    return _button(request, workflow.start, "start work on it", "Work on {ref} has started.")


def resume(request: Request) -> Response:
    return _button(request, workflow.resume, "resume it", "{ref} is in progress again.")


def close(request: Request) -> Response:
    if request.method == "GET":
        ctx = request.state.ctx
        incident = incident_or_404(request)
        return confirm_page(
            request,
            f"Close {incident.reference}?",
            "Close it once the reporter has confirmed the fix. A closed incident cannot be "
            "reopened: a recurrence is logged as a new incident.",
            ctx.url("incidents:close", pk=incident.id),
            "Close incident",
            cancel_url=ctx.url("incidents:detail", pk=incident.id),
            danger=False,
        )
    incident = incident_or_404(request)
    with_children = str(form_data(request).get("close_children") or "") == "1"

    def move(incident: Incident, version: Any, *, user: Any) -> None:
        workflow.close(incident, version, user=user, close_children=with_children)

    try:
        return _button(request, move, "close it", "{ref} is closed.")
    except workflow.ChildrenNotClosed as exc:
        return close_major(request, incident, exc.children)


def note(request: Request) -> Response:
    """An internal note or a reply to the reporter, added to the timeline."""
    ctx = request.state.ctx
    incident = incident_or_404(request)
    form = NoteForm(form_data(request))
    if not form.is_valid():
        return detail_page(request, incident, note_form=form, block="activity", status_code=422)
    public = form.cleaned["kind"] == "reply"
    workflow.note(incident, form.cleaned["body"], public=public, user=ctx.user)
    message = "Your reply is on its way to the reporter." if public else "Your note is added."
    if wants_fragment(request):
        incident = Incident.get_by_id(incident.id)
        return detail_page(request, incident, block="activity")
    flash(request, message)
    return redirect(request, ctx.url("incidents:detail", pk=incident.id) + "#activity")


def attach(request: Request) -> Response:
    ctx = request.state.ctx
    incident = incident_or_404(request)
    back = ctx.url("incidents:detail", pk=incident.id)
    upload = form_data(request).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        flash(request, "Choose a file to attach.", "error")
        return redirect(request, back)
    try:
        attachment = attachments_store.store(request, incident, upload, ctx.user)
    except attachments_store.Rejected as exc:
        flash(request, f"{upload.filename} is not attached: {exc}", "error")
        return redirect(request, back)
    finally:
        upload.file.close()  # the spooled copy is no longer needed
    workflow.record(
        incident,
        "attachment",
        f"Attached {attachment.filename}",
        user=ctx.user,
        data={"attachment_id": attachment.id},
    )
    flash(request, f"{attachment.filename} is attached.")
    return redirect(request, back)
