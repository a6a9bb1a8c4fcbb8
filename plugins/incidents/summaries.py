"""Daily summaries of incidents, so a report of any period reads days, not incidents.

Each incident adds a few facts to the day they happened on, in the
organisation's time zone: "logged" (its channel and category) on the day it
was logged, "response" (how long it took, as a histogram bucket and the exact
milliseconds) on the day of its first response, "resolved" (its service,
priority, whether targets were met, whether it was reopened) and "resolution"
on the day it was resolved. ``SummarySource`` keeps what each incident added,
so a change takes exactly that away and adds what it adds now: a reopen, a new
priority, service or team moves its counts between keys, whatever the change.

Every row is also added to the rows of all services and teams, and to its
month's rows, so a twelve-month report without filters reads twelve months and
a few days of a few hundred rows each; a filtered one reads its service's or
team's rows (one per fact and kind, most days).

The summaries change in the transaction of the incident's change (``refresh``,
called by ``sla.recompute``, which every change to an incident ends with):
a report never shows a figure that disagrees with the incidents, and nothing
is lost if a worker is down. The cost is a read and one upsert per change.
Counts are added (``tally = tally + n``), never rewritten, so concurrent
changes to different incidents do not overwrite each other; ``rebuild`` takes
the organisation's ``SummaryState`` row for update, and ``refresh`` shares it,
so a rebuild never interleaves with changes on PostgreSQL (SQLite has a single
writer anyway).

``rebuild`` recomputes an organisation's summaries from its incidents: after a
bulk load (``bench/incidents.py``), when the organisation's time zone changed
(its days are other days: until rebuilt, reports count live; the hourly
``incidents.build_summaries`` task builds those of organisations that have
none or changed zone) and as a safety net (``accord incidents
rebuild-summaries``). It writes in one transaction: on SQLite that holds the
write lock for its length (about a millisecond per incident).

Medians and percentiles are read from the histogram: buckets 4% wide (a value
is at most 2% from its bucket's middle), so they are exact to the bucket.
Counts and means are exact.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import peewee

from accord import Organisation, database, utcnow

from .models import DailySummary, Incident, SummarySource, SummaryState

ALL = -1
NONE = 0
DAY, MONTH = "day", "month"
RATIO = 1.04  # histogram buckets: each 4% wider than the one before


# --- Histogram buckets ----------------------------------------------------------------


def bucket_of(milliseconds: float) -> int:
    """The histogram bucket of a duration: 0 under a second, then 4% wide buckets."""
    seconds = milliseconds / 1000
    if seconds < 1:
        return 0
    return 1 + math.floor(math.log(seconds) / math.log(RATIO))


def bucket_minutes(bucket: int) -> float:
    """The middle of a bucket (geometric), in minutes: what a percentile in it shows."""
    if bucket <= 0:
        return 0.5 / 60
    return RATIO ** (bucket - 0.5) / 60


# --- What one incident adds -------------------------------------------------------------


def _key(value: int | None) -> int:
    return NONE if value is None else int(value)


def _local_day(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    quarter = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return moment.date() + _day_shift(quarter, zone)


@functools.lru_cache(maxsize=65536)
def _day_shift(quarter: dt.datetime, zone: ZoneInfo) -> dt.timedelta:
    """Days between a UTC quarter hour's date and its date in ``zone`` (-1, 0 or 1): every
    zone's offsets and changes fall on quarter hours, and a rebuild meets each one often."""
    return quarter.replace(tzinfo=dt.UTC).astimezone(zone).date() - quarter.date()


def _milliseconds(start: dt.datetime, end: dt.datetime) -> int:
    return round((end - start).total_seconds() * 1000)


SOURCE_FIELDS = (
    Incident.id,
    Incident.service,
    Incident.team,
    Incident.created_at,
    Incident.channel,
    Incident.category,
    Incident.priority,
    Incident.responded_at,
    Incident.resolved_at,
    Incident.has_target,
    Incident.response_breached,
    Incident.resolution_breached,
    Incident.reopen_count,
)


def source_of(row: tuple, org_id: int, zone: ZoneInfo) -> dict:
    """What an incident (a tuple of ``SOURCE_FIELDS``) adds, as a ``SummarySource`` row."""
    (
        incident_id,
        service,
        team,
        created,
        channel,
        category,
        priority,
        responded,
        resolved,
        has_target,
        response_breached,
        resolution_breached,
        reopen_count,
    ) = row
    source = {
        "incident": incident_id,
        "org": org_id,
        "service": _key(service),
        "team": _key(team),
        "logged_day": _local_day(created, zone),
        "logged_value": f"{channel}|{category}",
        "responded_day": None,
        "response_bucket": None,
        "response_ms": None,
        "resolved_day": None,
        "resolved_value": "",
        "resolution_bucket": None,
        "resolution_ms": None,
    }
    if responded is not None:
        ms = _milliseconds(created, responded)
        source.update(
            responded_day=_local_day(responded, zone), response_bucket=bucket_of(ms), response_ms=ms
        )
    if resolved is not None:
        ms = _milliseconds(created, resolved)
        flags = (has_target, not response_breached, not resolution_breached, reopen_count > 0)
        source.update(
            resolved_day=_local_day(resolved, zone),
            resolved_value="|".join(str(x) for x in (_key(service), priority, *map(int, flags))),
            resolution_bucket=bucket_of(ms),
            resolution_ms=ms,
        )
    return source


SOURCE_KEYS = (
    "incident",
    "org",
    "service",
    "team",
    "logged_day",
    "logged_value",
    "responded_day",
    "response_bucket",
    "response_ms",
    "resolved_day",
    "resolved_value",
    "resolution_bucket",
    "resolution_ms",
)
SOURCE_COLUMNS = tuple(
    f"{name}_id" if name in ("incident", "org") else name for name in SOURCE_KEYS
)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def facts(source: dict) -> Iterator[tuple[dt.date, str, str, int]]:
    """The facts a source adds: (day, fact, value, milliseconds)."""
    yield source["logged_day"], "logged", source["logged_value"], 0
    if source["responded_day"] is not None:
        yield (
            source["responded_day"],
            "response",
            str(source["response_bucket"]),
            int(source["response_ms"]),
        )
    if source["resolved_day"] is not None:
        yield source["resolved_day"], "resolved", source["resolved_value"], 0
        yield (
            source["resolved_day"],
            "resolution",
            str(source["resolution_bucket"]),
            int(source["resolution_ms"]),
        )


def _add(
    tallies: Counter, totals: Counter, source: dict, sign: int, *, rollups: bool = True
) -> None:
    """Add (or with ``sign`` -1 take away) a source's facts to its service and team's day,
    and with ``rollups`` to the all-services-and-teams rows and to both their months."""
    keys = [(source["service"], source["team"])]
    if rollups:
        keys.append((ALL, ALL))
    for day, fact, value, ms in facts(source):
        grains = ((DAY, day), (MONTH, day.replace(day=1))) if rollups else ((DAY, day),)
        for grain, when in grains:
            for service, team in keys:
                key = (grain, when, service, team, fact, value)
                tallies[key] += sign
                totals[key] += sign * ms


COLUMNS = ("org_id", "grain", "day", "service", "team", "fact", "value", "tally", "total_ms")
UNIQUE = "org_id, grain, service, day, team, fact, value"


def _upsert(org_id: int, tallies: Counter, totals: Counter) -> None:
    """Add the counts to their rows, creating those missing, in a few statements.

    Written with the driver's own batch call: building the statement row by row
    in peewee cost more than the database's work (a rebuild is millions of rows).
    """
    rows = [
        (org_id, grain, day.isoformat(), service, team, fact, value, tally, totals[key])
        for key, tally in tallies.items()
        if tally or totals[key]
        for grain, day, service, team, fact, value in [key]
    ]
    if rows:
        _write(DailySummary._meta.table_name, COLUMNS, rows, add_to=UNIQUE)


def _write(table: str, columns: tuple[str, ...], rows: list[tuple], *, add_to: str = "") -> None:
    """Insert ``rows``; with ``add_to`` (the unique columns), add the counts to rows that
    exist."""
    names = ", ".join(columns)
    conflict = (
        f" ON CONFLICT ({add_to}) DO UPDATE SET tally = {table}.tally + excluded.tally,"
        f" total_ms = {table}.total_ms + excluded.total_ms"
        if add_to
        else ""
    )
    cursor = database.cursor()
    if _is_sqlite():
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}){conflict}", rows)
    else:
        from psycopg2.extras import execute_values

        execute_values(
            cursor, f"INSERT INTO {table} ({names}) VALUES %s{conflict}", rows, page_size=2000
        )


# --- Keeping them --------------------------------------------------------------------------


def _is_sqlite() -> bool:
    return isinstance(database.obj, peewee.SqliteDatabase)


def _state(org: Organisation, *, share: bool) -> SummaryState | None:
    query = SummaryState.select().where(SummaryState.org == org.id)
    if not _is_sqlite():
        query = query.for_update("FOR SHARE" if share else "FOR UPDATE")
    return query.first()


def ready(org: Organisation) -> bool:
    """The summaries were built in the organisation's time zone: reports may read them."""
    state = SummaryState.get_or_none(SummaryState.org == org.id)
    return state is not None and state.zone == org.time_zone


def refresh(incident_id: int, org: Organisation) -> None:
    """Move what an incident adds to the summaries to what it adds now (in its transaction).

    Does nothing while the organisation's summaries are not built in its time
    zone: the rebuild that makes them ready counts the incident as it is then.
    """
    state = _state(org, share=True)
    if state is None or state.zone != org.time_zone:
        return
    zone = ZoneInfo(org.time_zone)
    tallies: Counter = Counter()
    totals: Counter = Counter()
    old = SummarySource.select().where(SummarySource.incident == incident_id).dicts().first()
    if old is not None:
        _add(tallies, totals, old, -1)
    row = Incident.select(*SOURCE_FIELDS).where(Incident.id == incident_id).tuples().first()
    new = source_of(row, org.id, zone) if row is not None else None
    if new is not None:
        _add(tallies, totals, new, +1)
    _upsert(org.id, tallies, totals)
    if new is None:
        SummarySource.delete().where(SummarySource.incident == incident_id).execute()
    elif old is None:
        SummarySource.insert(new).execute()
    else:
        SummarySource.update(new).where(SummarySource.incident == incident_id).execute()


def forget(incident: Incident) -> None:
    """Take an incident about to be deleted out of the summaries (call before deleting)."""
    org = Organisation.get_by_id(incident.org_id)
    state = _state(org, share=True)
    if state is None or state.zone != org.time_zone:
        return
    old = SummarySource.select().where(SummarySource.incident == incident.id).dicts().first()
    if old is not None:
        tallies: Counter = Counter()
        totals: Counter = Counter()
        _add(tallies, totals, old, -1)
        _upsert(org.id, tallies, totals)
        SummarySource.delete().where(SummarySource.incident == incident.id).execute()


@dataclass
class Rebuilt:
    incidents: int
    rows: int
    seconds: float


def rebuild(org: Organisation) -> Rebuilt:
    """Recompute an organisation's summaries from its incidents, in its time zone now.

    Each incident's day rows are counted here, as ``refresh`` counts them; the
    rows of all services and teams, and the months, are their sums, added by
    the database.
    """
    started = utcnow()
    zone = ZoneInfo(org.time_zone)
    with database.atomic():
        SummaryState.insert(org=org.id, zone=org.time_zone).on_conflict_ignore().execute()
        _state(org, share=False)  # waits for changes under way, holds new ones back
        DailySummary.delete().where(DailySummary.org == org.id).execute()
        SummarySource.delete().where(SummarySource.org == org.id).execute()
        count = 0
        for chunk in _incident_chunks(org, 20_000):
            tallies: Counter = Counter()
            totals: Counter = Counter()
            sources = [source_of(row, org.id, zone) for row in chunk]
            for source in sources:
                _add(tallies, totals, source, +1, rollups=False)
            _write(
                SummarySource._meta.table_name,
                SOURCE_COLUMNS,
                [tuple(_plain(source[name]) for name in SOURCE_KEYS) for source in sources],
            )
            _upsert(org.id, tallies, totals)
            count += len(sources)
        _add_rollups(org)
        SummaryState.update(zone=org.time_zone, built_at=utcnow()).where(
            SummaryState.org == org.id
        ).execute()
        rows = DailySummary.select().where(DailySummary.org == org.id).count()
    return Rebuilt(count, rows, (utcnow() - started).total_seconds())


def _add_rollups(org: Organisation) -> None:
    table = DailySummary._meta.table_name
    columns = "org_id, grain, day, service, team, fact, value, tally, total_ms"
    param = database.param
    database.execute_sql(
        f"INSERT INTO {table} ({columns}) SELECT org_id, {param}, day, {param}, {param},"
        " fact, value, SUM(tally), SUM(total_ms)"
        f" FROM {table} WHERE org_id = {param} AND grain = {param}"
        " GROUP BY org_id, day, fact, value",
        (DAY, ALL, ALL, org.id, DAY),
    )
    if _is_sqlite():
        month = "date(day, 'start of month')"
    else:
        month = "CAST(date_trunc('month', day) AS date)"
    database.execute_sql(
        f"INSERT INTO {table} ({columns}) SELECT org_id, {param}, {month}, service, team,"
        " fact, value, SUM(tally), SUM(total_ms)"
        f" FROM {table} WHERE org_id = {param} AND grain = {param}"
        f" GROUP BY org_id, {month}, service, team, fact, value",
        (MONTH, org.id, DAY),
    )


def _incident_chunks(org: Organisation, size: int) -> Iterator[list[tuple]]:
    """The organisation's incidents in chunks, by id: no cursor held while writing."""
    last = 0
    while True:
        chunk = list(
            Incident.select(*SOURCE_FIELDS)
            .where((Incident.org == org.id) & (Incident.id > last))
            .order_by(Incident.id)
            .limit(size)
            .tuples()
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]
