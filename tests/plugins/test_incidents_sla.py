"""An incident's stored SLA clocks and ledger, as its timeline moves them (known dates)."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.plugins.catalogue.models import ServiceLevel
from accord.plugins.catalogue.testing import make_calendar, make_service
from accord.plugins.incidents import sla, workflow
from accord.plugins.incidents.testing import make_incident, reload
from accord.testing import post_form

# Office hours Mon–Fri 08:00–18:00 London; March 2025 is GMT, so these are local times too.
MONDAY_9AM = dt.datetime(2025, 3, 3, 9, 0)
LEVELS = {1: (15, 120), 3: (60, 480)}


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def email(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Email", levels=LEVELS, calendar=make_calendar(org))


@pytest.fixture
def incident(org, email):
    return make_incident(org, service=email, at=MONDAY_9AM)  # P3: respond 1 h, resolve 8 h


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute)


def rows(incident, clock="resolution"):
    return [(r.starts_at, r.ends_at, r.counted, r.reason) for r in sla.ledger(incident, clock)]


def test_a_new_incident_is_due_in_business_hours_of_its_service(incident):
    assert (incident.response_due, incident.resolution_due) == (at(3, 10), at(3, 17))
    assert incident.due_at == at(3, 10)  # the next deadline: the response


def test_once_responded_the_next_deadline_is_the_resolution(incident):
    workflow.note(incident, "On it.", public=True, user=None, now=at(3, 9, 30), quiet=True)
    after = reload(incident)
    assert after.due_at == at(3, 17)
    assert sla.clock_state(after, "response", at(3, 12)) == "met"


def test_pending_pauses_the_clock_and_the_ledger_says_why(incident):
    workflow.start(incident, incident.version, user=None, now=at(3, 9, 30), quiet=True)
    workflow.pend(incident, incident.version, "customer", user=None, now=at(3, 10), quiet=True)
    paused = reload(incident)
    assert paused.resolution_due is None and paused.resolution_remaining_minutes == 7 * 60
    workflow.resume(incident, incident.version, user=None, now=at(4, 10), quiet=True)
    after = reload(incident)
    assert after.resolution_due == at(4, 17)
    assert rows(after) == [
        (at(3, 9), at(3, 10), True, "business hours"),
        (at(3, 10), at(4, 10), False, "pending: awaiting the customer"),
        (at(4, 10), at(4, 17), True, "business hours"),
        (at(4, 17), at(4, 17), False, "due: the whole target has counted"),
    ]


def test_an_incident_left_too_long_is_breached(incident):
    workflow.note(incident, "On it.", public=True, user=None, now=at(3, 9, 30), quiet=True)
    assert reload(incident).sla_state(at(3, 16)) == "at_risk"  # 75 % of 8 h counted at 15:00
    assert reload(incident).sla_state(at(3, 17, 1)) == "breached"


def test_resolving_late_is_recorded_as_breached(incident):
    workflow.resolve(
        incident, incident.version, "fixed", "Done.", user=None, now=at(4, 12), quiet=True
    )
    after = reload(incident)
    assert after.resolution_breached and after.sla_state(at(9, 9)) == "breached"


def test_a_new_priority_counts_what_already_counted_towards_the_new_target(org, email, incident):
    values = {
        "title": incident.title,
        "description": "",
        "service": email.id,
        "category": "email",
        "channel": "phone",
        "customer": None,
        "impact": 1,
        "urgency": 1,
    }
    workflow.edit(incident, incident.version, values, user=None, now=at(3, 10))
    after = reload(incident)
    assert after.priority == 1 and after.resolution_due == at(3, 11)  # 2 h from 09:00
    assert (at(3, 10), at(3, 10), False, "priority changed from P3 Medium to P1 Critical") in rows(
        after
    )


def test_time_between_resolving_and_reopening_does_not_count(incident):
    workflow.resolve(
        incident, incident.version, "fixed", "Done.", user=None, now=at(3, 11), quiet=True
    )
    workflow.reopen(
        incident, incident.version, "Again", window_days=7, user=None, now=at(3, 15), quiet=True
    )
    after = reload(incident)
    assert after.resolution_due == at(4, 11)  # 2 h counted; 6 h left: 15:00–18:00, 08:00–11:00
    assert (at(3, 11), at(3, 15), False, "resolved, until reopened") in rows(after)


def test_changing_the_services_levels_recomputes_its_open_incidents(signed_in, org, email):
    incident = make_incident(org, service=email)
    before = incident.resolution_due
    manager = signed_in("manager")
    data = {
        "fingerprint": "",
        "p3_response": "1h",
        "p3_resolution": "16h",
        "p1_response": "15m",
        "p1_resolution": "2h",
    }
    page = manager.get(f"/o/acme/catalogue/{email.id}/levels")
    data["fingerprint"] = page.text.split('name="fingerprint" value="')[1].split('"')[0]
    response = post_form(
        manager,
        f"/o/acme/catalogue/{email.id}/levels",
        data,
        token_from=f"/o/acme/catalogue/{email.id}/levels",
    )
    assert response.status_code == 303
    assert ServiceLevel.get(ServiceLevel.priority == 3).resolution_minutes == 16 * 60
    after = reload(incident)
    assert after.resolution_due > before
    assert sla.clocks(after)[1].target.minutes == 16 * 60
