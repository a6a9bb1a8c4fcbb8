"""The queues agents live in: which incidents each holds, and the table they are shown in.

Each queue is a condition on ``incidents_incident`` alone, answered from an
index: mine (org, assignee, status), my teams' (org, team, status),
unassigned (org, status, priority, due_at), breaching soon and the SLA
filters (org, due_at), all (org, created_at). Pages are keyset pages, so a
queue of a million incidents costs what a queue of fifty does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import peewee
from peewee import JOIN

from accord import Column, DateRange, Filter, RequestContext, Table, User, utcnow
from accord.plugins.catalogue.models import Service
from accord.plugins.contacts.models import Person

from .choices import (
    CATEGORIES,
    CHANNELS,
    OPEN,
    PRIORITIES,
    SLA_STATES,
    STATUSES,
    priority_label,
)
from .models import Incident, Team, TeamMember

SOON = dt.timedelta(hours=4)
Assignee = User.alias("assignee")


@dataclass(frozen=True)
class Queue:
    name: str
    title: str
    sort: str
    where: Callable[[RequestContext], Any]
    empty: str


def my_team_ids(ctx: RequestContext) -> peewee.ModelSelect:
    return TeamMember.select(TeamMember.team).where(
        (TeamMember.org == ctx.org) & (TeamMember.user == ctx.user)
    )


def breaching_soon(now: dt.datetime | None = None) -> Any:
    """Running clocks not yet overdue that fall due within ``SOON`` or are past their warning."""
    now = now or utcnow()
    return (Incident.due_at >= now) & ((Incident.due_at <= now + SOON) | (Incident.warn_at <= now))


def is_open() -> Any:
    return Incident.status.in_(OPEN)


QUEUES = {
    q.name: q
    for q in (
        Queue(
            "mine",
            "My incidents",
            "due_at",
            lambda ctx: (Incident.assignee == ctx.user) & is_open(),
            "Nothing is assigned to you. Take one from the unassigned queue.",
        ),
        Queue(
            "team",
            "My teams' incidents",
            "due_at",
            lambda ctx: Incident.team.in_(my_team_ids(ctx)) & is_open(),
            "Your teams have no open incidents, or you are in no team.",
        ),
        Queue(
            "unassigned",
            "Unassigned",
            "due_at",
            lambda ctx: Incident.assignee.is_null() & is_open(),
            "Every open incident has someone on it.",
        ),
        Queue(
            "breaching",
            "Breaching soon",
            "due_at",
            lambda ctx: breaching_soon(),
            "No SLA clock is at risk or due within four hours.",
        ),
        Queue("all", "All incidents", "-created_at", lambda ctx: None, "No incidents yet."),
    )
}


def _sla_where(value: str) -> Any:
    now = utcnow()
    overdue = Incident.response_breached | Incident.resolution_breached
    if value == "breached":
        return is_open() & (overdue | (Incident.due_at < now))
    if value == "at_risk":
        return ~overdue & (Incident.warn_at <= now) & (Incident.due_at >= now)
    if value == "on_track":
        return ~overdue & (Incident.warn_at > now)
    if value == "paused":
        return Incident.status == "pending"
    if value == "met":
        return Incident.status.in_(("resolved", "closed")) & ~overdue & Incident.has_target
    return ~Incident.has_target


FLAGS = {
    "major": "Major incidents",
    "child": "Children of a major incident",
    "escalated": "Escalated",
}


def _flag_where(value: str) -> Any:
    if value == "major":
        return Incident.is_major
    if value == "child":
        return Incident.parent.is_null(False)
    return Incident.escalated_at.is_null(False) & is_open()


# --- Filters a report's chart links to (shown as chips, not in the toolbar) ---------------

ANY_OPEN = "open"
NO_SERVICE = "none"
# How old open incidents are: (key, label, at least, under); the backlog report counts these.
AGES = (
    ("day", "Under a day", None, dt.timedelta(days=1)),
    ("3days", "1–3 days", dt.timedelta(days=1), dt.timedelta(days=3)),
    ("week", "3–7 days", dt.timedelta(days=3), dt.timedelta(days=7)),
    ("month", "7–30 days", dt.timedelta(days=7), dt.timedelta(days=30)),
    ("older", "Over 30 days", dt.timedelta(days=30), None),
)


def _status_where(value: str) -> Any:
    return is_open() if value == ANY_OPEN else Incident.status == value


def _service_where(value: str) -> Any:
    return Incident.service.is_null() if value == NO_SERVICE else Incident.service == int(value)


def age_where(value: str, now: dt.datetime | None = None) -> Any:
    """Opened at least the band's lower age ago and less than its upper age ago."""
    now = now or utcnow()
    _, _, least, under = next(age for age in AGES if age[0] == value)
    condition = Incident.created_at <= now - (least or dt.timedelta())
    return condition if under is None else condition & (Incident.created_at > now - under)


def _org_choices(pick: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda request: pick(request.state.ctx.org)


def _teams(org: Any) -> list[tuple[int, str]]:
    return [(t.id, str(t.name)) for t in Team.in_org(org).order_by(Team.tier, Team.name)]


def _services(org: Any) -> list[tuple[int | str, str]]:
    named = [(s.id, str(s.name)) for s in Service.in_org(org).order_by(Service.name)]
    return [*named, (NO_SERVICE, "No service")]


def _rel(row: Incident, name: str) -> Any:
    return row.__rel__.get(name)


def _name(row: Incident, name: str, attr: str = "name") -> str:
    related = _rel(row, name)
    return str(getattr(related, attr, "") or "") if related is not None else ""


def _reporter(row: Incident) -> str:
    person = _rel(row, "reporter")
    return person.full_name if person is not None and person.id else ""


def _with(row: Incident) -> str:
    """Who has it: the person, and the team in brackets."""
    person, team = _name(row, "assignee"), _name(row, "team")
    if person and team:
        return f"{person} ({team})"
    return person or team


def make_table(sort: str, empty: str) -> Table:
    detail = lambda url, i: url("incidents:detail", pk=i.id)  # noqa: E731 - a one-line link
    return Table(
        Incident,
        [
            Column("", accessor=lambda i: i.id, template="incidents/_cell_pick.html", export=False),
            Column(
                "Ref",
                "number",
                accessor=lambda i: i.reference,
                sortable=True,
                link=detail,
                css="incidents-nowrap",
            ),
            Column("Title", "title", template="incidents/_cell_title.html", css="incidents-title"),
            Column(
                "Priority",
                "priority",
                accessor=lambda i: priority_label(i.priority),
                sortable=True,
                template="incidents/_cell_priority.html",
            ),
            Column(
                "Status",
                "status",
                accessor=lambda i: i.status_label,
                template="incidents/_cell_status.html",
            ),
            Column(
                "SLA",
                "due_at",
                accessor=lambda i: i.sla_label(),
                sortable=True,
                template="incidents/_cell_sla.html",
            ),
            Column("Reporter", accessor=_reporter, secondary=True),
            Column("With", accessor=_with, secondary=True),
            Column("Opened", "created_at", sortable=True, secondary=True),
        ],
        search=["title", "reference"],
        search_exact=_reference_search,
        filters=[
            Filter(
                "status",
                "Status",
                [(ANY_OPEN, "Any open status"), *STATUSES.items()],
                where=_status_where,
            ),
            Filter(
                "priority",
                "Priority",
                [(p, priority_label(p)) for p in PRIORITIES],
                where=lambda v: Incident.priority == int(v),
            ),
            Filter("sla", "SLA", list(SLA_STATES.items()), where=_sla_where),
            Filter("team", "Team", _org_choices(_teams), where=lambda v: Incident.team == int(v)),
            Filter(
                "service",
                "Service",
                _org_choices(_services),
                where=_service_where,
            ),
            Filter("channel", "Channel", list(CHANNELS.items())),
            Filter("flag", "Marked", list(FLAGS.items()), where=_flag_where),
            Filter("category", "Category", list(CATEGORIES.items()), toolbar=False),
            Filter(
                "target",
                "SLA",
                [("yes", "Has targets")],
                where=lambda v: Incident.has_target == True,  # noqa: E712 - SQL, not Python
                toolbar=False,
            ),
            Filter(
                "age", "Age", [(k, label) for k, label, *_ in AGES], where=age_where, toolbar=False
            ),
            DateRange("opened", "Opened", "created_at"),
            DateRange("responded", "First response", "responded_at"),
            DateRange("resolved", "Resolved", "resolved_at"),
        ],
        sort=sort,
        filename="incidents",
        empty_message=empty,
        search_label="Reference or title",
        id="incidents",
    )


REFERENCE = re.compile(r"^INC-?0*(\d{1,9})$", re.IGNORECASE)


def _reference_search(q: str) -> Any:
    """A whole reference (INC-000123, inc123) finds that incident by number, not by LIKE."""
    found = REFERENCE.match(q.strip())
    return Incident.number == int(found[1]) if found else None


TABLES = {name: make_table(queue.sort, queue.empty) for name, queue in QUEUES.items()}


def queue_query(ctx: RequestContext, queue: Queue) -> peewee.ModelSelect:
    """The queue's incidents with what each row shows, fetched in the same query."""
    query = (
        Incident.in_org(ctx.org)
        .select_extend(
            Service.id,
            Service.name,
            Person.id,
            Person.first_name,
            Person.last_name,
            Team.id,
            Team.name,
            Assignee.id,
            Assignee.name,
        )
        .join_from(Incident, Service, JOIN.LEFT_OUTER, on=(Incident.service == Service.id))
        .join_from(Incident, Person, JOIN.LEFT_OUTER, on=(Incident.reporter == Person.id))
        .join_from(Incident, Team, JOIN.LEFT_OUTER, on=(Incident.team == Team.id))
        .join_from(Incident, Assignee, JOIN.LEFT_OUTER, on=(Incident.assignee == Assignee.id))
    )
    condition = queue.where(ctx)
    return query if condition is None else query.where(condition)


def counts(ctx: RequestContext) -> dict[str, int]:
    """How many incidents the dashboard's queues hold (each one indexed count)."""
    base = Incident.in_org(ctx.org)
    return {
        "mine": base.where(QUEUES["mine"].where(ctx)).count(),
        "unassigned": base.where(QUEUES["unassigned"].where(ctx)).count(),
        "breaching": base.where(breaching_soon()).count(),
    }
