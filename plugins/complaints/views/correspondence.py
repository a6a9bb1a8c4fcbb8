"""Writing to the complainant from a complaint, and recording what was said elsewhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from accord import (
    Request,
    Response,
    StaleEdit,
    flash,
    form_data,
    local_time,
    redirect,
    render,
    utcnow,
)
from accord.plugins.contacts.models import Person

from .. import correspondence, workflow
from ..choices import STEPS
from ..forms import EmailForm, RecordForm
from ..models import Complaint
from .shared import complaint_or_404

TEMPLATE = "complaints/correspondence.html"
STALE = "Someone else changed this complaint since you opened it. Check it and try again."


def _with_steps(form: Any, complaint: Complaint) -> Any:
    """Offer only the steps the complaint's status allows; none: no such field.

    A step sent from a page that offered it, when the complaint has moved on since,
    is refused with the reason rather than dropped unseen.
    """
    steps = correspondence.steps_for(complaint)
    if steps:
        form.fields["step"].choices = [(s, STEPS[s]) for s in steps]
        return form
    asked = form.values.pop("step", "") if form.bound else ""
    del form.fields["step"]
    if asked in correspondence.STEP_MOVES and form.is_valid():
        form.add_error(None, workflow.refusal(complaint, correspondence.STEP_MOVES[asked]))
    return form


def _page(request: Request, complaint: Complaint, form: Any, **context: Any) -> Response:
    ctx = request.state.ctx
    values = {
        "complaint": complaint,
        "form": form,
        "cancel_url": ctx.url("complaints:detail", pk=complaint.id),
        "blocked": "",
        "person": None,
        **context,
    }
    return render(request, TEMPLATE, values, status_code=form.status_code)


def _done(request: Request, complaint: Complaint, message: str) -> Response:
    flash(request, message)
    url = request.state.ctx.url("complaints:detail", pk=complaint.id)
    return redirect(request, url + "#complaint-timeline")


def record(request: Request) -> Response:
    """Record a letter, a call, a meeting or an email that happened outside Accord."""
    ctx = request.state.ctx
    complaint = complaint_or_404(request)
    here = ctx.url("complaints:correspondence", pk=complaint.id)
    title = f"Record correspondence: {complaint.reference}"
    if request.method == "GET":
        params = request.query_params
        initial: dict[str, Any] = {"occurred_at": utcnow()}
        initial.update({n: params[n] for n in ("direction", "channel", "subject") if params.get(n)})
        form = RecordForm(initial=initial, version=complaint.version, zone=ctx.org.zone)
    else:
        form = RecordForm(form_data(request), zone=ctx.org.zone)
    _with_steps(form, complaint)
    form.fields["occurred_at"].hint = f"In the organisation's time zone ({ctx.org.zone.key})."
    if request.method == "POST" and form.is_valid():
        try:
            message = correspondence.record(
                complaint, dict(form.cleaned), version=form.version, user=ctx.user
            )
        except workflow.NotAllowed as exc:
            form.add_error("step" if "step" in form.fields else None, str(exc))
        except StaleEdit:
            form.add_error(None, STALE)
        else:
            return _done(
                request, complaint, f"Recorded on {complaint.reference}: {message.label.lower()}."
            )
    return _page(
        request, complaint, form, title=title, action=here, submit_label="Record correspondence"
    )


def email(request: Request) -> Response:
    """Email the complainant, when consent and the organisation's mail settings allow."""
    ctx = request.state.ctx
    complaint = complaint_or_404(request)
    here = ctx.url("complaints:email", pk=complaint.id)
    person = Person.get_or_none(Person.id == complaint.person_id) if complaint.person_id else None
    blocked = correspondence.cannot_email(ctx.org, ctx.enabled, person)
    if request.method == "GET":
        initial = {"subject": f"Your complaint {complaint.reference}"}
        form = EmailForm(initial=initial, version=complaint.version)
    else:
        form = EmailForm(form_data(request))
    _with_steps(form, complaint)
    if request.method == "POST" and form.is_valid():
        if blocked:
            form.add_error(None, f"The email is not sent: {blocked}")
        else:
            try:
                correspondence.queue_email(
                    complaint,
                    person,
                    form.cleaned["subject"],
                    form.cleaned["body"],
                    step=form.cleaned.get("step") or "",
                    version=form.version,
                    user=ctx.user,
                )
            except workflow.NotAllowed as exc:
                form.add_error("step" if "step" in form.fields else None, str(exc))
            except StaleEdit:
                form.add_error(None, STALE)
            else:
                when = local_time(ctx.org, utcnow())
                return _done(
                    request, complaint, f"The email to {person.email} is on its way ({when})."
                )
    record_url = ctx.url("complaints:correspondence", pk=complaint.id)
    return _page(
        request,
        complaint,
        form,
        title=f"Email the complainant: {complaint.reference}",
        action=here,
        submit_label="Send email",
        blocked=blocked,
        person=person,
        record_url=record_url
        + "?"
        + urlencode({"direction": "out", "channel": "email", "subject": form.values["subject"]}),
    )
