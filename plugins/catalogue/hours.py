"""Business hours: working time between instants, and due times, in a calendar's time zone.

Pure functions over a ``CalendarSpec`` (no database), the foundation of SLA
clocks::

    spec = CalendarSpec(
        timezone="Europe/London",
        week=parse_week(["08:00-18:00"] * 5 + ["", ""]),
        country="GB",
        subdivision="ENG",
        closures=(Closure(date(2025, 12, 29), date(2025, 12, 31), "Christmas shutdown"),),
    )
    hours = BusinessHours(spec)
    due = hours.add(logged_at, 240)                 # 4 business hours later
    spent = hours.minutes_between(logged_at, now)   # business minutes so far
    for stretch in hours.intervals(logged_at, now):  # why: what counted and what did not
        print(stretch.start, stretch.end, stretch.counted, stretch.reason)

Instants are naive UTC datetimes (as Accord stores them); aware ones are
converted. Working hours are wall-clock times in the calendar's zone, so a
09:00 start stays 09:00 across daylight-saving changes. A wall time that does
not exist (the hour skipped in spring) means the moment the clocks jump; one
that happens twice (autumn) means its first occurrence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .public_holidays import public_holidays, supported_countries

# The text form of working hours; re-exported, as a calendar is built from it.
from .windows import (
    MINUTES_PER_DAY,
    Week,
    Window,
    check_windows,
    format_minute,
    format_windows,
    parse_week,
    parse_windows,
)

UTC = dt.UTC
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HORIZON_DAYS = 366 * 10  # how far add() looks for business time before giving up

# Stretch kinds: what a stretch of time was, for the clock ledger.
OPEN = "open"
OUTSIDE_HOURS = "outside_hours"
WEEKEND = "weekend"
NON_WORKING_DAY = "non_working_day"
HOLIDAY = "holiday"
CLOSURE = "closure"

__all__ = [
    "MINUTES_PER_DAY",
    "BusinessHours",
    "CalendarSpec",
    "Closure",
    "DayPlan",
    "NoBusinessHours",
    "Stretch",
    "Week",
    "Window",
    "check_timezone",
    "format_minute",
    "format_windows",
    "parse_week",
    "parse_windows",
    "public_holidays",
    "supported_countries",
]


class NoBusinessHours(ValueError):
    """The calendar never opens (or not within ``HORIZON_DAYS``), so no due time exists."""


@dataclass(frozen=True)
class Closure:
    """Whole days the organisation is closed, ``starts_on`` to ``ends_on`` inclusive."""

    starts_on: dt.date
    ends_on: dt.date
    reason: str

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class CalendarSpec:
    """What a business calendar says: its zone, weekly hours, holidays and closures."""

    timezone: str = "UTC"
    week: Week = ((),) * 7
    country: str = ""
    subdivision: str = ""
    closures: tuple[Closure, ...] = ()

    def __post_init__(self) -> None:
        check_timezone(self.timezone)
        if len(self.week) != 7:
            raise ValueError("a week has seven days, Monday first")
        for windows in self.week:
            check_windows(windows)


@dataclass(frozen=True)
class DayPlan:
    """One local day: its working windows, or why it is closed."""

    day: dt.date
    windows: tuple[Window, ...]
    kind: str
    reason: str

    @property
    def is_open(self) -> bool:
        return self.kind == OPEN

    @property
    def minutes(self) -> int:
        return sum(end - start for start, end in self.windows)


@dataclass(frozen=True)
class Stretch:
    """A stretch of time from ``start`` to ``end`` (naive UTC) that counted or not, and why."""

    start: dt.datetime
    end: dt.datetime
    kind: str
    reason: str

    @property
    def counted(self) -> bool:
        return self.kind == OPEN

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


# --- Zones -------------------------------------------------------------------------------------


def check_timezone(name: str) -> ZoneInfo:
    """The zone called ``name`` (an IANA name like ``Europe/London``), or ``ValueError``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone name like Europe/London") from None


# --- The engine --------------------------------------------------------------------------------


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _as_duration(minutes: float | int | dt.timedelta) -> dt.timedelta:
    return minutes if isinstance(minutes, dt.timedelta) else dt.timedelta(minutes=minutes)


class BusinessHours:
    """Business time in one calendar: due times, elapsed business minutes, and why."""

    def __init__(self, spec: CalendarSpec) -> None:
        if not any(spec.week):
            raise NoBusinessHours("the calendar has no working hours on any day")
        self.spec = spec
        self.zone = check_timezone(spec.timezone)
        self._days: dict[dt.date, list[Stretch]] = {}

    @classmethod
    def always(cls) -> BusinessHours:
        """Every minute counts: 24 hours a day, 7 days a week, no holidays."""
        return cls(CalendarSpec(week=(((0, MINUTES_PER_DAY),),) * 7))

    # Days ------------------------------------------------------------------------------------

    def day(self, day: dt.date) -> DayPlan:
        """Whether ``day`` (a local date) is open, its windows, and why not when it is closed."""
        spec = self.spec
        for closure in spec.closures:
            if closure.covers(day):
                return DayPlan(day, (), CLOSURE, f"closure: {closure.reason}")
        holiday = public_holidays(spec.country, spec.subdivision, day.year).get(day)
        if holiday:
            return DayPlan(day, (), HOLIDAY, f"public holiday: {holiday}")
        windows = spec.week[day.weekday()]
        if windows:
            return DayPlan(day, windows, OPEN, "business hours")
        if day.weekday() >= 5:
            return DayPlan(day, (), WEEKEND, "weekend")
        return DayPlan(day, (), NON_WORKING_DAY, f"no working hours on {WEEKDAYS[day.weekday()]}")

    def local(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` (naive UTC) as an aware datetime in the calendar's zone."""
        return _naive_utc(moment).replace(tzinfo=UTC).astimezone(self.zone)

    def instant(self, day: dt.date, minute: int) -> dt.datetime:
        """The UTC instant (naive) when the wall clock shows ``minute`` past midnight of ``day``.

        Monotonic in ``(day, minute)``: a skipped wall time maps to the moment of the jump.
        """
        wall = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
        first = wall.replace(tzinfo=self.zone)  # fold=0: the earlier reading when ambiguous
        moment = first.astimezone(UTC)
        if moment.astimezone(self.zone).replace(tzinfo=None) != wall:
            moment = self._jump(wall)
        return moment.replace(tzinfo=None)

    def _jump(self, wall: dt.datetime) -> dt.datetime:
        # ``wall`` falls in a gap: find the transition between its two readings, to the second.
        low = int(wall.replace(tzinfo=self.zone, fold=1).astimezone(UTC).timestamp())
        high = int(wall.replace(tzinfo=self.zone, fold=0).astimezone(UTC).timestamp())
        before = dt.datetime.fromtimestamp(low, UTC).astimezone(self.zone).utcoffset()
        while high - low > 1:
            middle = (low + high) // 2
            offset = dt.datetime.fromtimestamp(middle, UTC).astimezone(self.zone).utcoffset()
            low, high = (middle, high) if offset == before else (low, middle)
        return dt.datetime.fromtimestamp(high, UTC)

    def stretches_of(self, day: dt.date) -> list[Stretch]:
        """``day`` from local midnight to local midnight, as stretches that count or not."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        plan = self.day(day)
        start, end = self.instant(day, 0), self.instant(day, MINUTES_PER_DAY)
        found: list[Stretch] = []
        cursor = start
        for first, last in plan.windows:
            opens, closes = self.instant(day, first), self.instant(day, last)
            if opens > cursor:
                found.append(Stretch(cursor, opens, OUTSIDE_HOURS, "outside hours"))
            if closes > opens:
                found.append(Stretch(opens, closes, OPEN, "business hours"))
            cursor = max(cursor, closes)
        if end > cursor:
            kind, reason = (
                (OUTSIDE_HOURS, "outside hours") if plan.is_open else (plan.kind, plan.reason)
            )
            found.append(Stretch(cursor, end, kind, reason))
        self._days[day] = found
        return found

    def _from(self, start: dt.datetime) -> Iterator[Stretch]:
        """Every stretch from ``start`` on, the first one cut at ``start``."""
        day = self.local(start).date() - dt.timedelta(days=1)
        for _ in range(HORIZON_DAYS):
            for stretch in self.stretches_of(day):
                if stretch.end <= start:
                    continue
                if stretch.start < start:
                    stretch = Stretch(start, stretch.end, stretch.kind, stretch.reason)
                yield stretch
            day += dt.timedelta(days=1)
        raise NoBusinessHours(f"no business hours within {HORIZON_DAYS} days")

    # Questions -------------------------------------------------------------------------------

    def intervals(self, start: dt.datetime, end: dt.datetime) -> list[Stretch]:
        """``start`` to ``end`` as stretches that counted or not, each with its reason.

        Neighbouring stretches with the same reason are joined, so a weekend
        reads as one stretch from Friday's closing to Monday's opening.
        """
        start, end = _naive_utc(start), _naive_utc(end)
        found: list[Stretch] = []
        if end <= start:
            return found
        for stretch in self._from(start):
            if stretch.start >= end:
                break
            piece = Stretch(stretch.start, min(stretch.end, end), stretch.kind, stretch.reason)
            last = found[-1] if found else None
            if last and (last.kind, last.reason) == (piece.kind, piece.reason):
                found[-1] = Stretch(last.start, piece.end, last.kind, last.reason)
            else:
                found.append(piece)
        return found

    def business_time(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Business time from ``start`` to ``end``, exactly; negative when ``end`` is earlier."""
        if _naive_utc(end) < _naive_utc(start):
            return -self.business_time(end, start)
        counted = (s.duration for s in self.intervals(start, end) if s.counted)
        return sum(counted, dt.timedelta())

    def minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Business minutes from ``start`` to ``end`` (negative when ``end`` is earlier)."""
        return self.business_time(start, end) / dt.timedelta(minutes=1)

    def add(self, start: dt.datetime, minutes: float | int | dt.timedelta) -> dt.datetime:
        """The instant (naive UTC) ``minutes`` business minutes after ``start``.

        The result ends a stretch of business time: it is never inside closed
        time, though it may be the very minute the calendar closes. Adding
        nothing returns ``start`` itself, open or not.
        """
        start = _naive_utc(start)
        remaining = _as_duration(minutes)
        if remaining < dt.timedelta():
            raise ValueError("cannot add negative business time")
        if not remaining:
            return start
        for stretch in self._from(start):
            if not stretch.counted:
                continue
            if remaining <= stretch.duration:
                return stretch.start + remaining
            remaining -= stretch.duration
        raise AssertionError("unreachable: _from() ends by raising")  # pragma: no cover

    def is_open(self, moment: dt.datetime) -> bool:
        """Whether business time is running at ``moment``."""
        return next(self._from(_naive_utc(moment))).counted

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` when open, else the next instant business time starts."""
        return next(s.start for s in self._from(_naive_utc(moment)) if s.counted)
