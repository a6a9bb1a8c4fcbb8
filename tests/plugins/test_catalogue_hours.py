"""The business-hours engine: due times, business minutes and why, across holidays and DST.

Worked examples first; then the engine's properties checked on a seeded sample
of instants for every example calendar (``test_catalogue_hours_properties.py``
checks the same properties with hypothesis, where it is installed).
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from accord.plugins.catalogue.hours import (
    BusinessHours,
    CalendarSpec,
    Closure,
    NoBusinessHours,
    format_windows,
    parse_week,
    parse_windows,
)
from accord.plugins.catalogue.testing import example_calendars

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MINUTE = dt.timedelta(minutes=1)


def utc(year, month, day, hour=0, minute=0, zone=LONDON):
    """A wall-clock time in ``zone`` as the naive UTC instant the engine works in."""
    local = dt.datetime(year, month, day, hour, minute, tzinfo=zone)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def office(**fields) -> BusinessHours:
    values = dict(
        timezone="Europe/London",
        week=parse_week(["08:00-18:00"] * 5 + ["", ""]),
        country="GB",
        subdivision="ENG",
    )
    values.update(fields)
    return BusinessHours(CalendarSpec(**values))


# --- Reading hours -----------------------------------------------------------------------------


def test_hours_are_read_with_a_split_day():
    assert parse_windows("08:00-12:00, 13:00-17:30") == ((480, 720), (780, 1050))


def test_hours_may_run_to_midnight():
    assert parse_windows("22:00-24:00") == ((1320, 1440),)


def test_hours_read_back_as_written():
    assert format_windows(parse_windows("8-12,13:00 – 17:30")) == "08:00-12:00, 13:00-17:30"


@pytest.mark.parametrize(
    "text", ["08:00-13:00, 12:00-18:00", "18:00-08:00", "8 till late", "25:00-26:00"]
)
def test_overlapping_backwards_or_unreadable_hours_are_refused(text):
    with pytest.raises(ValueError):
        parse_windows(text)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValueError):
        CalendarSpec(timezone="Mars/Olympus_Mons")


def test_a_calendar_that_never_opens_has_no_business_hours():
    with pytest.raises(NoBusinessHours):
        BusinessHours(CalendarSpec())


# --- Adding business time ----------------------------------------------------------------------


def test_adding_within_the_day():
    assert office().add(utc(2025, 6, 3, 9), 120) == utc(2025, 6, 3, 11)


def test_adding_carries_over_the_night():
    assert office().add(utc(2025, 6, 3, 17), 120) == utc(2025, 6, 4, 9)


def test_adding_skips_the_weekend():
    assert office().add(utc(2025, 6, 6, 17, 30), 60) == utc(2025, 6, 9, 8, 30)


def test_adding_skips_public_holidays():
    # Thursday 17:00 before Easter 2025: Good Friday and Easter Monday are closed.
    assert office().add(utc(2025, 4, 17, 17), 120) == utc(2025, 4, 22, 9)


def test_adding_skips_closures():
    hours = office(closures=(Closure(dt.date(2025, 6, 4), dt.date(2025, 6, 5), "Office move"),))
    assert hours.add(utc(2025, 6, 3, 17), 120) == utc(2025, 6, 6, 9)


def test_adding_from_outside_hours_starts_at_the_next_opening():
    assert office().add(utc(2025, 6, 3, 6), 30) == utc(2025, 6, 3, 8, 30)


def test_the_last_minute_of_the_day_ends_at_closing_time():
    assert office().add(utc(2025, 6, 3, 17), 60) == utc(2025, 6, 3, 18)


def test_adding_nothing_returns_the_start_itself():
    saturday = utc(2025, 6, 7, 12)
    assert office().add(saturday, 0) == saturday


def test_adding_negative_time_is_refused():
    with pytest.raises(ValueError):
        office().add(utc(2025, 6, 3, 9), -1)


def test_aware_instants_are_accepted():
    start = dt.datetime(2025, 6, 3, 9, tzinfo=LONDON)
    assert office().add(start, 60) == utc(2025, 6, 3, 10)


# --- Business minutes and why ------------------------------------------------------------------


def test_minutes_between_count_only_business_time():
    assert office().minutes_between(utc(2025, 6, 6, 17), utc(2025, 6, 9, 9)) == 120


def test_minutes_between_are_negative_backwards():
    assert office().minutes_between(utc(2025, 6, 3, 10), utc(2025, 6, 3, 9)) == -60


def test_intervals_explain_what_counted_and_why_not():
    hours = office(closures=(Closure(dt.date(2025, 12, 29), dt.date(2025, 12, 31), "Shutdown"),))
    stretches = hours.intervals(utc(2025, 12, 24, 17), utc(2026, 1, 2, 9))
    assert [(s.counted, s.reason) for s in stretches] == [
        (True, "business hours"),
        (False, "outside hours"),
        (False, "public holiday: Christmas Day"),
        (False, "public holiday: Boxing Day"),
        (False, "weekend"),
        (False, "closure: Shutdown"),
        (False, "public holiday: New Year's Day"),
        (False, "outside hours"),
        (True, "business hours"),
    ]
    assert stretches[0].start == utc(2025, 12, 24, 17)
    assert stretches[-1].end == utc(2026, 1, 2, 9)


def test_a_weekday_without_hours_says_so():
    hours = office(week=parse_week(["08:00-18:00", "", "08:00-18:00", "", "", "", ""]))
    reasons = {s.reason for s in hours.intervals(utc(2025, 6, 3, 0), utc(2025, 6, 4, 0))}
    assert reasons == {"no working hours on Tuesday"}


def test_is_open_and_next_opening():
    hours = office()
    assert hours.is_open(utc(2025, 6, 3, 9))
    assert not hours.is_open(utc(2025, 6, 7, 9))
    assert hours.next_opening(utc(2025, 6, 7, 9)) == utc(2025, 6, 9, 8)


# --- Daylight saving ---------------------------------------------------------------------------


def test_london_hours_follow_the_wall_clock_into_summer_time():
    # Friday 17:00 GMT + 2 business hours: Monday 09:00 BST, which is 08:00 UTC.
    due = office().add(utc(2025, 3, 28, 17), 120)
    assert due == dt.datetime(2025, 3, 31, 8)


def test_new_york_hours_follow_the_wall_clock_out_of_summer_time():
    hours = BusinessHours(
        CalendarSpec(timezone="America/New_York", week=parse_week(["09:00-17:00"] * 5 + ["", ""]))
    )
    start = utc(2025, 10, 31, 16, zone=NEW_YORK)  # Friday 16:00 EDT
    assert hours.add(start, 120) == utc(2025, 11, 3, 10, zone=NEW_YORK)  # Monday 10:00 EST
    assert hours.add(start, 120) == dt.datetime(2025, 11, 3, 15)


def test_a_day_that_loses_an_hour_has_23_hours_around_the_clock():
    hours = BusinessHours(example_calendars()["around the clock"])
    assert hours.minutes_between(utc(2025, 3, 30), utc(2025, 3, 31)) == 23 * 60


def test_a_day_that_repeats_an_hour_has_25_hours_around_the_clock():
    hours = BusinessHours(example_calendars()["around the clock"])
    assert hours.minutes_between(utc(2025, 10, 26), utc(2025, 10, 27)) == 25 * 60


def test_hours_in_the_skipped_hour_start_when_the_clocks_jump():
    hours = BusinessHours(CalendarSpec(timezone="Europe/London", week=(((60, 120),),) * 7))
    # 01:00–02:00 never happens on 30 March 2025 in London: nothing counts that day.
    assert hours.minutes_between(utc(2025, 3, 30), utc(2025, 3, 31)) == 0
    assert hours.instant(dt.date(2025, 3, 30), 90) == dt.datetime(2025, 3, 30, 1)


def test_hours_in_the_repeated_hour_count_from_its_first_occurrence():
    hours = BusinessHours(CalendarSpec(timezone="America/New_York", week=(((60, 180),),) * 7))
    # 01:00 EDT to 03:00 EST on 2 November 2025 is three real hours.
    assert (
        hours.minutes_between(utc(2025, 11, 2, zone=NEW_YORK), utc(2025, 11, 3, zone=NEW_YORK))
        == 180
    )


# --- Properties on a seeded sample -------------------------------------------------------------

SAMPLES = 60
SPAN_START = dt.datetime(2025, 1, 1)
SPAN_MINUTES = 2 * 366 * 24 * 60  # two years, both DST changes each year


def sample(seed: int) -> list[dt.datetime]:
    rng = random.Random(seed)
    return sorted(SPAN_START + rng.randrange(SPAN_MINUTES) * MINUTE for _ in range(3))


CASES = [(name, seed) for name in example_calendars() for seed in range(SAMPLES)]


@pytest.fixture(scope="module")
def engines():
    return {name: BusinessHours(spec) for name, spec in example_calendars().items()}


@pytest.mark.parametrize("name,seed", CASES)
def test_sampled_properties_hold(engines, name, seed):
    hours = engines[name]
    a, b, c = sample(seed)
    # add(start, minutes_between(start, end)) lands at or before end.
    assert hours.add(a, hours.business_time(a, c)) <= c
    # Business time is additive over a split point.
    assert hours.business_time(a, c) == hours.business_time(a, b) + hours.business_time(b, c)
    # add is monotonic in the time added and in the start.
    minutes = random.Random(seed).randrange(1, 5000)
    assert hours.add(a, minutes) <= hours.add(a, minutes + 1) <= hours.add(b, minutes + 1)
    # The result is never inside closed time, and adds back to what was added.
    due = hours.add(a, minutes)
    assert hours.is_open(due - dt.timedelta(microseconds=1))
    assert hours.minutes_between(a, due) == minutes
