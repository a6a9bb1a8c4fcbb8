"""The report: complaints by service and cause, acknowledgement against target, and volume
over time, for any period, with charts and CSV (the core's report component)."""

from __future__ import annotations

from urllib.parse import urlencode

from peewee import fn

from accord import Chart, Period, ReportTable, Request, Response, Section, render_report

from ..choices import CAUSES
from ..models import Complaint
from ..report import acknowledgement, by_service_and_cause
from ..tables import NO_SERVICE


class Links:
    """The complaints list showing exactly the complaints a figure counts."""

    def __init__(self, request: Request, period: Period) -> None:
        self.base = request.state.ctx.url("complaints:index")
        self.period = period

    def __call__(self, bucket: str | None = None, **params: str | int) -> str:
        query = {**self.period.days_query("received", bucket), **params}
        return f"{self.base}?{urlencode(query)}"


def _percent(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def service_and_cause(org, period: Period, link: Links) -> Section:
    grid = by_service_and_cause(org, period)
    names = [name for _, name in grid.services]
    rows = [
        (name, *[grid.count(sid, cause) for cause, _ in grid.causes], grid.row_total(sid))
        for sid, name in grid.services
    ]
    if rows:
        rows.append(("Total", *[grid.column_total(c) for c, _ in grid.causes], grid.total))
    return Section(
        "services",
        "By service and cause",
        chart=Chart(
            "Complaints by service, stacked by cause",
            names,
            {
                label: [grid.count(sid, cause) for sid, _ in grid.services]
                for cause, label in grid.causes
            },
            kind="stacked",
            links={
                label: [link(service=sid or NO_SERVICE, cause=cause) for sid, _ in grid.services]
                for cause, label in grid.causes
            },
        ),
        table=ReportTable(["Service", *[label for _, label in grid.causes], "Total"], rows),
        figures=[("complaints received", f"{grid.total:,}")],
    )


def causes(org, period: Period, link: Links) -> Section:
    counted = dict(
        Complaint.in_org(org, Complaint.cause, fn.COUNT(Complaint.id))
        .where(period.where(Complaint.received_at))
        .group_by(Complaint.cause)
        .tuples()
    )
    keys = sorted(counted, key=lambda k: -counted[k])
    rows = [(CAUSES.get(k, k), counted[k]) for k in keys]
    return Section(
        "causes",
        "By cause",
        chart=Chart(
            "Complaints by cause",
            [r[0] for r in rows],
            {"Complaints": [r[1] for r in rows]},
            kind="hbar",
            height=max(160, 34 * len(rows) + 80),
            links={"Complaints": [link(cause=k) for k in keys]},
        ),
        table=ReportTable(["Cause", "Complaints"], rows),
    )


def acknowledged(org, period: Period, link: Links) -> Section:
    ack = acknowledgement(org, period)
    rows = [
        ("On time", ack.on_time),
        ("Late", ack.late),
        ("Overdue, not acknowledged", ack.overdue),
        ("Not acknowledged, still in time", ack.waiting),
    ]
    return Section(
        "acknowledgement",
        "Acknowledgement against the target",
        chart=Chart(
            "Complaints by acknowledgement",
            [r[0] for r in rows],
            {"Complaints": [r[1] for r in rows]},
            links={
                "Complaints": [
                    link(acknowledgement=state)
                    for state in ("on_time", "late", "overdue", "waiting")
                ]
            },
        ),
        table=ReportTable(["Acknowledged", "Complaints"], rows),
        figures=[("acknowledged on time, of those due", _percent(ack.on_time_percent))],
    )


def over_time(org, period: Period, link: Links) -> Section:
    bucket = period.bucket_sql(Complaint.received_at)
    counted = dict(
        Complaint.in_org(org, bucket, fn.COUNT(Complaint.id))
        .where(period.where(Complaint.received_at))
        .group_by(bucket)
        .tuples()
    )
    buckets = period.buckets()
    rows = [(label, counted.get(key, 0)) for key, label in buckets]
    return Section(
        "received",
        "Received over time",
        chart=Chart(
            "Complaints received",
            [r[0] for r in rows],
            {"Received": [r[1] for r in rows]},
            kind="line" if len(rows) > 12 else "bar",
            links={"Received": [link(key) for key, _ in buckets]},
        ),
        table=ReportTable([period.granularity.title(), "Received"], rows),
    )


def report(request: Request) -> Response:
    org = request.state.ctx.org

    def build(period: Period) -> list[Section]:
        link = Links(request, period)
        return [
            service_and_cause(org, period, link),
            causes(org, period, link),
            acknowledged(org, period, link),
            over_time(org, period, link),
        ]

    return render_report(
        request,
        "Complaints report",
        build,
        default="90d",
        intro="Complaints received by service and cause, how they were acknowledged, and when.",
    )
