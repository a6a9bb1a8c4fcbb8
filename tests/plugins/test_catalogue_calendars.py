"""Business-hours calendars: the week view, holidays, closures, creating and editing one."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import utcnow
from accord.plugins.catalogue import business_hours_for
from accord.plugins.catalogue.models import BusinessCalendar, Closure
from accord.plugins.catalogue.testing import make_calendar, make_closure, make_service
from accord.testing import HTMX_HEADERS, post_form

BASE = "/o/acme/catalogue/calendars"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.catalogue"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "catalogue")
    return org


def calendar_form(**fields):
    values = {
        "name": "UK office hours",
        "timezone": "Europe/London",
        "country": "GB",
        "subdivision": "ENG",
        "mon": "08:00-18:00",
        "tue": "08:00-18:00",
        "wed": "08:00-18:00",
        "thu": "08:00-18:00",
        "fri": "08:00-12:00, 13:00-17:30",
        "sat": "",
        "sun": "",
    }
    values.update(fields)
    return values


def test_every_role_sees_the_calendars(signed_in, enabled):
    make_calendar(enabled, "UK office hours")
    text = signed_in("viewer").get(f"{BASE}").text
    assert "UK office hours" in text
    assert "Monday to Friday 08:00–18:00" in text


def test_manager_creates_a_calendar_with_a_split_day(signed_in, enabled):
    response = post_form(
        signed_in("manager"), f"{BASE}/new", calendar_form(), token_from=f"{BASE}/new"
    )
    assert response.status_code == 303
    calendar = BusinessCalendar.get()
    assert (calendar.fri, calendar.subdivision) == ("08:00-12:00, 13:00-17:30", "ENG")
    assert calendar.week[4] == ((480, 720), (780, 1050))


def test_an_unknown_time_zone_is_refused(signed_in, enabled):
    response = post_form(
        signed_in("manager"),
        f"{BASE}/new",
        calendar_form(timezone="Europe/Atlantis"),
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 422
    assert "Enter a time zone name like Europe/London." in response.text
    assert 'value="Europe/Atlantis"' in response.text


def test_unreadable_or_overlapping_hours_are_refused(signed_in, enabled):
    response = post_form(
        signed_in("manager"),
        f"{BASE}/new",
        calendar_form(mon="8 till late", tue="08:00-13:00, 12:00-18:00"),
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 422
    assert response.text.count("Enter hours like 08:00-18:00") >= 2


def test_a_region_must_belong_to_the_country(signed_in, enabled):
    response = post_form(
        signed_in("manager"),
        f"{BASE}/new",
        calendar_form(subdivision="NY"),
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 422
    assert "Not a region of this country (known: ENG, NIR, SCT, WLS)." in response.text


def test_a_calendar_needs_hours_on_some_day(signed_in, enabled):
    empty = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "")
    response = post_form(
        signed_in("manager"), f"{BASE}/new", calendar_form(**empty), token_from=f"{BASE}/new"
    )
    assert response.status_code == 422
    assert "Give working hours for at least one day of the week." in response.text


def test_a_stale_calendar_edit_is_refused(signed_in, enabled):
    calendar = make_calendar(enabled)
    client = signed_in("manager")
    url = f"{BASE}/{calendar.id}/edit"
    opened_at = str(calendar.version)
    calendar.sat = "09:00-12:00"
    calendar.save()
    response = post_form(client, url, calendar_form(version=opened_at), token_from=url)
    assert response.status_code == 409
    assert BusinessCalendar.get_by_id(calendar.id).sat == "09:00-12:00"


def test_the_week_view_shows_hours_holidays_and_closures(signed_in, enabled):
    calendar = make_calendar(enabled)
    make_closure(calendar, dt.date(2025, 12, 23), reason="Office move")
    text = signed_in("viewer").get(f"{BASE}/{calendar.id}?week=2025-12-24").text
    assert "Week of 22 December 2025" in text
    assert "Public holiday: Christmas Day" in text
    assert "Closure: Office move" in text
    assert "08:00–18:00" in text  # Monday the 22nd
    assert "Weekend" in text
    assert "20 business hours this week" in text  # Mon, Wed (24th) only


def test_the_week_view_moves_by_week_with_htmx(signed_in, enabled):
    calendar = make_calendar(enabled)
    fragment = signed_in("viewer").get(
        f"{BASE}/{calendar.id}?week=2026-01-05", headers=HTMX_HEADERS
    )
    assert "Week of 5 January 2026" in fragment.text
    assert "<html" not in fragment.text


def test_upcoming_public_holidays_are_listed(signed_in, enabled):
    calendar = make_calendar(enabled)
    text = signed_in("viewer").get(f"{BASE}/{calendar.id}").text
    assert "Public holidays in United Kingdom (England)" in text
    assert "Christmas Day" in text  # always within the next twelve shown


def test_manager_adds_a_closure_and_business_time_skips_it(signed_in, enabled):
    calendar = make_calendar(enabled, country="")
    service = make_service(enabled, "Email", calendar=calendar)
    client = signed_in("manager")
    page = f"{BASE}/{calendar.id}"
    data = {"starts_on": "2030-06-03", "ends_on": "2030-06-04", "reason": "Office move"}
    assert post_form(client, f"{page}/closures", data, token_from=page).status_code == 303
    hours = business_hours_for(service)
    monday_9am = dt.datetime(2030, 6, 3, 8)  # 09:00 in London, summer time
    assert hours.add(monday_9am, 60) == dt.datetime(2030, 6, 5, 8)  # Wednesday 09:00 local


def test_a_closure_cannot_end_before_it_starts(signed_in, enabled):
    calendar = make_calendar(enabled)
    page = f"{BASE}/{calendar.id}"
    data = {"starts_on": "2030-06-04", "ends_on": "2030-06-03", "reason": "Typo"}
    response = post_form(signed_in("manager"), f"{page}/closures", data, token_from=page)
    assert response.status_code == 422
    assert "The last day cannot be before the first." in response.text
    assert Closure.select().count() == 0


def test_removing_a_closure_asks_first(signed_in, enabled):
    calendar = make_calendar(enabled)
    today = utcnow().date()
    closure = make_closure(calendar, today + dt.timedelta(days=3), reason="Training day")
    client = signed_in("manager")
    url = f"{BASE}/{calendar.id}/closures/{closure.id}/delete"
    assert "Remove closure" in client.get(url).text
    assert post_form(client, url, token_from=url).status_code == 303
    assert Closure.select().count() == 0


def test_a_calendar_in_use_is_not_deleted(signed_in, enabled):
    calendar = make_calendar(enabled)
    make_service(enabled, "Email", calendar=calendar)
    url = f"{BASE}/{calendar.id}/delete"
    response = post_form(signed_in("manager"), url, token_from=f"{BASE}/{calendar.id}")
    assert response.status_code == 303
    assert BusinessCalendar.select().count() == 1


def test_an_unused_calendar_is_deleted_with_its_closures(signed_in, enabled):
    calendar = make_calendar(enabled)
    make_closure(calendar, dt.date(2030, 1, 2))
    url = f"{BASE}/{calendar.id}/delete"
    assert post_form(signed_in("manager"), url, token_from=url).status_code == 303
    assert (BusinessCalendar.select().count(), Closure.select().count()) == (0, 0)
