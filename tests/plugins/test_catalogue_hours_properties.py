"""Properties of the business-hours engine, checked with hypothesis.

Instants are drawn over 2024–2026 (every DST change in London and New York)
at minute resolution, in every example calendar: office hours with public
holidays and closures, a split day, and windows on the very hours the clocks
skip or repeat.
"""

from __future__ import annotations

import datetime as dt

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402 - after the skip
from hypothesis import strategies as st  # noqa: E402

from accord.plugins.catalogue.hours import BusinessHours  # noqa: E402
from accord.plugins.catalogue.testing import example_calendars  # noqa: E402

START = dt.datetime(2024, 1, 1)
SPAN_MINUTES = 3 * 366 * 24 * 60
ENGINES = {name: BusinessHours(spec) for name, spec in example_calendars().items()}

calendars = st.sampled_from(sorted(ENGINES))
instants = st.integers(0, SPAN_MINUTES).map(lambda m: START + dt.timedelta(minutes=m))
business_minutes = st.integers(0, 20 * 24 * 60)
# Sweeps over the weeks around each DST change, where bugs would hide.
CHANGES = [
    dt.datetime(y, m, d)
    for y in (2024, 2025, 2026)
    for m, d in ((3, 8), (3, 28), (10, 25), (11, 1))
]
near_changes = st.builds(
    lambda at, offset: at + dt.timedelta(minutes=offset),
    st.sampled_from(CHANGES),
    st.integers(-3 * 24 * 60, 6 * 24 * 60),
)
moments = st.one_of(instants, near_changes)

checks = settings(max_examples=300, deadline=None)


@checks
@given(calendars, moments, moments)
def test_adding_the_business_time_between_lands_at_or_before_the_end(name, a, b):
    hours = ENGINES[name]
    start, end = min(a, b), max(a, b)
    assert hours.add(start, hours.minutes_between(start, end)) <= end


@checks
@given(calendars, moments, moments, moments)
def test_business_time_is_additive_over_a_split_point(name, a, b, c):
    hours = ENGINES[name]
    a, b, c = sorted((a, b, c))
    assert hours.business_time(a, c) == hours.business_time(a, b) + hours.business_time(b, c)


@checks
@given(calendars, moments, business_minutes, business_minutes)
def test_adding_more_never_ends_earlier(name, start, m1, m2):
    hours = ENGINES[name]
    assert hours.add(start, min(m1, m2)) <= hours.add(start, max(m1, m2))


@checks
@given(calendars, moments, moments, business_minutes)
def test_starting_later_never_ends_earlier(name, a, b, minutes):
    hours = ENGINES[name]
    assert hours.add(min(a, b), minutes) <= hours.add(max(a, b), minutes)


@checks
@given(calendars, moments, business_minutes.filter(bool))
def test_a_due_time_is_never_inside_closed_time(name, start, minutes):
    hours = ENGINES[name]
    due = hours.add(start, minutes)
    # The instant just before a due time is business time: due ends an open stretch.
    assert hours.is_open(due - dt.timedelta(microseconds=1))


@checks
@given(calendars, moments, business_minutes)
def test_the_business_time_up_to_a_due_time_is_what_was_added(name, start, minutes):
    hours = ENGINES[name]
    assert hours.minutes_between(start, hours.add(start, minutes)) == minutes


@checks
@given(calendars, moments, moments)
def test_intervals_cover_the_span_and_add_up_to_the_business_time(name, a, b):
    hours = ENGINES[name]
    start, end = min(a, b), max(a, b)
    stretches = hours.intervals(start, end)
    if start == end:
        assert stretches == []
        return
    assert stretches[0].start == start and stretches[-1].end == end
    assert all(x.end == y.start for x, y in zip(stretches, stretches[1:], strict=False))
    assert all(s.start < s.end for s in stretches)
    counted = sum((s.duration for s in stretches if s.counted), dt.timedelta())
    assert counted == hours.business_time(start, end)
