"""The service desk report: SLA compliance, response and resolution times, backlog, volumes
and reopen rate, for any period, with charts and CSV (the core's report component)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from urllib.parse import urlencode

import peewee
from peewee import fn

from accord import (
    Chart,
    Period,
    ReportFilter,
    ReportTable,
    Request,
    Response,
    Section,
    render_report,
    utcnow,
)
from accord.plugins.catalogue.models import Service

from . import figures, summaries
from .choices import CATEGORIES, CHANNELS, OPEN, priority_label
from .figures import Figures, Resolved
from .models import Incident, Team
from .queues import AGES, ANY_OPEN, NO_SERVICE, age_where

PRIORITIES = (1, 2, 3, 4)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _show_percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _show_minutes(value: float | None) -> str:
    return "—" if value is None else _duration(value)


def _duration(minutes: float) -> str:
    """Wall-clock minutes as a person reads them: 45 min, 3.5 h, 2.1 days."""
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"


class Scope:
    """The incidents a report reads: the organisation's, narrowed by the page's filters."""

    def __init__(self, request: Request) -> None:
        ctx = request.state.ctx
        self.org = ctx.org
        params = request.query_params
        self.services = [
            (str(s.id), s.name)
            for s in Service.in_org(self.org)
            .order_by(Service.name)
            .select(Service.id, Service.name)
        ]
        self.teams = [
            (str(t.id), t.name)
            for t in Team.in_org(self.org).order_by(Team.name).select(Team.id, Team.name)
        ]
        self.service = params.get("service", "")
        self.team = params.get("team", "")
        if self.service not in dict(self.services):
            self.service = ""
        if self.team not in dict(self.teams):
            self.team = ""
        self.list_url = ctx.url("incidents:queue", queue="all")

    def link(self, **params: str | int) -> str:
        """The incidents list showing exactly the incidents a figure counts, in this scope."""
        narrowed = {"service": self.service, "team": self.team, **params}
        return f"{self.list_url}?{urlencode({k: v for k, v in narrowed.items() if v})}"

    def incidents(self) -> peewee.ModelSelect:
        query = Incident.in_org(self.org)
        if self.service:
            query = query.where(Incident.service == int(self.service))
        if self.team:
            query = query.where(Incident.team == int(self.team))
        return query

    def figures(self, period: Period) -> Figures:
        """The period's figures: from the daily summaries once they are built in the
        organisation's time zone, counted live until then."""
        if not summaries.ready(self.org):
            return figures.live(self.incidents(), period)
        return figures.summarised(
            self.org,
            period,
            int(self.service) if self.service else None,
            int(self.team) if self.team else None,
            {int(k) for k, _ in self.services},
        )

    def filters(self) -> list[ReportFilter]:
        return [
            ReportFilter("service", "Service", self.services, self.service, "All services"),
            ReportFilter("team", "Team", self.teams, self.team, "All teams"),
        ]


def sla_section(scope: Scope, period: Period, resolved: Resolved) -> Section:
    """Of the incidents resolved in the period with a target, how many met it."""
    rows = [(s, p, n, r, f) for (s, p, target), (n, r, f, _) in resolved.items() if target]
    names = {int(k): v for k, v in scope.services}
    table, per_service = [], defaultdict(lambda: [0, 0])
    service_of: dict[str, int | None] = {}
    totals = [0, 0, 0]
    for service_id, priority, count, response_met, resolution_met in rows:
        name = names.get(service_id, "No service") if service_id else "No service"
        table.append(
            (
                name,
                priority_label(priority),
                count,
                _percent(int(response_met or 0), count),
                _percent(int(resolution_met or 0), count),
            )
        )
        per_service[name][0] += count
        per_service[name][1] += int(resolution_met or 0)
        service_of[name] = service_id
        totals = [
            totals[0] + count,
            totals[1] + int(response_met or 0),
            totals[2] + int(resolution_met or 0),
        ]
    table.sort(key=lambda row: (row[0], row[1]))
    labels = sorted(per_service)
    return Section(
        "sla",
        "SLA compliance",
        chart=Chart(
            "Resolution target met, by service",
            labels,
            {
                "Resolution target met": [
                    _percent(per_service[n][1], per_service[n][0]) for n in labels
                ]
            },
            kind="hbar",
            unit="%",
            max_value=100,
            value_format=_show_percent,
            height=max(160, 40 * len(labels) + 80),
            links={
                "Resolution target met": [
                    scope.link(
                        service=service_of[n] or NO_SERVICE,
                        target="yes",
                        **period.days_query("resolved"),
                    )
                    for n in labels
                ]
            },
        ),
        table=ReportTable(
            ["Service", "Priority", "Resolved", "Response met", "Resolution met"],
            table,
            formats={3: _show_percent, 4: _show_percent},
        ),
        figures=[
            ("resolved with a target", f"{totals[0]:,}"),
            ("response target met", _show_percent(_percent(totals[1], totals[0]))),
            ("resolution target met", _show_percent(_percent(totals[2], totals[0]))),
        ],
        note="Incidents resolved in the period whose service has targets for their priority.",
    )


def times_section(scope: Scope, period: Period, found: Figures) -> Section:
    """Time to first response and to resolution: mean, median and 90th percentile."""
    rows = [
        (label, times.count, times.mean, times.median, times.p90)
        for label, times in (("First response", found.response), ("Resolution", found.resolution))
    ]
    return Section(
        "times",
        "Time to first response and to resolution",
        chart=Chart(
            "Hours from logging",
            [row[0] for row in rows],
            {
                name: [None if row[i] is None else round(row[i] / 60, 1) for row in rows]
                for name, i in (("Mean", 2), ("Median", 3), ("90th percentile", 4))
            },
            unit="hours",
            links={
                name: [
                    scope.link(**period.days_query("responded")),
                    scope.link(**period.days_query("resolved")),
                ]
                for name in ("Mean", "Median", "90th percentile")
            },
        ),
        table=ReportTable(
            ["Measure", "Incidents", "Mean", "Median", "90th percentile"],
            rows,
            formats={2: _show_minutes, 3: _show_minutes, 4: _show_minutes},
        ),
        note=(
            "Wall-clock time from logging; the SLA clocks count business hours only. "
            "Medians and percentiles are within 2% of the exact time."
        ),
    )


def volume_section(scope: Scope, period: Period, found: Figures) -> Section:
    """Incidents logged and resolved in each day, week or month of the period."""
    logged, resolved = found.logged_by_bucket, found.resolved_by_bucket
    buckets = period.buckets()
    rows = [(label, logged.get(key, 0), resolved.get(key, 0)) for key, label in buckets]
    return Section(
        "volume",
        "Logged and resolved",
        chart=Chart(
            "Incidents logged and resolved",
            [label for _, label in buckets],
            {"Logged": [r[1] for r in rows], "Resolved": [r[2] for r in rows]},
            kind="line" if len(buckets) > 12 else "bar",
            links={
                "Logged": [scope.link(**period.days_query("opened", key)) for key, _ in buckets],
                "Resolved": [
                    scope.link(**period.days_query("resolved", key)) for key, _ in buckets
                ],
            },
        ),
        table=ReportTable([period.granularity.title(), "Logged", "Resolved"], rows),
        figures=[
            ("logged", f"{sum(r[1] for r in rows):,}"),
            ("resolved", f"{sum(r[2] for r in rows):,}"),
        ],
    )


def _counts_by(scope: Scope, period: Period, key: str, rows: dict, names: dict) -> Section:
    ordered = sorted(rows.items(), key=lambda kv: (-kv[1], kv[0]))
    labelled = [(names.get(k, k), n) for k, n in ordered]
    opened = period.days_query("opened")
    title = {"channel": "By channel", "category": "By category"}[key]
    return Section(
        key,
        title,
        chart=Chart(
            f"Incidents logged {title.lower()}",
            [label for label, _ in labelled],
            {"Logged": [n for _, n in labelled]},
            kind="hbar",
            height=max(160, 36 * len(labelled) + 80),
            links={"Logged": [scope.link(**{key: k}, **opened) for k, _ in ordered]},
        ),
        table=ReportTable([key.title(), "Logged"], labelled),
    )


def reopen_section(scope: Scope, resolved: Resolved) -> Section:
    """Of the incidents resolved in the period, how many had been reopened."""
    per_service: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for (service_id, _, _), (count, _, _, reopened) in resolved.items():
        per_service[service_id][0] += count
        per_service[service_id][1] += int(reopened or 0)
    rows = [(sid, n, r) for sid, (n, r) in per_service.items()]
    names = {int(k): v for k, v in scope.services}
    table = sorted(
        (
            (
                names.get(sid, "No service") if sid else "No service",
                n,
                int(r or 0),
                _percent(int(r or 0), n),
            )
            for sid, n, r in rows
        ),
        key=lambda row: row[0],
    )
    total, reopened = sum(r[1] for r in table), sum(r[2] for r in table)
    return Section(
        "reopened",
        "Reopen rate",
        table=ReportTable(
            ["Service", "Resolved", "Reopened", "Reopen rate"], table, formats={3: _show_percent}
        ),
        figures=[
            ("reopened before their last resolution", _show_percent(_percent(reopened, total)))
        ],
    )


def backlog_section(scope: Scope, now: dt.datetime) -> Section:
    """Open incidents now, by age and priority (the period does not apply)."""
    query = scope.incidents().where(Incident.status.in_(OPEN))
    counts: dict[tuple[str, int], int] = defaultdict(int)
    # The bands are the incidents list's age filter, so a segment links to its incidents.
    for key, label, *_ in AGES:
        for priority, n in (
            query.where(age_where(key, now))
            .select(Incident.priority, fn.COUNT(Incident.id))
            .group_by(Incident.priority)
            .tuples()
        ):
            counts[(label, priority)] += n
    bands = [label for _, label, *_ in AGES]
    rows = [(band, *[counts[(band, p)] for p in PRIORITIES]) for band in bands]
    total = sum(sum(r[1:]) for r in rows)
    return Section(
        "backlog",
        "Backlog now, by age",
        chart=Chart(
            "Open incidents by age and priority",
            bands,
            {priority_label(p): [counts[(b, p)] for b in bands] for p in PRIORITIES},
            kind="stacked",
            links={
                priority_label(p): [
                    scope.link(status=ANY_OPEN, age=key, priority=p) for key, *_ in AGES
                ]
                for p in PRIORITIES
            },
        ),
        table=ReportTable(["Age", *[priority_label(p) for p in PRIORITIES]], rows),
        figures=[("open now", f"{total:,}")],
        note="Open incidents today, whatever the period.",
    )


def service_desk(request: Request) -> Response:
    """The service desk report page (and its CSV tables)."""
    scope = Scope(request)

    def build(period: Period) -> list[Section]:
        found = scope.figures(period)
        return [
            sla_section(scope, period, found.resolved),
            times_section(scope, period, found),
            volume_section(scope, period, found),
            _counts_by(scope, period, "channel", found.channels, CHANNELS),
            _counts_by(scope, period, "category", found.categories, CATEGORIES),
            reopen_section(scope, found.resolved),
            backlog_section(scope, utcnow()),
        ]

    return render_report(
        request,
        "Service desk report",
        build,
        filters=scope.filters(),
        intro="SLA compliance, response and resolution times, volumes and the backlog.",
    )
