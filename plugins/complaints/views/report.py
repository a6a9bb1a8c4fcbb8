"""The report: complaints by service and cause, acknowledgement against target, and volume
over time, for any period, with charts and CSV (the core's report component)."""

from __future__ import annotations

from peewee import fn

from accord import Chart, Period, ReportTable, Request, Response, Section, render_report

from ..choices import CAUSES
from ..models import Complaint
from ..report import acknowledgement, by_service_and_cause


def _percent(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def service_and_cause(org, period: Period) -> Section:
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
        ),
        table=ReportTable(["Service", *[label for _, label in grid.causes], "Total"], rows),
        figures=[("complaints received", f"{grid.total:,}")],
    )


def causes(org, period: Period) -> Section:
    counted = dict(
        Complaint.in_org(org, Complaint.cause, fn.COUNT(Complaint.id))
        .where(period.where(Complaint.received_at))
        .group_by(Complaint.cause)
        .tuples()
    )
    rows = sorted(((CAUSES.get(k, k), n) for k, n in counted.items()), key=lambda r: -r[1])
    return Section(
        "causes",
        "By cause",
        chart=Chart(
            "Complaints by cause",
            [r[0] for r in rows],
            {"Complaints": [r[1] for r in rows]},
            kind="hbar",
            height=max(160, 34 * len(rows) + 80),
        ),
        table=ReportTable(["Cause", "Complaints"], rows),
    )


def acknowledged(org, period: Period) -> Section:
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
        ),
        table=ReportTable(["Acknowledged", "Complaints"], rows),
        figures=[("acknowledged on time, of those due", _percent(ack.on_time_percent))],
    )


def over_time(org, period: Period) -> Section:
    bucket = period.bucket_sql(Complaint.received_at)
    counted = dict(
        Complaint.in_org(org, bucket, fn.COUNT(Complaint.id))
        .where(period.where(Complaint.received_at))
        .group_by(bucket)
        .tuples()
    )
    rows = [(label, counted.get(key, 0)) for key, label in period.buckets()]
    return Section(
        "received",
        "Received over time",
        chart=Chart(
            "Complaints received",
            [r[0] for r in rows],
            {"Received": [r[1] for r in rows]},
            kind="line" if len(rows) > 12 else "bar",
        ),
        table=ReportTable([period.granularity.title(), "Received"], rows),
    )


def report(request: Request) -> Response:
    org = request.state.ctx.org

    def build(period: Period) -> list[Section]:
        return [
            service_and_cause(org, period),
            causes(org, period),
            acknowledged(org, period),
            over_time(org, period),
        ]

    return render_report(
        request,
        "Complaints report",
        build,
        default="90d",
        intro="Complaints received by service and cause, how they were acknowledged, and when.",
    )
