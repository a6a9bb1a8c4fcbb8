"""Report pages: a period picker, sections of charts and tables, each table as CSV.

A plugin's report view hands ``render_report`` a function that builds the
sections for a period; the component reads and checks the period from the
query string, counts in the organisation's time zone, and answers
``?csv=<section key>`` with that section's table as a CSV file:

    def report(request):
        def build(period: Period) -> list[Section]:
            rows = ...  # with period.where(Incident.created_at), period.bucket_sql(...)
            return [Section("volume", "Incidents logged", chart=Chart(...), table=ReportTable(...))]
        return render_report(request, "Service desk volumes", build)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

import peewee
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..clock import utcnow
from ..db import database
from ..templating import render
from .charts import Chart
from .export import csv_value

Granularity = Literal["day", "week", "month"]

PRESETS: dict[str, str] = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "12m": "Last 12 months",
    "ytd": "This year so far",
    "custom": "Between dates…",
}
MAX_DAYS = 3 * 366 + 1  # a period longer than three years is refused: the charts say nothing


@dataclass(frozen=True)
class Period:
    """The days ``start`` to ``end`` (both included) in ``zone``."""

    start: dt.date
    end: dt.date
    zone: ZoneInfo
    preset: str = "custom"

    @classmethod
    def preset_for(cls, preset: str, zone: ZoneInfo, today: dt.date) -> Period:
        if preset == "7d":
            return cls(today - dt.timedelta(days=6), today, zone, preset)
        if preset == "90d":
            return cls(today - dt.timedelta(days=89), today, zone, preset)
        if preset == "12m":
            # The twelve whole months before this one, and this month so far: whole months
            # compare bucket by bucket, and in December it still differs from "this year".
            return cls(today.replace(year=today.year - 1, day=1), today, zone, preset)
        if preset == "ytd":
            return cls(today.replace(month=1, day=1), today, zone, preset)
        return cls(today - dt.timedelta(days=29), today, zone, "30d")

    @classmethod
    def from_params(
        cls,
        params: Mapping[str, str],
        zone: ZoneInfo,
        *,
        default: str = "30d",
        today: dt.date | None = None,
    ) -> tuple[Period, dict[str, str]]:
        """The period the query string asks for, and what is wrong with it (field → message).

        With errors, the default period comes back too, so the page can still render.
        """
        today = today or utcnow().replace(tzinfo=dt.UTC).astimezone(zone).date()
        preset = params.get("period") or default
        fallback = cls.preset_for(default, zone, today)
        if preset not in PRESETS:
            return fallback, {"period": "Choose one of the periods."}
        if preset != "custom":
            return cls.preset_for(preset, zone, today), {}
        errors: dict[str, str] = {}
        dates: dict[str, dt.date] = {}
        for name, label in (("from", "first"), ("to", "last")):
            raw = (params.get(name) or "").strip()
            try:
                dates[name] = dt.date.fromisoformat(raw)
            except ValueError:
                errors[name] = f"Enter the {label} day as a date, like {today:%Y-%m-%d}."
        if errors:
            return fallback, errors
        start, end = dates["from"], dates["to"]
        if start > end:
            return fallback, {"to": "The last day must not be before the first."}
        if (end - start).days + 1 > MAX_DAYS:
            return fallback, {"to": "Choose a period of at most three years."}
        return cls(start, end, zone, "custom"), {}

    # --- Instants ---------------------------------------------------------------------

    def _utc(self, day: dt.date) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(), tzinfo=self.zone)
        return local.astimezone(dt.UTC).replace(tzinfo=None)

    @property
    def start_utc(self) -> dt.datetime:
        """The first instant of the period, as the naive UTC the database stores."""
        return self._utc(self.start)

    @property
    def end_utc(self) -> dt.datetime:
        """The instant just after the period (exclusive), naive UTC."""
        return self._utc(self.end + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def where(self, column: peewee.Field) -> peewee.Expression:
        """``column`` (a naive UTC datetime) falls within the period."""
        return (column >= self.start_utc) & (column < self.end_utc)

    @property
    def label(self) -> str:
        if self.start.year == self.end.year:
            return f"{self.start:%-d %b} – {self.end:%-d %b %Y}"
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"

    def query(self) -> dict[str, str]:
        values = {"period": self.preset}
        if self.preset == "custom":
            values.update({"from": self.start.isoformat(), "to": self.end.isoformat()})
        return values

    # --- Buckets for time series --------------------------------------------------------

    @property
    def granularity(self) -> Granularity:
        if self.days <= 62:
            return "day"
        if self.days <= 190:
            return "week"
        return "month"

    def buckets(self) -> list[tuple[str, str]]:
        """Every bucket of the period in order, as (key, label); keys match ``bucket_sql``."""
        out: list[tuple[str, str]] = []
        if self.granularity == "day":
            day = self.start
            while day <= self.end:
                out.append((day.isoformat(), f"{day:%-d %b}"))
                day += dt.timedelta(days=1)
        elif self.granularity == "week":
            monday = self.start - dt.timedelta(days=self.start.weekday())
            while monday <= self.end:
                out.append((monday.isoformat(), f"w/c {monday:%-d %b}"))
                monday += dt.timedelta(days=7)
        else:
            month = self.start.replace(day=1)
            while month <= self.end:
                out.append((f"{month:%Y-%m}", f"{month:%b %Y}"))
                month = (month + dt.timedelta(days=32)).replace(day=1)
        return out

    def bucket_days(self, key: str) -> tuple[dt.date, dt.date]:
        """The first and last day of bucket ``key`` that lie in the period (a week or a
        month may start before it or end after it)."""
        if self.granularity == "day":
            first = last = dt.date.fromisoformat(key)
        elif self.granularity == "week":
            first = dt.date.fromisoformat(key)
            last = first + dt.timedelta(days=6)
        else:
            first = dt.date.fromisoformat(f"{key}-01")
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return max(first, self.start), min(last, self.end)

    def days_query(self, name: str, key: str | None = None) -> dict[str, str]:
        """Query parameters of a list's ``DateRange`` called ``name``: the whole period,
        or only bucket ``key`` of it, so a chart links to exactly the rows it counts."""
        first, last = (self.start, self.end) if key is None else self.bucket_days(key)
        return {f"{name}_from": first.isoformat(), f"{name}_to": last.isoformat()}

    def bucket_of(self, moment: dt.datetime) -> str:
        """The key of the bucket a naive UTC ``moment`` falls in."""
        day = moment.replace(tzinfo=dt.UTC).astimezone(self.zone).date()
        if self.granularity == "day":
            return day.isoformat()
        if self.granularity == "week":
            return (day - dt.timedelta(days=day.weekday())).isoformat()
        return f"{day:%Y-%m}"

    def _shifts(self) -> list[tuple[dt.datetime | None, int]]:
        """The zone's UTC offset in minutes over the period: (until this UTC instant, offset).

        The last entry's instant is None (to the end). A daylight-saving change adds one.
        """

        def offset(moment: dt.datetime) -> int:
            aware = moment.replace(tzinfo=dt.UTC).astimezone(self.zone)
            return int(aware.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]

        shifts: list[tuple[dt.datetime | None, int]] = []
        hour = dt.timedelta(hours=1)
        moment, current = self.start_utc, offset(self.start_utc)
        while moment < self.end_utc:
            following = moment + dt.timedelta(days=1)
            if offset(following) != current:  # a change this day: find its hour
                while offset(moment + hour) == current:
                    moment += hour
                shifts.append((moment + hour, current))
                moment, current = moment + hour, offset(moment + hour)
                continue
            moment = following
        return [*shifts, (None, current)]

    def bucket_sql(self, column: peewee.Field) -> peewee.Node:
        """A SQL expression giving the bucket key of ``column``, for GROUP BY."""
        if not isinstance(database.obj, peewee.SqliteDatabase):
            # timezone(zone, ts) is AT TIME ZONE: naive UTC → an instant → local wall time.
            local = peewee.fn.timezone(self.zone.key, peewee.fn.timezone("UTC", column))
            if self.granularity == "day":
                return peewee.fn.to_char(local, "YYYY-MM-DD").coerce(False)
            if self.granularity == "week":
                return peewee.fn.to_char(peewee.fn.date_trunc("week", local), "YYYY-MM-DD").coerce(
                    False
                )
            return peewee.fn.to_char(local, "YYYY-MM").coerce(False)
        # SQLite knows no time zones: the shift in force at each instant, from the zone's rules.
        shifts = self._shifts()
        if len(shifts) == 1:
            shift: peewee.Node = peewee.Value(f"{shifts[0][1]:+d} minutes")
        else:
            shift = peewee.Case(
                None,
                [(column < until, f"{minutes:+d} minutes") for until, minutes in shifts[:-1]],
                f"{shifts[-1][1]:+d} minutes",
            )
        if self.granularity == "day":
            return peewee.fn.strftime("%Y-%m-%d", column, shift).coerce(False)
        if self.granularity == "week":
            return peewee.fn.date(column, shift, "-6 days", "weekday 1").coerce(False)
        return peewee.fn.strftime("%Y-%m", column, shift).coerce(False)


def minutes_between(start: peewee.Node, end: peewee.Node) -> peewee.Node:
    """SQL for the minutes from ``start`` to ``end`` (two naive UTC datetime columns)."""
    if isinstance(database.obj, peewee.SqliteDatabase):
        return (peewee.fn.julianday(end) - peewee.fn.julianday(start)) * 1440
    return peewee.fn.date_part("epoch", end - start) / 60


def percentiles(
    query: peewee.SelectQuery, value: peewee.Node, points: Sequence[float]
) -> list[float | None]:
    """The ``points`` (0–1) percentiles of ``value`` over ``query``'s rows, nearest rank.

    One statement, one sort in the database, one row back however many rows.
    PostgreSQL has it built in (``percentile_disc``, which is the nearest rank);
    elsewhere each row is numbered in order of ``value`` beside the count of all
    rows, and a point's value is the smallest whose number reaches ``point ×
    count`` (the rank ``ceil(point × count)``).
    """
    if not points:
        return []
    if not isinstance(database.obj, peewee.SqliteDatabase):
        fractions = peewee.Value([float(point) for point in points], unpack=False)
        pick = peewee.NodeList(
            (
                peewee.fn.percentile_disc(fractions),
                peewee.SQL("WITHIN GROUP"),
                peewee.NodeList((peewee.SQL("ORDER BY"), value), parens=True),
            )
        )
        found = query.select(pick).order_by().scalar()
        return [None for _ in points] if found is None else list(found)
    ranked = query.select(
        value.alias("v"),
        peewee.fn.ROW_NUMBER().over(order_by=[value]).alias("n"),
        peewee.fn.COUNT(peewee.SQL("*")).over().alias("total"),
    ).alias("ranked")
    n, v, total = ranked.c.n, ranked.c.v, ranked.c.total
    picks = [
        peewee.fn.MIN(peewee.Case(None, [(n >= total * float(point), v)], None)) for point in points
    ]
    return list(peewee.Select([ranked], picks).bind(database).tuples().get())


# --- Sections ----------------------------------------------------------------------------


@dataclass
class ReportTable:
    """Figures as rows under ``columns``; values are shown with ``str`` unless formatted."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    formats: Mapping[int, Callable[[Any], str]] = field(default_factory=dict)

    def display_rows(self) -> list[list[str]]:
        return [
            [self.formats.get(i, _display)(value) for i, value in enumerate(row)]
            for row in self.rows
        ]


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@dataclass
class Section:
    """One part of a report: a chart, its table (downloadable as CSV), a sentence."""

    key: str
    title: str
    chart: Chart | None = None
    table: ReportTable | None = None
    note: str = ""
    figures: Sequence[tuple[str, str]] = ()  # headline numbers: (label, value)


@dataclass
class ReportFilter:
    """A select beside the period (a service, a team …); the view reads its value itself."""

    name: str
    label: str
    choices: Sequence[tuple[str, str]]
    value: str = ""
    empty_label: str = "All"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


def section_csv(title: str, period: Period, section: Section) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    assert section.table is not None
    writer.writerow(section.table.columns)
    writer.writerows([csv_value(value) for value in row] for row in section.table.rows)
    name = f"{_slug(title)}-{section.key}-{period.start}-{period.end}.csv"
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def render_report(
    request: Request,
    title: str,
    build: Callable[[Period], Sequence[Section]],
    *,
    default: str = "30d",
    filters: Sequence[ReportFilter] = (),
    intro: str = "",
    context: Mapping[str, Any] | None = None,
) -> Response:
    """A report page for the period in the query string (422 with the input kept if bad)."""
    ctx = request.state.ctx
    params = request.query_params
    period, errors = Period.from_params(params, ctx.org.zone, default=default)
    sections = [] if errors else list(build(period))
    wanted = params.get("csv")
    if wanted and not errors:
        for section in sections:
            if section.key == wanted and section.table is not None:
                return section_csv(title, period, section)
        raise HTTPException(404, "This report has no such table.")
    values = {"period": params.get("period") or default}
    if errors or values["period"] == "custom":
        values.update({k: params.get(k, "") for k in ("from", "to")})  # as typed
    else:  # the preset's own days, so switching to "Between dates…" starts from them
        values.update({"from": period.start.isoformat(), "to": period.end.isoformat()})
    query = {**period.query(), **{f.name: f.value for f in filters if f.value}}
    return render(
        request,
        "components/report.html",
        {
            "title": title,
            "intro": intro,
            "period": period,
            "presets": PRESETS,
            "values": values,
            "errors": errors,
            "filters": filters,
            "sections": sections,
            "csv_query": query,
            **(context or {}),
        },
        status_code=422 if errors else 200,
    )
