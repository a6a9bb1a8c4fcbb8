"""Forms in a real browser: sent once however often they are clicked, and a live search that
never loses what was typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WAIT_MS = 10_000


@pytest.fixture
def email_service(org, enable_plugin):
    from accord.plugins.catalogue.testing import make_service

    enable_plugin(org, "incidents")  # contacts and catalogue come along
    enable_plugin(org, "complaints")
    return make_service(org, "Email", levels={p: (60, 480) for p in (1, 2, 3, 4)})


@pytest.fixture
def ana(org, email_service):
    from accord.plugins.contacts.testing import make_person

    make_person(org, "Bea", "Stone", email="bea@elsewhere.example")
    return make_person(org, "Ana", "Lima", email="ana@riverside.example")


@pytest.fixture
def agent(org, make_user, sign_in_as, email_service):
    user = make_user("alex@acme.test", org, "agent")
    sign_in_as("alex@acme.test")
    return user


def _activities(incident, kind):
    from accord.plugins.incidents.models import Activity

    query = Activity.select().where((Activity.incident == incident.id) & (Activity.kind == kind))
    return [a.body for a in query]


def test_double_clicking_add_note_adds_one_note(page, org, agent, ana, email_service):
    from accord.plugins.incidents.testing import make_incident

    incident = make_incident(org, service=email_service, reporter=ana)
    page.goto(f"/o/{org.slug}/incidents/{incident.id}")
    page.get_by_label("Message").fill("Rebooted the router.")
    page.get_by_role("button", name="Add to timeline").dblclick()
    expect(page.locator("#activity")).to_contain_text("Rebooted the router.", timeout=WAIT_MS)
    # The button is usable again, and the next note is a new one, not "already sent".
    page.get_by_label("Message").fill("Called back.")
    page.get_by_role("button", name="Add to timeline").click()
    expect(page.locator("#activity")).to_contain_text("Called back.", timeout=WAIT_MS)
    assert _activities(incident, "note") == ["Rebooted the router.", "Called back."]


def test_an_incident_is_logged_after_searching_the_reporter_with_enter(page, org, agent, ana):
    from accord.plugins.incidents.models import Incident

    page.goto(f"/o/{org.slug}/incidents/new")
    page.evaluate("window.accordTestMarker = 'still here'")
    page.get_by_label("Title").fill("Printer on fire")
    page.get_by_label("Description").fill("Smoke from tray 2.")
    search = page.get_by_label("Find them in contacts")
    search.fill("lima")
    search.press("Enter")
    reporter = page.locator("#reporter-results").get_by_role("radio", name=re.compile("Ana Lima"))
    expect(reporter).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#reporter-results")).not_to_contain_text("Bea Stone")
    page.get_by_role("button", name="Find").click()
    expect(reporter).to_be_visible(timeout=WAIT_MS)
    assert page.evaluate("window.accordTestMarker") == "still here"  # never reloaded
    expect(page.get_by_label("Title")).to_have_value("Printer on fire")
    reporter.check()
    page.get_by_label("Service", exact=True).select_option(label="Email (EMAIL)")
    expect(page.locator("#priority-preview")).to_contain_text("respond within", timeout=WAIT_MS)
    page.get_by_role("button", name="Log incident").click()
    page.wait_for_url(re.compile(r"/incidents/\d+$"))
    incident = Incident.get(Incident.org == org.id)
    assert (incident.title, incident.description, incident.reporter_id) == (
        "Printer on fire",
        "Smoke from tray 2.",
        ana.id,
    )


def test_a_complaint_is_logged_after_searching_the_complainant_in_place(page, org, agent, ana):
    from accord.plugins.complaints.models import Complaint

    page.goto(f"/o/{org.slug}/complaints/new")
    page.evaluate("window.accordTestMarker = 'still here'")
    page.get_by_label("What they complain about").fill("Nobody told us the network would be down.")
    page.get_by_label("Find them in contacts").fill("ana")
    page.get_by_role("button", name="Find").click()
    person = page.locator("#person-results").get_by_role("radio", name=re.compile("Ana Lima"))
    expect(person).to_be_visible(timeout=WAIT_MS)
    assert page.evaluate("window.accordTestMarker") == "still here"
    person.check()
    page.get_by_role("button", name="Log complaint").click()
    page.wait_for_url(re.compile(r"/complaints/\d+$"))
    complaint = Complaint.get(Complaint.org == org.id)
    assert complaint.person_id == ana.id


def test_without_javascript_find_keeps_the_typed_title(
    page_without_javascript, org, make_user, sign_in_as, ana
):
    page = page_without_javascript
    make_user("alex@acme.test", org, "agent")
    sign_in_as("alex@acme.test", page=page)
    page.goto(f"/o/{org.slug}/incidents/new")
    page.get_by_label("Title").fill("Printer on fire")
    page.get_by_label("Find them in contacts").fill("lima")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#reporter-results")).to_contain_text("Ana Lima", timeout=WAIT_MS)
    expect(page.get_by_label("Title")).to_have_value("Printer on fire")
