"""Recovery tasks: low scores for team leads to follow up, and marking one done."""

from __future__ import annotations

from typing import Any

from peewee import JOIN

from accord import (
    Column,
    Filter,
    Form,
    Request,
    Response,
    StaleEdit,
    Table,
    User,
    conflict_response,
    flash,
    form_data,
    forms,
    get_or_404,
    members_of,
    redirect,
    render,
    render_table,
    save_versioned,
    utcnow,
)
from accord.plugins.contacts.models import Person
from accord.plugins.incidents.models import Incident

from ..models import RecoveryTask, Survey

Assignee = User.alias("assignee")
STATUSES = {"open": "Open", "done": "Done"}


def _incident(task: RecoveryTask) -> str:
    incident = getattr(task, "incident_row", None)
    return f"{incident.reference} {incident.title}" if incident is not None else ""


def _survey(task: RecoveryTask) -> Any:
    return getattr(task, "survey_row", None)


def _assignee(task: RecoveryTask) -> str:
    user = getattr(task, "assignee_row", None)
    return str(user.name) if user is not None and user.id else "Nobody (the team has no lead)"


def _leads(request: Request) -> list[tuple[int, str]]:
    ctx = request.state.ctx
    others = [(u.id, str(u.name)) for u in members_of(ctx.org) if u.id != ctx.user.id]
    return [(ctx.user.id, "Me"), *others]


tasks_table = Table(
    RecoveryTask,
    [
        Column(
            "Incident", accessor=_incident, link=lambda url, t: url("satisfaction:task", pk=t.id)
        ),
        Column("Score", accessor=lambda t: f"{_survey(t).score}/5" if _survey(t) else ""),
        Column("Comment", accessor=lambda t: _survey(t).comment if _survey(t) else ""),
        Column("Lead", accessor=_assignee),
        Column("Status", "status", accessor=lambda t: STATUSES.get(t.status, t.status)),
        Column("Opened", "created_at", sortable=True),
    ],
    filters=[
        Filter("status", "Status", list(STATUSES.items())),
        Filter("assignee", "Lead", _leads, where=lambda v: RecoveryTask.assignee == int(v)),
    ],
    sort="-created_at",
    filename="recovery-tasks",
    empty_message="No recovery tasks: nobody gave a low score.",
    id="recovery-tasks",
)


def task_list(request: Request) -> Response:
    ctx = request.state.ctx
    query = (
        RecoveryTask.in_org(ctx.org)
        .select_extend(
            Incident.id,
            Incident.reference,
            Incident.title,
            Survey.id,
            Survey.score,
            Survey.comment,
            Assignee.id,
            Assignee.name,
        )
        .join_from(
            RecoveryTask, Incident, on=(RecoveryTask.incident == Incident.id), attr="incident_row"
        )
        .join_from(RecoveryTask, Survey, on=(RecoveryTask.survey == Survey.id), attr="survey_row")
        .join_from(
            RecoveryTask,
            Assignee,
            JOIN.LEFT_OUTER,
            on=(RecoveryTask.assignee == Assignee.id),
            attr="assignee_row",
        )
    )
    return render_table(
        request,
        tasks_table,
        query,
        context={
            "title": "Recovery tasks",
            "intro": "Low satisfaction scores for the incident's team lead to follow up.",
        },
    )


class DoneForm(Form):
    note = forms.TextArea(
        "What was done", max_length=5000, hint="Who you spoke to and how it was put right."
    )


def _context(request: Request, task: RecoveryTask, form: DoneForm) -> dict[str, Any]:
    ctx = request.state.ctx
    incident = Incident.get_by_id(task.incident_id)
    survey = Survey.get_by_id(task.survey_id)
    person = Person.get_or_none(Person.id == survey.person_id) if survey.person_id else None
    assignee = User.get_or_none(User.id == task.assignee_id) if task.assignee_id else None
    return {
        "title": f"Recovery of {incident.reference}",
        "task": task,
        "incident": incident,
        "survey": survey,
        "person": person,
        "assignee": assignee,
        "form": form,
        "can_work": ctx.can("satisfaction.recover"),
    }


def task_detail(request: Request) -> Response:
    task = get_or_404(RecoveryTask, request, request.path_params["pk"])
    form = DoneForm(initial={"note": task.note}, version=task.version)
    return render(request, "satisfaction/task.html", _context(request, task, form))


def task_done(request: Request) -> Response:
    ctx = request.state.ctx
    task = get_or_404(RecoveryTask, request, request.path_params["pk"])
    here = ctx.url("satisfaction:task", pk=task.id)
    form = DoneForm(form_data(request))
    if task.status == "done":
        form.add_error(None, "This task is already done.")
    if not form.is_valid():
        return render(
            request, "satisfaction/task.html", _context(request, task, form), status_code=422
        )
    try:
        save_versioned(
            task,
            form.version,
            {"status": "done", "note": form.cleaned["note"], "done_at": utcnow()},
        )
    except StaleEdit as stale:
        return conflict_response(
            request,
            stale,
            form,
            action=ctx.url("satisfaction:task_done", pk=task.id),
            cancel_url=here,
        )
    flash(request, "The recovery task is done.")
    return redirect(request, ctx.url("satisfaction:tasks"))
