"""The page of one incident: what it is, its timeline, its SLA clocks and why, its actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord import (
    Organisation,
    Request,
    Response,
    User,
    local_time,
    members_of,
    render,
    utcnow,
)
from accord.plugins.catalogue.models import Service
from accord.plugins.contacts.models import CustomerOrganisation, Person

from .. import response as response_rule
from .. import sla, watching
from ..attachments_store import limits
from ..choices import MOVES, SLA_BADGES, SLA_STATES
from ..forms import NoteForm
from ..models import Attachment, CannedReply, Incident, Team
from ..timeline import incident_timeline
from ..words import business_span, short_time, span
from ..workflow import reopen_deadline
from . import links
from .shared import WORK, reopen_days

TEMPLATE = "incidents/detail.html"


def _clock_panel(
    incident: Incident, name: str, org: Organisation, now: dt.datetime
) -> dict[str, Any]:
    rows = sla.ledger(incident, name)
    state = sla.clock_state(incident, name, now)
    counted = sum(
        (min(r.ends_at, now) - r.starts_at for r in rows if r.counted and r.starts_at < now),
        dt.timedelta(),
    )
    response, resolution = sla.targets_for(incident)
    target = response if name == "response" else resolution
    due = incident.response_due if name == "response" else incident.resolution_due
    warn = incident.response_warn_at if name == "response" else incident.resolution_warn_at
    return {
        "name": name,
        "title": "Response" if name == "response" else "Resolution",
        # What counts as the response, and what it was: "met by first reply at 10:42 BST".
        "counts": response_rule.RULES[response_rule.rule_for(incident)]
        if name == "response"
        else "",
        "answered": _answered(incident, org, state) if name == "response" else "",
        "state": state,
        "state_label": SLA_STATES[state],
        "badge": SLA_BADGES[state],
        "target": business_span(target.minutes) if target else "",
        "warning_percent": target.warning_percent if target else None,
        "due": local_time(org, due),
        "warn": local_time(org, warn),
        "counted": span(counted),
        "left": span(due - now) if due and due > now and state != "met" else "",
        "remaining_paused": business_span(incident.resolution_remaining_minutes)
        if name == "resolution" and state == "paused"
        else "",
        "ledger": [
            {
                "start": short_time(org, r.starts_at),
                "end": "now" if r.ongoing else short_time(org, r.ends_at),
                "length": span(r.duration) if not r.ongoing else span(now - r.starts_at),
                "counted": r.counted,
                "reason": r.reason,
                "marker": r.starts_at == r.ends_at and not r.counted and not r.ongoing,
                "future": r.starts_at >= now,
            }
            for r in rows
        ],
    }


def _answered(incident: Incident, org: Organisation, state: str) -> str:
    if incident.responded_at is None:
        return ""
    verb = {"met": "met by", "breached": "late:"}.get(state, "by")
    return f"{verb} {response_rule.met_by(incident)} at {local_time(org, incident.responded_at)}"


def _people(*ids: int | None) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: str(u.name) for u in User.select(User.id, User.name).where(User.id.in_(wanted))}


def detail_context(
    request: Request,
    incident: Incident,
    note_form: NoteForm | None = None,
    watcher_error: str = "",
) -> dict[str, Any]:
    ctx = request.state.ctx
    now = utcnow()
    org = ctx.org
    merged = list(links.merged_from(incident))
    attachments = list(
        Attachment.select()
        .where(Attachment.incident.in_([incident.id, *(m.id for m in merged)]))
        .order_by(Attachment.uploaded_at.desc())
    )
    names = _people(
        incident.assignee_id, incident.logged_by_id, *(a.uploaded_by_id for a in attachments)
    )
    can_work = ctx.can(WORK)
    window = reopen_days(org)
    deadline = reopen_deadline(incident, window)
    moves = {action for action, allowed in MOVES.items() if incident.status in allowed}
    if "reopen" in moves and (deadline is None or now > deadline or incident.merged_into_id):
        moves.discard("reopen")
    return {
        "title": f"{incident.reference} {incident.title}",
        "incident": incident,
        "now": now,
        "reporter": Person.get_or_none(Person.id == incident.reporter_id)
        if incident.reporter_id
        else None,
        "customer": CustomerOrganisation.get_or_none(
            CustomerOrganisation.id == incident.customer_id
        )
        if incident.customer_id
        else None,
        "service": Service.get_or_none(Service.id == incident.service_id)
        if incident.service_id
        else None,
        "team": Team.get_or_none(Team.id == incident.team_id) if incident.team_id else None,
        "assignee_name": names.get(incident.assignee_id, ""),
        "logged_by_name": names.get(incident.logged_by_id, ""),
        "response_by": response_rule.met_by(incident),
        "timeline": incident_timeline(incident),
        "attachments": attachments,
        "limits": limits(request),
        "clocks": [_clock_panel(incident, name, org, now) for name in sla.CLOCKS],
        "zone": str(org.zone),
        "can_work": can_work,
        "moves": moves if can_work else set(),
        "reopen_until": local_time(org, deadline) if deadline else "",
        "reopen_days": window,
        "note_form": note_form or NoteForm(),
        "canned": list(CannedReply.in_org(org).order_by(CannedReply.title)) if can_work else [],
        "local": lambda moment: local_time(org, moment),
        "children": links.children_with_status(incident),
        "parent": links.parent_of(incident),
        "merged_into": links.merged_into(incident),
        "merged_from": merged,
        **_watchers(ctx, incident, can_work, watcher_error),
    }


def _watchers(ctx: Any, incident: Incident, can_work: bool, error: str) -> dict[str, Any]:
    people = watching.watchers(incident)
    ids = {p.id for p in people}
    return {
        "watchers": people,
        "watching": ctx.user.id in ids,
        # Colleagues who could be added: members who may see incidents, not watching yet.
        "watcher_choices": [m for m in members_of(ctx.org) if m.id not in ids] if can_work else [],
        "watcher_error": error,
    }


def detail_page(
    request: Request,
    incident: Incident,
    *,
    note_form: NoteForm | None = None,
    block: str | None = None,
    status_code: int = 200,
    watcher_error: str = "",
) -> Response:
    context = detail_context(request, incident, note_form, watcher_error)
    return render(request, TEMPLATE, context, block=block, status_code=status_code)
