"""One way to show a stored time to people: the organisation's zone, always labelled."""

from __future__ import annotations

import datetime as dt

from accord import Organisation, local_time
from accord.clock import local_iso
from accord.components.columns import display

JANUARY = dt.datetime(2026, 1, 15, 13, 13, 42)  # naive UTC, as stored
JULY = dt.datetime(2026, 7, 15, 13, 13)


def org_in(zone: str) -> Organisation:
    return Organisation(slug="x", name="X", time_zone=zone)


def test_a_time_shows_in_the_organisations_zone_with_the_zones_name():
    assert local_time(org_in("America/New_York"), JANUARY) == "2026-01-15 08:13 EST"


def test_summer_time_is_named_as_such():
    assert local_time(org_in("America/New_York"), JULY) == "2026-07-15 09:13 EDT"


def test_without_an_organisation_a_time_shows_in_utc_labelled():
    assert local_time(None, JANUARY) == "2026-01-15 13:13 UTC"


def test_an_aware_time_is_converted_too():
    moment = JANUARY.replace(tzinfo=dt.UTC)
    assert local_time(org_in("Europe/London"), moment) == "2026-01-15 13:13 GMT"


def test_a_date_shows_as_the_day_and_nothing_as_nothing():
    assert local_time(org_in("America/New_York"), dt.date(2026, 1, 15)) == "2026-01-15"
    assert local_time(org_in("America/New_York"), None) == ""


def test_files_get_iso_8601_with_the_offset():
    assert local_iso(org_in("America/New_York"), JANUARY) == "2026-01-15T08:13:42-05:00"


def test_a_list_cell_shows_a_time_the_same_way():
    assert display(JANUARY, org_in("America/New_York")) == "2026-01-15 08:13 EST"
