"""Problems: the list, one problem, creating and editing one, moving its status."""

from __future__ import annotations

import peewee

from accord import (
    Column,
    Filter,
    HTTPException,
    Request,
    Response,
    StaleEdit,
    Table,
    TimelineEntry,
    User,
    audit_timeline,
    conflict_response,
    flash,
    form_data,
    merge_timelines,
    redirect,
    render,
    render_form,
    render_table,
)
from accord.plugins.catalogue.models import Service
from accord.plugins.incidents.models import Incident

from .. import records
from ..choices import EVENT_KINDS, MOVES, STATUSES
from ..forms import ProblemForm, move_form
from ..models import Problem, ProblemEvent, ProblemIncident
from ..proposals import similar_incidents
from .shared import MANAGE, WORK, problem_or_404, services, with_choices

# Moves that change who may do them: closing is a manager's decision.
MOVE_PERMISSION = {"close": MANAGE}
# Status moves have their own timeline entries (ProblemEvent), so the audit's copy is left out.
UNSHOWN_CHANGES = frozenset({"status", "updated_at", "known_error_at", "resolved_at", "closed_at"})
FOUND_INCIDENTS = 10
SHOWN_INCIDENTS = 100


def _service_choices(request: Request) -> list[tuple[int, str]]:
    return services(request.state.ctx.org)


PROBLEMS = Table(
    Problem,
    [
        Column(
            "Reference",
            "number",
            sortable=True,
            accessor=lambda p: p.reference,
            link=lambda url, p: url("problems:detail", pk=p.id),
        ),
        Column(
            "Title", "title", sortable=True, link=lambda url, p: url("problems:detail", pk=p.id)
        ),
        Column(
            "Status",
            "status",
            sortable=True,
            accessor=lambda p: p.status_label,
            template="problems/_cell_status.html",
        ),
        Column("Priority", "priority", sortable=True, accessor=lambda p: p.priority_label),
        Column("Service", accessor=lambda p: p.service_name or ""),
        Column("Incidents", accessor=lambda p: p.incident_count, css="num"),
        Column("Updated", "updated_at", sortable=True),
    ],
    search=["reference", "title", "symptoms", "workaround"],
    filters=[
        Filter("status", "Status", list(STATUSES.items())),
        Filter("service", "Service", _service_choices, where=lambda v: Problem.service == int(v)),
    ],
    sort="-number",
    filename="problems",
    empty_message="No problems recorded yet.",
    search_label="Search problems",
)


def with_service_and_count(query: peewee.ModelSelect) -> peewee.ModelSelect:
    """``query`` of problems with each one's service name and number of incidents."""
    count = (
        ProblemIncident.select(peewee.fn.COUNT(ProblemIncident.id))
        .where(ProblemIncident.problem == Problem.id)
        .alias("incident_count")
    )
    return query.select_extend(Service.name.alias("service_name"), count).join(
        Service, peewee.JOIN.LEFT_OUTER, on=(Problem.service == Service.id)
    )


def problem_list(request: Request) -> Response:
    ctx = request.state.ctx
    query = with_service_and_count(Problem.in_org(ctx.org)).objects()
    action = ("New problem", ctx.url("problems:new")) if ctx.can(WORK) else None
    return render_table(
        request,
        PROBLEMS,
        query,
        "problems/list.html",
        {"title": "Problems"},
        empty_action=action,
    )


def linked_incidents(problem: Problem) -> peewee.ModelSelect:
    # Led by the problem's links, never by the organisation's incidents (see within_org).
    return (
        Incident.within_org(problem.org_id)
        .join(ProblemIncident, on=(ProblemIncident.incident == Incident.id))
        .where(ProblemIncident.problem == problem.id)
        .order_by(Incident.created_at.desc())
    )


def find_incidents(problem: Problem, query: str) -> list[Incident]:
    """Incidents not yet linked to ``problem`` whose reference or title matches ``query``."""
    words = query.split()[:6]
    if not words:
        return []
    linked = ProblemIncident.select(ProblemIncident.incident).where(
        ProblemIncident.problem == problem.id
    )
    rows = Incident.in_org(problem.org_id).where(Incident.id.not_in(linked))
    for word in words:
        rows = rows.where(Incident.reference.contains(word) | Incident.title.contains(word))
    return list(rows.order_by(Incident.created_at.desc()).limit(FOUND_INCIDENTS))


def timeline(problem: Problem) -> list[TimelineEntry]:
    """Field changes from the audit log, and status moves and links from problems' own events."""
    audited = audit_timeline(problem, limit=50, hide=UNSHOWN_CHANGES)
    # Creation is the "Recorded" event, at the time the problem says it was recorded.
    audited = [e for e in audited if e.kind not in ("create", "update") or e.changes]
    events = (
        ProblemEvent.in_org(problem.org_id)
        .where(ProblemEvent.problem == problem.id)
        .order_by(ProblemEvent.at.desc())
        .limit(50)
    )
    own = [
        TimelineEntry(e.at, e.author_label, EVENT_KINDS.get(e.kind, e.kind), e.body) for e in events
    ]
    return merge_timelines(audited, own, limit=50)


def detail(request: Request) -> Response:
    ctx = request.state.ctx
    problem = problem_or_404(request)
    query = request.query_params.get("q", "").strip()[:200]
    moves = [
        (name, MOVES[name][0])
        for name in records.moves_from(problem.status)
        if ctx.can(MOVE_PERMISSION.get(name, WORK))
    ]
    context = {
        "title": f"{problem.reference} {problem.title}",
        "problem": problem,
        "service": Service.get_or_none(Service.id == problem.service_id)
        if problem.service_id
        else None,
        "owner": User.get_or_none(User.id == problem.owner_id) if problem.owner_id else None,
        "incidents": list(linked_incidents(problem).limit(SHOWN_INCIDENTS)),
        "incident_count": linked_incidents(problem).count(),
        "found": find_incidents(problem, query) if query and ctx.can(WORK) else [],
        "alike": similar_incidents(problem) if problem.is_open and ctx.can(WORK) else [],
        "query": query,
        "moves": moves,
        "can_work": ctx.can(WORK),
        "timeline": timeline(problem),
    }
    return render(request, "problems/detail.html", context, block="link_incidents")


def create(request: Request) -> Response:
    ctx = request.state.ctx
    action, cancel = ctx.url("problems:new"), ctx.url("problems:index")
    title = "New problem"
    if request.method == "GET":
        initial = {"owner": ctx.user.id}
        form = with_choices(ProblemForm(initial=initial), ctx.org)
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    form = with_choices(ProblemForm(form_data(request)), ctx.org)
    if not form.is_valid():
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    problem = records.create(ctx.org, form.cleaned, user=ctx.user)
    flash(request, f"{problem.reference} is recorded.")
    return redirect(request, ctx.url("problems:detail", pk=problem.id))


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    problem = problem_or_404(request)
    title = f"Edit {problem.reference}"
    action = ctx.url("problems:edit", pk=problem.id)
    cancel = ctx.url("problems:detail", pk=problem.id)
    if request.method == "GET":
        form = with_choices(ProblemForm.from_instance(problem), ctx.org, problem)
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    form = with_choices(ProblemForm(form_data(request)), ctx.org, problem)
    if form.is_valid():
        _keep_status_rules(problem, form)
    if not form.is_valid() or form.errors:
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    try:
        records.edit(problem, form.version, form.cleaned)
    except StaleEdit as stale:
        return conflict_response(request, stale, form, action=action, cancel_url=cancel)
    flash(request, f"{problem.reference} is saved.")
    return redirect(request, cancel)


def _keep_status_rules(problem: Problem, form: ProblemForm) -> None:
    """An edit may not empty what the problem's status needs (a known error's workaround …)."""
    needs = {
        "known_error": ("workaround",),
        "resolved": ("root_cause", "fix_change"),
        "closed": ("root_cause", "fix_change"),
    }
    for name in needs.get(str(problem.status), ()):
        if not form.cleaned.get(name):
            label = form.fields[name].label.lower()
            form.add_error(name, f"A {problem.status_label.lower()} problem keeps its {label}.")


def move(request: Request) -> Response:
    ctx = request.state.ctx
    problem = problem_or_404(request)
    name = request.path_params["move"]
    if name not in MOVES:
        raise HTTPException(404)
    if not ctx.can(MOVE_PERMISSION.get(name, WORK)):
        raise HTTPException(403)
    label = MOVES[name][0]
    title = f"{label}: {problem.reference}"
    action = ctx.url("problems:move", pk=problem.id, move=name)
    cancel = ctx.url("problems:detail", pk=problem.id)
    if request.method == "GET":
        if name not in records.moves_from(problem.status):
            flash(request, f"A {problem.status_label.lower()} problem cannot do that.", "error")
            return redirect(request, cancel)
        form = move_form(name, problem=problem)
        return render_form(
            request, form, title=title, action=action, cancel_url=cancel, submit_label=label
        )
    form = move_form(name, data=form_data(request))
    if form.is_valid():
        try:
            records.move(problem, name, form.version, form.cleaned, user=ctx.user)
        except records.MoveRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, str(refused))
        except StaleEdit as stale:
            return conflict_response(request, stale, form, action=action, cancel_url=cancel)
        else:
            flash(request, f"{problem.reference} is now {problem.status_label.lower()}.")
            return redirect(request, cancel)
    return render_form(
        request, form, title=title, action=action, cancel_url=cancel, submit_label=label
    )
