"""The answers reporters gave: the list a results chart's bar or point links to."""

from __future__ import annotations

from typing import Any

from peewee import JOIN

from accord import Column, DateRange, Filter, Request, Response, Table, User, render_table
from accord.plugins.catalogue.models import Service
from accord.plugins.incidents.models import Incident, Team

from ..models import Survey

NONE = "none"
Agent = User.alias("agent")


def _choices(rows: list[tuple[int, str]], nobody: str) -> list[tuple[int | str, str]]:
    return [*rows, (NONE, nobody)]


def _services(request: Request) -> list[tuple[int | str, str]]:
    org = request.state.ctx.org
    rows = Service.in_org(org, Service.id, Service.name).order_by(Service.name).tuples()
    return _choices(list(rows), "No service")


def _teams(request: Request) -> list[tuple[int | str, str]]:
    rows = Team.in_org(request.state.ctx.org, Team.id, Team.name).order_by(Team.name).tuples()
    return _choices(list(rows), "No team")


def _agents(request: Request) -> list[tuple[int | str, str]]:
    agents = Survey.in_org(request.state.ctx.org, Survey.agent).where(Survey.agent.is_null(False))
    rows = User.select(User.id, User.name).where(User.id.in_(agents)).order_by(User.name)
    return _choices(list(rows.tuples()), "Nobody")


def _is(column: Any) -> Any:
    return lambda v: column.is_null() if v == NONE else column == int(v)


def _name(row: Survey, attr: str) -> str:
    related = getattr(row, attr, None)
    return str(related.name) if related is not None and related.id else ""


answers_table = Table(
    Survey,
    [
        Column("Answered", "answered_at", sortable=True),
        Column("Score", "score", sortable=True, css="num"),
        Column(
            "Incident",
            accessor=lambda s: s.incident_row.reference,
            link=lambda url, s: url("incidents:detail", pk=s.incident_id),
            css="nowrap",
        ),
        Column("Service", accessor=lambda s: _name(s, "service_row")),
        Column("Team", accessor=lambda s: _name(s, "team_row"), secondary=True),
        Column("Agent", accessor=lambda s: _name(s, "agent_row"), secondary=True),
        Column("Comment", "comment", secondary=True),
    ],
    search=["comment"],
    filters=[
        Filter(
            "score",
            "Score",
            [(n, str(n)) for n in range(1, 6)],
            where=lambda v: Survey.score == int(v),
        ),
        Filter("service", "Service", _services, where=_is(Survey.service_id)),
        Filter("team", "Team", _teams, where=_is(Survey.team_id)),
        Filter("agent", "Agent", _agents, where=_is(Survey.agent)),
        DateRange("answered", "Answered", "answered_at"),
    ],
    sort="-answered_at",
    filename="satisfaction-answers",
    empty_message="No answers yet.",
    search_label="Words in comments",
    id="answers",
)


def answer_list(request: Request) -> Response:
    org = request.state.ctx.org
    query = (
        Survey.in_org(org)
        .where(Survey.score.is_null(False))  # as the results count them
        .select_extend(Incident.id, Incident.reference, Service.id, Service.name)
        .select_extend(Team.id, Team.name, Agent.id, Agent.name)
        .join_from(Survey, Incident, on=(Survey.incident == Incident.id), attr="incident_row")
        .join_from(
            Survey,
            Service,
            JOIN.LEFT_OUTER,
            on=(Survey.service_id == Service.id),
            attr="service_row",
        )
        .join_from(Survey, Team, JOIN.LEFT_OUTER, on=(Survey.team_id == Team.id), attr="team_row")
        .join_from(Survey, Agent, JOIN.LEFT_OUTER, on=(Survey.agent == Agent.id), attr="agent_row")
    )
    return render_table(
        request,
        answers_table,
        query,
        context={
            "title": "Satisfaction answers",
            "intro": "Scores from 1 to 5 reporters gave after their incident was resolved.",
        },
    )
