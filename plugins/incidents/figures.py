"""The service desk report's figures for a period, counted live or read from the summaries.

Both give the same ``Figures`` (``summaries.py`` says how exact): the report
reads the summaries once they are built in the organisation's time zone, and
counts live until then; the tests compare the two on random incidents.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import peewee
from peewee import fn

from accord import Period, database
from accord.components.report import minutes_between, percentiles

from . import summaries
from .models import DailySummary, Incident

POINTS = (0.5, 0.9)  # the median and the 90th percentile

# (service id or None, priority, has a target): [resolved, response met, resolution met,
# reopened] of the incidents resolved in the period.
Resolved = dict[tuple[int | None, int, bool], list[int]]


@dataclass
class Times:
    """Minutes from logging to a moment, over the incidents that reached it in the period."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None


@dataclass
class Figures:
    resolved: Resolved = field(default_factory=dict)
    response: Times = field(default_factory=Times)
    resolution: Times = field(default_factory=Times)
    logged_by_bucket: dict[str, int] = field(default_factory=dict)  # period.buckets() keys
    resolved_by_bucket: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)


# --- Live: from the incidents ---------------------------------------------------------------


def _ones(condition: peewee.Expression) -> peewee.Node:
    return fn.SUM(peewee.Case(None, [(condition, 1)], 0))


def live(incidents: peewee.ModelSelect, period: Period) -> Figures:
    """The figures counted from ``incidents`` (the report's scope): reads every incident of
    the period."""
    figures = Figures()
    for service, priority, target, *counts in (
        incidents.where(period.where(Incident.resolved_at))
        .select(
            Incident.service,
            Incident.priority,
            Incident.has_target,
            fn.COUNT(Incident.id),
            _ones(Incident.response_breached == False),  # noqa: E712
            _ones(Incident.resolution_breached == False),  # noqa: E712
            _ones(Incident.reopen_count > 0),
        )
        .group_by(Incident.service, Incident.priority, Incident.has_target)
        .tuples()
    ):
        figures.resolved[(service, int(priority), bool(target))] = [int(n or 0) for n in counts]
    for name, moment in (("response", Incident.responded_at), ("resolution", Incident.resolved_at)):
        query = incidents.where(period.where(moment))
        minutes = minutes_between(Incident.created_at, moment)
        count, mean = query.select(fn.COUNT(Incident.id), fn.AVG(minutes)).tuples().get()
        median, p90 = percentiles(query, minutes, POINTS)
        times = Times(int(count), _float(mean), _float(median), _float(p90))
        setattr(figures, name, times)
    for name, moment in (
        ("logged_by_bucket", Incident.created_at),
        ("resolved_by_bucket", Incident.resolved_at),
    ):
        bucket = period.bucket_sql(moment)
        rows = (
            incidents.where(period.where(moment))
            .select(bucket, fn.COUNT(Incident.id))
            .group_by(bucket)
            .tuples()
        )
        setattr(figures, name, {key: int(n) for key, n in rows})
    for name, column in (("channels", Incident.channel), ("categories", Incident.category)):
        rows = (
            incidents.where(period.where(Incident.created_at))
            .select(column, fn.COUNT(Incident.id))
            .group_by(column)
            .tuples()
        )
        setattr(figures, name, {key: int(n) for key, n in rows})
    return figures


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


# --- From the summaries ----------------------------------------------------------------------


def summarised(
    org: Any, period: Period, service: int | None, team: int | None, services: set[int]
) -> Figures:
    """The figures read from the daily summaries of ``period``: whole months from the month
    rows when the report counts by month, other days from the day rows.

    ``services`` are the organisation's services now: an incident whose service was
    deleted since is counted as having none, as it is live.
    """
    where = (
        (DailySummary.org == org.id)
        & _scope_where(service, team)
        & _days_where(period)
        & (DailySummary.tally != 0)
    )
    # The database adds the rows up: the period's facts, and the days of the two the
    # volume chart draws.
    totals = (
        DailySummary.select(
            DailySummary.fact,
            DailySummary.value,
            fn.SUM(DailySummary.tally),
            fn.SUM(DailySummary.total_ms),
        )
        .where(where)
        .group_by(DailySummary.fact, DailySummary.value)
    )
    days = (
        DailySummary.select(
            DailySummary.grain, DailySummary.day, DailySummary.fact, fn.SUM(DailySummary.tally)
        )
        .where(where & DailySummary.fact.in_(("logged", "resolved")))
        .group_by(DailySummary.grain, DailySummary.day, DailySummary.fact)
    )
    figures = Figures()
    by_bucket = {"logged": Counter(), "resolved": Counter()}
    for grain, day, fact, tally in database.execute(days).fetchall():
        if isinstance(day, str):  # SQLite hands back the text it stores
            day = dt.date.fromisoformat(day)
        by_bucket[fact][_bucket_key(period, day, grain)] += int(tally)
    channels: Counter = Counter()
    categories: Counter = Counter()
    histograms: dict[str, Counter] = {"response": Counter(), "resolution": Counter()}
    milliseconds: Counter = Counter()
    resolved: Resolved = defaultdict(lambda: [0, 0, 0, 0])
    for fact, value, tally, total_ms in database.execute(totals).fetchall():
        tally = int(tally)
        if fact == "logged":
            channel, category = value.split("|", 1)
            channels[channel] += tally
            categories[category] += tally
        elif fact == "resolved":
            service_id, priority, target, response_met, resolution_met, reopened = map(
                int, value.split("|")
            )
            key = (service_id if service_id in services else None, priority, bool(target))
            counts = resolved[key]
            counts[0] += tally
            counts[1] += tally * response_met
            counts[2] += tally * resolution_met
            counts[3] += tally * reopened
        else:  # "response" or "resolution": a histogram bucket
            histograms[fact][int(value)] += tally
            milliseconds[fact] += int(total_ms)
    logged, resolved_by = by_bucket["logged"], by_bucket["resolved"]
    figures.resolved = {k: v for k, v in resolved.items() if v[0]}
    figures.logged_by_bucket = {k: n for k, n in logged.items() if n}
    figures.resolved_by_bucket = {k: n for k, n in resolved_by.items() if n}
    figures.channels = {k: n for k, n in channels.items() if n}
    figures.categories = {k: n for k, n in categories.items() if n}
    for name, histogram in histograms.items():
        setattr(figures, name, _times(histogram, milliseconds[name]))
    return figures


def _scope_where(service: int | None, team: int | None) -> peewee.Expression:
    if service is None and team is None:
        return (DailySummary.service == summaries.ALL) & (DailySummary.team == summaries.ALL)
    where = DailySummary.service != summaries.ALL
    if service is not None:
        where &= DailySummary.service == service
    if team is not None:
        where &= DailySummary.team == team
    return where


def _days_where(period: Period) -> peewee.Expression:
    """The period as day rows, and as month rows for its whole months when it counts by
    month."""

    def days(first: dt.date, last: dt.date) -> peewee.Expression:
        return (
            (DailySummary.grain == summaries.DAY)
            & (DailySummary.day >= first)
            & (DailySummary.day <= last)
        )

    if period.granularity != "month":
        return days(period.start, period.end)
    first_month = period.start if period.start.day == 1 else _next_month(period.start)
    after = period.end + dt.timedelta(days=1)
    end_month = after if after.day == 1 else after.replace(day=1)  # after the whole months
    if first_month >= end_month:
        return days(period.start, period.end)
    where = (
        (DailySummary.grain == summaries.MONTH)
        & (DailySummary.day >= first_month)
        & (DailySummary.day < end_month)
    )
    if period.start < first_month:
        where |= days(period.start, first_month - dt.timedelta(days=1))
    if end_month <= period.end:
        where |= days(end_month, period.end)
    return where


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _bucket_key(period: Period, day: dt.date, grain: str) -> str:
    """The key of ``period.buckets()`` a day (or a month row) counts in."""
    if grain == summaries.MONTH or period.granularity == "month":
        return f"{day:%Y-%m}"
    if period.granularity == "week":
        return (day - dt.timedelta(days=day.weekday())).isoformat()
    return day.isoformat()


def _times(histogram: Counter, total_ms: int) -> Times:
    """Count, exact mean, and nearest-rank median and 90th percentile to the bucket."""
    count = sum(histogram.values())
    if not count:
        return Times()
    picks: list[float | None] = []
    for point in POINTS:
        seen = 0
        for bucket in sorted(histogram):
            seen += histogram[bucket]
            if seen >= count * point:  # the nearest rank, as percentiles() counts it
                picks.append(summaries.bucket_minutes(bucket))
                break
    return Times(count, total_ms / count / 60_000, *picks)
