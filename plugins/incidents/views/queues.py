"""Queues: the lists of incidents agents work from, and bulk actions on what they tick."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from accord import (
    HTTPException,
    Request,
    Response,
    flash,
    form_data,
    redirect,
    render_table,
)
from accord.inputs import integer

from .. import links, workflow
from ..choices import PENDING_REASONS, PRIORITIES, RESOLUTION_CODES, priority_label
from ..models import Incident, SavedView, Team
from ..queues import QUEUES, TABLES, queue_query
from .shared import WORK, teams

BULK_ACTIONS = {
    "assign_me": "Assign to me",
    "assign_team": "Assign to team…",
    "start": "Start work",
    "pend": "Set pending…",
    "priority": "Change priority…",
    "resolve": "Resolve…",
    "close": "Close (resolved only)",
    "link_major": "Link to major incident…",
}
MAX_BULK = 100
# What a bulk form sent back with a 422 shows again.
BULK_FIELDS = (
    "action",
    "team",
    "pending_reason",
    "major",
    "priority",
    "resolution_code",
    "resolution_notes",
)
NO_BULK_FORM = {
    "picked": frozenset(),
    "values": dict.fromkeys(BULK_FIELDS, ""),
    "error": "",
    "error_field": "",
}
NOT_SAVED = {"after", "before", "format", "csrf_token", "view_name"}


def index(request: Request) -> Response:
    ctx = request.state.ctx
    name = "mine" if ctx.can(WORK) else "all"
    return redirect(request, ctx.url("incidents:queue", queue=name))


def _saved_query(request: Request, posted: str | None = None) -> str:
    """The queue's filters, search and sort as they are now, without the page it was on.

    ``posted``: the query the rows last shown were for (htmx changes it without a page load).
    """
    items = (
        parse_qsl(posted, keep_blank_values=False)
        if posted is not None
        else request.query_params.multi_items()
    )
    return urlencode([(k, v) for k, v in items if k not in NOT_SAVED and v])[:1000]


def queue(request: Request) -> Response:
    ctx = request.state.ctx
    current = QUEUES.get(request.path_params["queue"])
    if current is None:
        raise HTTPException(404)
    view_name, view_error = "", ""
    if request.method == "POST":
        view_name = str(form_data(request).get("view_name") or "").strip()
        if not view_name:
            view_error = "Name the view, like “P1 and P2 of my team”."
        elif len(view_name) > 60:
            view_error = "At most 60 characters."
        else:
            return _save_view(request, current.name, view_name)
    own_views = list(
        SavedView.in_org(ctx.org).where(SavedView.user == ctx.user).order_by(SavedView.name)
    )
    this_query = _saved_query(request)
    context = {
        "this_query": this_query,
        "saved_views": own_views,
        "current_view": next(
            (v.id for v in own_views if v.queue == current.name and v.query == this_query), None
        ),
        "view_name": view_name,
        "view_error": view_error,
        "title": current.title,
        "queue": current,
        "queues": QUEUES.values(),
        "can_work": ctx.can(WORK),
        "bulk_actions": BULK_ACTIONS,
        "pending_reasons": PENDING_REASONS,
        "teams": teams(ctx.org),
        "majors": open_majors(ctx.org),
        "priorities": [(p, priority_label(p)) for p in PRIORITIES],
        "resolution_codes": RESOLUTION_CODES,
        # A bulk action sent back with a 422 (see ``bulk``): its ticks, values and message.
        "bulk": getattr(request.state, "bulk_form", None) or NO_BULK_FORM,
        "refresh_url": str(request.url.path)
        + (f"?{request.url.query}" if request.url.query else ""),
    }
    action = ("Log an incident", ctx.url("incidents:new")) if ctx.can(WORK) else None
    response = render_table(
        request,
        TABLES[current.name],
        queue_query(ctx, current),
        "incidents/queue.html",
        context,
        empty_action=action,
    )
    if view_error:
        response.status_code = 422
    return response


def _save_view(request: Request, queue_name: str, name: str) -> Response:
    """Save the queue as it is shown as the user's view ``name`` (replacing one of that name)."""
    ctx = request.state.ctx
    posted = form_data(request).get("view_query")
    query = _saved_query(request, None if posted is None else str(posted))
    existing = (
        SavedView.in_org(ctx.org)
        .where((SavedView.user == ctx.user) & (SavedView.name == name))
        .first()
    )
    if existing is None:
        SavedView.create(org=ctx.org, user=ctx.user, queue=queue_name, name=name, query=query)
    else:
        existing.queue, existing.query = queue_name, query
        existing.save()
    flash(request, f"Your view “{name}” is saved.")
    return redirect(request, view_url(ctx, queue_name, query))


def view_url(ctx: Any, queue_name: str, query: str) -> str:
    return ctx.url("incidents:queue", queue=queue_name) + (f"?{query}" if query else "")


def delete_view(request: Request) -> Response:
    ctx = request.state.ctx
    view = (
        SavedView.in_org(ctx.org)
        .where((SavedView.id == request.path_params["vid"]) & (SavedView.user == ctx.user))
        .first()
    )
    if view is None:
        raise HTTPException(404)
    view.delete_instance()
    flash(request, f"Your view “{view.name}” is deleted.")
    return redirect(request, ctx.url("incidents:queue", queue=view.queue))


def open_majors(org: Any) -> list[tuple[int, str]]:
    """Major incidents not closed yet, for the bulk link (few at any time: (org, is_major))."""
    rows = (
        Incident.in_org(org, Incident.id, Incident.reference, Incident.title)
        .where(Incident.is_major & (Incident.status != "closed"))
        .order_by(Incident.number.desc())
        .limit(50)
    )
    return [(row.id, f"{row.reference} {row.title}") for row in rows]


def _back(request: Request, raw: str) -> str:
    """The queue the form came from, or "my incidents" (never another site)."""
    prefix = request.state.ctx.url("incidents:index")
    return (
        raw
        if raw.startswith(prefix) and "//" not in raw
        else request.state.ctx.url("incidents:queue", queue="mine")
    )


def bulk(request: Request) -> Response:
    """Apply one action to every ticked incident; each is checked as if done on its own page."""
    ctx = request.state.ctx
    data = form_data(request)
    back = _back(request, str(data.get("next") or ""))
    action = str(data.get("action") or "")
    ids = {n for n in (integer(v) for v in data.getlist("ids")) if n is not None}
    if action not in BULK_ACTIONS or not ids:
        flash(request, "Tick some incidents and choose what to do with them.", "error")
        return redirect(request, back)
    if len(ids) > MAX_BULK:
        flash(request, f"Act on at most {MAX_BULK} incidents at once.", "error")
        return redirect(request, back)
    team = None
    if action == "assign_team":
        raw = str(data.get("team") or "")
        team = Team.in_org(ctx.org).where(Team.id == integer(raw, 0)).first()
        if team is None:
            flash(request, "Choose the team to assign them to.", "error")
            return redirect(request, back)
    major = None
    if action == "link_major":
        raw = str(data.get("major") or "")
        major = (
            Incident.in_org(ctx.org)
            .where(
                (Incident.id == integer(raw, 0)) & Incident.is_major & (Incident.status != "closed")
            )
            .first()
        )
        if major is None:
            flash(request, "Choose the major incident to link them to.", "error")
            return redirect(request, back)
    reason = str(data.get("pending_reason") or "")
    if action == "pend" and reason not in PENDING_REASONS:
        flash(request, "Choose what they are waiting for.", "error")
        return redirect(request, back)
    code, notes = str(data.get("resolution_code") or ""), str(data.get("resolution_notes") or "")
    priority = str(data.get("priority") or "")
    invalid = _invalid(action, code, notes, priority)
    if invalid:
        return _bulk_again(request, back, ids, invalid)
    done, skipped = [], []
    # Only the organisation's own incidents: other ids simply match nothing.
    for incident in Incident.in_org(ctx.org).where(Incident.id.in_(ids)).order_by(Incident.number):
        try:
            if major is not None:
                links.link_child(major, incident, user=ctx.user)
            elif action == "resolve":
                workflow.resolve(incident, incident.version, code, notes, user=ctx.user)
            elif action == "priority":
                workflow.reprioritise(incident, incident.version, int(priority), user=ctx.user)
            else:
                _apply(incident, action, ctx.user, team, reason)
            done.append(incident.reference)
        except workflow.NotAllowed as exc:
            skipped.append(f"{incident.reference} ({str(exc).rstrip('.').lower()})")
    words = f"{len(done)} incident{'s' if len(done) != 1 else ''} updated"
    if skipped:
        words += f"; not changed: {', '.join(skipped)}"
    flash(request, words + ".", "success" if done else "warning")
    return redirect(request, back)


def _invalid(action: str, code: str, notes: str, priority: str) -> tuple[str, str] | None:
    """``(field, message)`` when a resolve or priority change lacks what it needs."""
    if action == "resolve" and code not in RESOLUTION_CODES:
        return "resolution_code", "Choose a resolution code."
    if action == "resolve" and not notes.strip():
        return "resolution_notes", "Enter resolution notes: the reporters are told them."
    if action == "resolve" and len(notes) > 20_000:
        return "resolution_notes", "At most 20,000 characters."
    if action == "priority" and integer(priority) not in PRIORITIES:
        return "priority", "Choose the new priority."
    return None


def _bulk_again(request: Request, back: str, ids: set[int], invalid: tuple[str, str]) -> Response:
    """The queue the form came from, again, with the ticks and values kept and a 422."""
    data = form_data(request)
    field, message = invalid
    request.state.bulk_form = {
        "picked": ids,
        "values": {k: str(data.get(k) or "") for k in BULK_FIELDS},
        "error": message,
        "error_field": field,
    }
    ctx = request.state.ctx
    path, _, query = back.partition("?")
    name = next((q for q in QUEUES if path == ctx.url("incidents:queue", queue=q)), None)
    if name is None:  # sent from elsewhere: my incidents, as the redirect would have gone
        name, path, query = "mine", ctx.url("incidents:queue", queue="mine"), ""
    scope = {
        **request.scope,
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
    }
    scope["path_params"] = {"queue": name}
    response = queue(Request(scope, request.receive))
    response.status_code = 422
    return response


def _apply(incident: Incident, action: str, user, team: Team | None, reason: str) -> None:
    version = incident.version
    if action == "assign_me":
        keep = Team.get_or_none(Team.id == incident.team_id) if incident.team_id else None
        workflow.assign(incident, version, team=keep, assignee=user, user=user)
    elif action == "assign_team":
        workflow.assign(incident, version, team=team, assignee=None, user=user)
    elif action == "start":
        workflow.start(incident, version, user=user)
    elif action == "pend":
        workflow.pend(incident, version, reason, user=user)
    elif action == "close":
        workflow.close(incident, version, user=user)
