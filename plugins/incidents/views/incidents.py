"""Logging an incident, its page, editing what it is about; the log form's live helpers."""

from __future__ import annotations

from accord import (
    Request,
    Response,
    StaleEdit,
    conflict_response,
    flash,
    form_data,
    redirect,
    render,
)
from accord.inputs import integer
from accord.plugins.catalogue import service_level
from accord.plugins.catalogue.models import Service
from accord.plugins.contacts.models import Person

from .. import reporters, workflow
from ..choices import priority_label
from ..forms import EditForm, LogForm
from ..matrix import priority_for
from ..words import business_span
from .detail import detail_page
from .shared import incident_or_404, staff_member, with_choices

LOG_TEMPLATE = "incidents/log.html"


def _log_page(
    request: Request,
    form: LogForm,
    *,
    reporter: Person | None = None,
    results: list[Person] | None = None,
    query: str = "",
) -> Response:
    ctx = request.state.ctx
    chosen = form.values.get("reporter", "")
    if reporter is None and integer(chosen) is not None:
        reporter = Person.get_or_none((Person.org == ctx.org) & (Person.id == integer(chosen)))
    context = {
        "title": "Log an incident",
        "form": form,
        "reporter": reporter,
        "results": results or [],
        "query": query,
        "describe": reporters.describe,
        "preview": _preview(
            ctx.org,
            form.values.get("impact"),
            form.values.get("urgency"),
            form.values.get("service"),
        ),
        **_suggestion_context(ctx.org, form.values),
    }
    return render(request, LOG_TEMPLATE, context, status_code=form.status_code)


def new(request: Request) -> Response:
    ctx = request.state.ctx
    if request.method == "GET":
        params = request.query_params
        initial = {name: params[name] for name in LogForm.declared if params.get(name)}
        form = with_choices(LogForm(initial=initial), ctx.org)
        query = params.get("reporter_q", "").strip()
        found = reporters.find(ctx.org, query) if query else []
        return _log_page(request, form, results=found, query=query)
    form = with_choices(LogForm(form_data(request)), ctx.org)
    if not form.is_valid():
        return _log_page(request, form)
    values = {k: v for k, v in form.cleaned.items() if not k.startswith("new_")}
    if values["reporter"] is None:
        try:
            person = reporters.create(ctx.org, form.new_person)
        except reporters.InvalidDetail as exc:
            field = "new_phone" if "phone" in str(exc).lower() else "new_email"
            form.add_error(field, str(exc))
            return _log_page(request, form)
        values["reporter"] = person.id
    person = Person.get_by_id(values["reporter"])
    if not values.get("customer"):
        values["customer"] = person.organisation_id
    if values.get("assignee") and staff_member(ctx.org, values["assignee"]) is None:
        values["assignee"] = None
    incident = workflow.log(ctx.org, values, user=ctx.user)
    flash(request, f"{incident.reference} is logged, priority {incident.priority_label}.")
    return redirect(request, ctx.url("incidents:detail", pk=incident.id))


def detail(request: Request) -> Response:
    return detail_page(request, incident_or_404(request))


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    incident = incident_or_404(request)
    title = f"Edit {incident.reference}"
    action = ctx.url("incidents:edit", pk=incident.id)
    cancel = ctx.url("incidents:detail", pk=incident.id)
    if request.method == "GET":
        form = with_choices(EditForm.from_instance(incident), ctx.org, incident)
        return render(
            request, "incidents/edit.html", _edit_context(form, title, action, cancel, incident)
        )
    form = with_choices(EditForm(form_data(request)), ctx.org, incident)
    if not form.is_valid():
        return render(
            request,
            "incidents/edit.html",
            _edit_context(form, title, action, cancel, incident),
            status_code=422,
        )
    try:
        workflow.edit(incident, form.version, form.cleaned, user=ctx.user)
    except StaleEdit as stale:
        return conflict_response(
            request,
            stale,
            form,
            action=action,
            cancel_url=cancel,
            title=f"Someone else changed {incident.reference}",
        )
    flash(request, f"{incident.reference} is saved, priority {incident.priority_label}.")
    return redirect(request, cancel)


def _edit_context(form: EditForm, title: str, action: str, cancel: str, incident) -> dict:
    values = form.values
    return {
        "form": form,
        "title": title,
        "action": action,
        "cancel_url": cancel,
        "incident": incident,
        "preview": _preview(incident.org, values["impact"], values["urgency"], values["service"]),
    }


# --- The log form's live helpers (htmx fragments; each also works as a plain GET) --------------


def _number(raw: str | None, low: int = 1, high: int = 4) -> int | None:
    number = integer(raw)
    return number if number is not None and low <= number <= high else None


def _preview(org, impact: str | None, urgency: str | None, service: str | None) -> dict:
    i, u = _number(impact), _number(urgency)
    if i is None or u is None:
        return {"priority": None}
    priority = priority_for(org, i, u)
    level = None
    service_id = integer(service)
    if service_id is not None and Service.in_org(org).where(Service.id == service_id).exists():
        level = service_level(service_id, priority)
    return {
        "priority": priority,
        "label": priority_label(priority),
        "response": business_span(level.response_minutes) if level else "",
        "resolution": business_span(level.resolution_minutes) if level else "",
        "has_service": service_id is not None,
    }


def priority(request: Request) -> Response:
    """The priority the matrix gives to the chosen impact and urgency, and its targets."""
    params = request.query_params
    preview = _preview(
        request.state.ctx.org, params.get("impact"), params.get("urgency"), params.get("service")
    )
    return render(request, "incidents/_priority.html", {"preview": preview})


def _suggestion_context(org, values) -> dict:
    raw = values.get("service") or ""
    service = (
        Service.in_org(org).where(Service.id == integer(raw)).get_or_none()
        if integer(raw) is not None
        else None
    )
    text = " ".join(values.get(k) or "" for k in ("title", "description")).strip()[:2000]
    return {"suggestion_service": service, "suggestion_text": text}


def suggestions(request: Request) -> Response:
    """What other plugins suggest for the incident being typed (known errors …): a fragment.

    Fills the slot ``incidents.intake.suggestions`` with ``service`` (a catalogue
    ``Service`` of the organisation, or None) and ``text`` (title and description).
    """
    context = _suggestion_context(request.state.ctx.org, request.query_params)
    return render(request, "incidents/_suggestions.html", context)


def reporter_search(request: Request) -> Response:
    """People matching ``q``, as choices for the reporter (a fragment for the log form)."""
    org = request.state.ctx.org
    params = request.query_params
    query = (params.get("reporter_q") or params.get("q") or "").strip()[:200]
    found = reporters.find(org, query) if query else []
    return render(
        request,
        "incidents/_reporters.html",
        {"results": found, "query": query, "describe": reporters.describe, "chosen": ""},
    )
