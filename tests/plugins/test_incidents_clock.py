"""The SLA clock on known dates: due times, pauses, holidays, priority changes, and the ledger."""

from __future__ import annotations

import datetime as dt

from accord.plugins.catalogue.hours import BusinessHours
from accord.plugins.catalogue.testing import example_calendars
from accord.plugins.incidents.clock import Hold, Marker, Target, run_clock

# Mon–Fri 08:00–18:00 in London with England's holidays. March 2025 is GMT, so local = UTC.
OFFICE = BusinessHours(example_calendars()["london office"])
AROUND_THE_CLOCK = BusinessHours(example_calendars()["around the clock"])
MONDAY_4PM = dt.datetime(2025, 3, 3, 16, 0)
FOUR_HOURS = Target(240, warning_percent=75)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute)


def reasons(clock):
    return [(e.start, e.end, e.counted, e.reason) for e in clock.ledger]


def test_a_target_runs_on_through_the_night_to_the_next_morning():
    clock = run_clock(OFFICE, MONDAY_4PM, FOUR_HOURS, now=MONDAY_4PM)
    assert clock.due == at(4, 10)
    assert clock.warn_at == at(4, 9)


def test_the_ledger_explains_the_due_time_stretch_by_stretch():
    clock = run_clock(OFFICE, MONDAY_4PM, FOUR_HOURS, now=at(3, 17))
    assert reasons(clock) == [
        (at(3, 16), at(3, 17), True, "business hours"),
        (at(3, 17), at(3, 18), True, "business hours"),
        (at(3, 18), at(4, 8), False, "outside hours"),
        (at(4, 8), at(4, 10), True, "business hours"),
        (at(4, 10), at(4, 10), False, "due: the whole target has counted"),
    ]
    assert [e.projected for e in clock.ledger[:-1]] == [False, True, True, True]


def test_pending_time_does_not_count_and_says_why():
    hold = Hold(at(3, 17), at(4, 9), "pending", "pending: awaiting the customer")
    clock = run_clock(OFFICE, MONDAY_4PM, FOUR_HOURS, holds=[hold], now=at(4, 9, 30))
    assert clock.due == at(4, 12)
    assert (at(3, 17), at(4, 9), False, "pending: awaiting the customer") in reasons(clock)
    assert clock.elapsed == dt.timedelta(hours=1, minutes=30)


def test_a_clock_on_hold_has_no_due_time_and_is_paused():
    hold = Hold(at(3, 17), None, "pending", "pending: awaiting a supplier")
    clock = run_clock(OFFICE, MONDAY_4PM, FOUR_HOURS, holds=[hold], now=at(5, 12))
    assert clock.paused and clock.due is None
    assert clock.state(at(5, 12)) == "paused"
    assert clock.remaining == dt.timedelta(hours=3)
    last = clock.ledger[-1]
    assert last.ongoing and last.reason == "pending: awaiting a supplier"


def test_public_holidays_and_the_weekend_are_named_in_the_ledger():
    thursday_4pm_bst = dt.datetime(2025, 4, 17, 15, 0)
    clock = run_clock(OFFICE, thursday_4pm_bst, FOUR_HOURS, now=thursday_4pm_bst)
    assert clock.due == dt.datetime(2025, 4, 22, 9, 0)  # Tuesday 10:00 BST
    not_counted = [e.reason for e in clock.ledger if not e.counted and not e.is_marker]
    assert not_counted == [
        "outside hours",
        "public holiday: Good Friday",
        "weekend",
        "public holiday: Easter Monday",
        "outside hours",
    ]


def test_a_new_priority_keeps_the_time_counted_and_marks_when_it_changed():
    marker = Marker(at(3, 17), "priority_changed", "priority changed from P3 Medium to P2 High")
    clock = run_clock(OFFICE, MONDAY_4PM, Target(120), markers=[marker], now=at(3, 17))
    assert clock.due == at(3, 18)
    assert (at(3, 17), at(3, 17), False, "priority changed from P3 Medium to P2 High") in reasons(
        clock
    )


def test_an_overdue_clock_marks_in_its_ledger_when_it_fell_due():
    clock = run_clock(OFFICE, MONDAY_4PM, FOUR_HOURS, now=at(4, 12))
    assert clock.state(at(4, 12)) == "breached"
    assert reasons(clock)[-3:] == [
        (at(4, 8), at(4, 10), True, "business hours"),
        (at(4, 10), at(4, 10), False, "due: the whole target has counted"),
        (at(4, 10), at(4, 12), True, "business hours"),
    ]


def test_resolved_within_the_target_is_met():
    clock = run_clock(OFFICE, MONDAY_4PM, FOUR_HOURS, stop=at(4, 9), now=at(6, 12))
    assert clock.state(at(6, 12)) == "met"
    assert clock.elapsed == dt.timedelta(hours=3)
    assert clock.ledger[-1].end == at(4, 9)


def test_resolved_after_the_target_is_breached():
    clock = run_clock(OFFICE, MONDAY_4PM, FOUR_HOURS, stop=at(4, 11), now=at(6, 12))
    assert clock.state(at(6, 12)) == "breached"


def test_states_follow_the_warning_threshold_and_the_due_time():
    clock = run_clock(OFFICE, MONDAY_4PM, FOUR_HOURS, now=MONDAY_4PM)
    assert clock.state(at(4, 8, 59)) == "on_track"
    assert clock.state(at(4, 9)) == "at_risk"
    assert clock.state(at(4, 10)) == "at_risk"
    assert clock.state(at(4, 10, 1)) == "breached"


def test_no_target_means_no_due_time():
    clock = run_clock(OFFICE, MONDAY_4PM, None, now=at(4, 9))
    assert clock.due is None and clock.state(at(9, 9)) == "none"


def test_around_the_clock_counts_real_hours_across_the_spring_change():
    saturday_noon = dt.datetime(2025, 3, 29, 12, 0)
    clock = run_clock(AROUND_THE_CLOCK, saturday_noon, Target(24 * 60), now=saturday_noon)
    assert clock.due == dt.datetime(2025, 3, 30, 12, 0)  # 23 hours on the wall clock


def test_a_reopened_incidents_resolved_time_does_not_count():
    resolved = Hold(at(4, 9), at(4, 15), "resolved", "resolved, until reopened")
    clock = run_clock(OFFICE, MONDAY_4PM, FOUR_HOURS, holds=[resolved], now=at(4, 15))
    assert clock.due == at(4, 16)
    assert (at(4, 9), at(4, 15), False, "resolved, until reopened") in reasons(clock)
