"""Average scores and answer counts per service, team, agent and month, over a period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import Case, fn

from accord import Organisation, Period, User
from accord.plugins.catalogue.models import Service
from accord.plugins.incidents.models import Team

from .models import Survey

GROUPS = {"month": "Period", "service": "Service", "team": "Team", "agent": "Agent"}
COLUMNS = {
    "service": Survey.service_id,
    "team": Survey.team_id,
    "agent": Survey.agent,
    "month": Survey.month,
}


@dataclass(frozen=True)
class Line:
    label: str
    responses: int
    average: float
    low: int  # answers at or below the low score
    key: Any = None  # the group's value: a bucket key, or an id (None: no service, team …)


def _names(group: str, keys: list) -> dict:
    ids = [k for k in keys if k]
    if not ids:
        return {}
    if group == "service":
        return {
            s.id: str(s.name)
            for s in Service.select(Service.id, Service.name).where(Service.id.in_(ids))
        }
    if group == "team":
        return {t.id: str(t.name) for t in Team.select(Team.id, Team.name).where(Team.id.in_(ids))}
    if group == "agent":
        return {u.id: str(u.name) for u in User.select(User.id, User.name).where(User.id.in_(ids))}
    return {}


def lines(org: Organisation, group: str, period: Period, low_score: int) -> list[Line]:
    """One line per ``group`` value of the scores answered in ``period``."""
    column = period.bucket_sql(Survey.answered_at) if group == "month" else COLUMNS[group]
    rows = list(
        Survey.in_org(
            org,
            column,
            fn.COUNT(Survey.id),
            fn.AVG(Survey.score),
            fn.SUM(Case(None, [((Survey.score <= low_score), 1)], 0)),
        )
        .where(period.where(Survey.answered_at) & Survey.score.is_null(False))
        .group_by(column)
        .tuples()
    )
    names = _names(group, [r[0] for r in rows])
    if group == "month":  # the period's buckets, days to months by its length
        names = dict(period.buckets())
    none = {"service": "(no service)", "team": "(no team)", "agent": "(nobody)"}.get(group, "")
    found = [
        Line(
            names.get(key, str(key)) if key else none,
            int(count),
            round(float(average), 2),
            int(low or 0),
            key,
        )
        for key, count, average, low in rows
    ]
    if group == "month":
        order = {label: i for i, (_, label) in enumerate(period.buckets())}
        return sorted(found, key=lambda line: order.get(line.label, len(order)))
    return sorted(found, key=lambda line: (-line.responses, line.label))


def overall(org: Organisation, period: Period) -> tuple[int, float | None]:
    count, average = (
        Survey.in_org(org, fn.COUNT(Survey.id), fn.AVG(Survey.score))
        .where(period.where(Survey.answered_at) & Survey.score.is_null(False))
        .tuples()
        .get()
    )
    return int(count), (round(float(average), 2) if average is not None else None)
