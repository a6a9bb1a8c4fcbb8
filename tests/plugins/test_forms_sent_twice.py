"""Plugins' forms sent twice (a double click, a resent page) change things once.

Nothing here is written by the plugins themselves: every form rendered with
``{{ csrf_input }}`` carries a one-time submission id that the core checks.
"""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_calendar, make_service
from accord.plugins.complaints.models import Complaint
from accord.plugins.contacts.models import Interaction
from accord.plugins.contacts.testing import make_person
from accord.plugins.incidents.models import Activity, Incident
from accord.plugins.incidents.testing import make_incident
from accord.testing import HTMX_HEADERS, form_tokens

LEVELS = {p: (60, 480) for p in (1, 2, 3, 4)}


@pytest.fixture
def email(org, enable_plugin):
    enable_plugin(org, "incidents")
    enable_plugin(org, "complaints")
    return make_service(org, "Email", levels=LEVELS, calendar=make_calendar(org))


@pytest.fixture
def agent(signed_in, email):
    return signed_in("agent")


@pytest.fixture
def ana(org):
    return make_person(org, "Ana", "Lima", email="ana@riverside.example")


@pytest.fixture
def incident(org, email, ana):
    return make_incident(org, service=email, reporter=ana)


def send_twice(client, form_page, action, data, **kwargs):
    """POST one rendering of a form twice, as a double click does."""
    payload = {**form_tokens(client.get(form_page).text), **data}
    first = client.post(action, data=payload, follow_redirects=False, **kwargs)
    second = client.post(action, data=payload, follow_redirects=False, **kwargs)
    return first, second


def notes(incident, kind):
    return list(
        Activity.select().where((Activity.incident == incident.id) & (Activity.kind == kind))
    )


def test_a_note_added_twice_is_added_once(agent, incident):
    page = f"/o/acme/incidents/{incident.id}"
    first, second = send_twice(agent, page, f"{page}/notes", {"body": "Rebooted.", "kind": "note"})
    assert len(notes(incident, "note")) == 1
    assert second.status_code == 303
    assert second.headers["location"] == first.headers["location"]


def test_a_reply_sent_twice_from_htmx_is_sent_once(agent, incident):
    page = f"/o/acme/incidents/{incident.id}"
    data = {"body": "Please restart Outlook.", "kind": "reply"}
    headers = {**HTMX_HEADERS, "HX-Current-URL": f"http://testserver{page}"}
    first, second = send_twice(agent, page, f"{page}/notes", data, headers=headers)
    assert len(notes(incident, "reply")) == 1
    assert first.status_code == 200
    assert second.headers["HX-Redirect"] == page


def test_an_incident_logged_twice_is_logged_once(agent, email, ana):
    data = {
        "reporter": str(ana.id),
        "service": str(email.id),
        "title": "Outlook keeps asking for my password",
        "category": "email",
        "channel": "phone",
        "impact": "2",
        "urgency": "2",
    }
    new = "/o/acme/incidents/new"
    first, second = send_twice(agent, new, new, data)
    assert Incident.select().count() == 1
    assert second.headers["location"] == first.headers["location"]


def test_an_interaction_logged_twice_is_logged_once(agent, ana):
    page = f"/o/acme/contacts/people/{ana.id}"
    data = {
        "kind": "call",
        "direction": "inbound",
        "occurred_at": "2026-01-05T10:00",
        "summary": "Printer jams.",
    }
    first, second = send_twice(agent, page, f"{page}/interactions", data)
    assert first.status_code == 303, first.text
    assert Interaction.select().count() == 1
    assert second.headers["location"] == first.headers["location"]


def test_a_complaint_logged_twice_is_logged_once(agent, ana):
    data = {
        "person": str(ana.id),
        "description": "Nobody told us the network would be down.",
        "cause": "communication",
        "channel": "phone",
        "severity": "high",
    }
    new = "/o/acme/complaints/new"
    first, second = send_twice(agent, new, new, data)
    assert Complaint.select().count() == 1
    assert second.headers["location"] == first.headers["location"]
