"""Complaints through their pages: logging one, acknowledging it in time, responding, closing."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord import User, utcnow
from accord.models import AuditEntry
from accord.plugins.catalogue.testing import make_service
from accord.plugins.complaints.models import Complaint
from accord.plugins.complaints.testing import make_complaint, reload
from accord.plugins.complaints.workflow import add_business_days
from accord.plugins.contacts.testing import make_person
from accord.testing import HTMX_HEADERS, post_form

BASE = "/o/acme/complaints"


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "complaints")
    return signed_in("agent")


@pytest.fixture
def manager(signed_in, org, enable_plugin):
    enable_plugin(org, "complaints")
    return signed_in("manager")


@pytest.fixture
def carla(org):
    return make_person(org, "Carla", "Complainer", email="carla@example.org")


def act(client, complaint, action, **data):
    data.setdefault("version", str(reload(complaint).version))
    return post_form(
        client, f"{BASE}/{complaint.id}/{action}", data, token_from=f"{BASE}/{complaint.id}"
    )


def test_the_flash_after_logging_gives_the_target_in_the_organisations_zone(agent, org, carla):
    org.time_zone = "America/New_York"
    org.save()
    data = {
        "person": str(carla.id),
        "description": "Down again.",
        "cause": "communication",
        "channel": "phone",
        "severity": "high",
    }
    post_form(agent, f"{BASE}/new", data, token_from=f"{BASE}/new")
    due = Complaint.get().acknowledge_due.replace(tzinfo=dt.UTC).astimezone(org.zone)
    page = agent.get(f"{BASE}/{Complaint.get().id}").text
    assert f"Acknowledge it by {due:%Y-%m-%d %H:%M} {due.tzname()}." in page


def test_logging_a_complaint_gives_it_a_reference_and_an_acknowledgement_target(agent, org, carla):
    response = post_form(
        agent,
        f"{BASE}/new",
        {
            "person": str(carla.id),
            "description": "Nobody told us the network would be down.",
            "cause": "communication",
            "channel": "phone",
            "severity": "high",
        },
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 303
    complaint = Complaint.get(Complaint.org == org)
    assert response.headers["location"] == f"{BASE}/{complaint.id}"
    assert complaint.reference == "CMP-0001"
    assert complaint.status == "received"
    assert complaint.acknowledge_due == add_business_days(complaint.received_at, 2)
    page = agent.get(f"{BASE}/{complaint.id}")
    assert "Nobody told us the network would be down." in page.text
    assert "Carla Complainer" in page.text


def test_a_complaint_without_a_complainant_is_refused_with_the_input_kept(agent):
    response = post_form(
        agent,
        f"{BASE}/new",
        {"description": "Rude engineer", "cause": "staff_conduct"},
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 422
    assert "Find the complainant in contacts" in response.text
    assert "Rude engineer" in response.text
    assert Complaint.select().count() == 0


def test_the_form_finds_the_complainant_in_contacts(agent, carla):
    page = agent.get(f"{BASE}/new?person_q=complainer")
    assert f'value="{carla.id}"' in page.text
    assert "Carla Complainer" in page.text


def test_references_count_up_per_organisation(org, make_org, carla):
    globex = make_org("globex")
    assert make_complaint(org, person=carla).reference == "CMP-0001"
    assert make_complaint(org, person=carla).reference == "CMP-0002"
    assert make_complaint(globex).reference == "CMP-0001"


def test_business_days_skip_the_weekend():
    friday = dt.datetime(2025, 3, 7, 10, 0)
    assert add_business_days(friday, 2) == dt.datetime(2025, 3, 11, 10, 0)


def test_the_acknowledgement_target_comes_from_the_setting(
    org, carla, enable_plugin, accord_settings, accord_host
):
    from accord import plugin_settings

    enable_plugin(org, "complaints")
    manifest = accord_host.manifest("complaints")
    plugin_settings.save(accord_settings.secret_key, manifest, org, {"acknowledge_days": 5})
    monday = dt.datetime(2025, 3, 3, 9, 0)
    complaint = make_complaint(org, person=carla, received_at=monday)
    assert complaint.acknowledge_due == dt.datetime(2025, 3, 10, 9, 0)


def test_acknowledging_records_when(agent, org, carla):
    complaint = make_complaint(org, person=carla)
    response = act(agent, complaint, "acknowledge")
    assert response.status_code == 303
    complaint = reload(complaint)
    assert complaint.status == "acknowledged"
    assert complaint.acknowledged_at is not None
    assert complaint.acknowledgement() == "on_time"


def test_an_unacknowledged_complaint_past_its_target_is_overdue_in_the_list(agent, org, carla):
    late = make_complaint(
        org, "Printer fixed four times", person=carla, received_at=utcnow() - dt.timedelta(days=9)
    )
    fresh = make_complaint(org, "Portal signs me out", person=carla)
    assert reload(late).acknowledgement() == "overdue"
    page = agent.get(f"{BASE}/?acknowledgement=overdue")
    assert late.reference in page.text
    assert fresh.reference not in page.text
    assert "Acknowledgement overdue" in page.text


def test_acknowledging_after_the_target_is_late(agent, org, carla):
    complaint = make_complaint(org, person=carla, received_at=utcnow() - dt.timedelta(days=9))
    act(agent, complaint, "acknowledge")
    assert reload(complaint).acknowledgement() == "late"
    assert complaint.reference in agent.get(f"{BASE}/?acknowledgement=late").text


def test_responding_needs_the_response_text(agent, org, carla):
    complaint = make_complaint(org, person=carla)
    act(agent, complaint, "acknowledge")
    refused = act(agent, complaint, "respond", response="")
    assert refused.status_code == 422
    assert reload(complaint).status == "acknowledged"
    done = act(agent, complaint, "respond", response="We apologise; notices now go out earlier.")
    assert done.status_code == 303
    assert reload(complaint).status == "responded"
    assert reload(complaint).responded_at is not None


def test_closing_needs_the_lesson_and_the_improvement(manager, org, carla):
    complaint = make_complaint(org, person=carla)
    act(manager, complaint, "acknowledge")
    act(manager, complaint, "respond", response="Sorry.")
    refused = act(manager, complaint, "close", lesson="Tell people sooner.", improvement="")
    assert refused.status_code == 422
    assert "Improvement action" in refused.text
    assert "Tell people sooner." in refused.text
    assert reload(complaint).status == "responded"
    closed = act(
        manager,
        complaint,
        "close",
        lesson="Tell people sooner.",
        improvement="Outage notices go to every affected contact.",
    )
    assert closed.status_code == 303
    complaint = reload(complaint)
    assert complaint.status == "closed"
    assert complaint.improvement == "Outage notices go to every affected contact."
    page = manager.get(f"{BASE}/{complaint.id}")
    assert "What we learned" in page.text


def test_agents_may_not_close_a_complaint(agent, org, carla):
    complaint = make_complaint(org, person=carla)
    assert agent.get(f"{BASE}/{complaint.id}/close").status_code == 403


def test_a_complaint_is_acknowledged_before_it_is_responded_to(agent, org, carla):
    complaint = make_complaint(org, person=carla)
    response = act(agent, complaint, "respond", response="Too soon")
    assert response.status_code == 303
    page = agent.get(response.headers["location"]).text
    assert "This complaint must be acknowledged before it can be responded to." in page
    assert reload(complaint).status == "received"


def test_closing_a_complaint_that_was_not_responded_to_is_refused(manager, org, carla):
    complaint = make_complaint(org, person=carla)
    response = act(manager, complaint, "close", lesson="x", improvement="y")
    assert response.status_code == 303
    page = manager.get(response.headers["location"]).text
    assert "This complaint must be responded to before it can be closed." in page
    assert reload(complaint).status == "received"


def test_a_stale_acknowledgement_is_refused(agent, org, carla):
    complaint = make_complaint(org, person=carla)
    response = act(agent, complaint, "acknowledge", version="0")
    assert response.status_code == 303
    assert "Someone else changed this complaint" in agent.get(response.headers["location"]).text
    assert reload(complaint).status == "received"


def test_acknowledging_from_an_old_page_says_who_already_did_and_returns_to_it(
    agent, manager, org, carla
):
    complaint = make_complaint(org, person=carla)
    seen = str(complaint.version)
    act(manager, complaint, "acknowledge")
    response = act(agent, complaint, "acknowledge", version=seen)
    assert response.status_code == 303
    assert response.headers["location"] == f"{BASE}/{complaint.id}"
    page = agent.get(response.headers["location"]).text
    who = User.get(User.email.startswith("manager")).name  # by name, not their email
    assert f"This complaint was already acknowledged by {who} at " in page
    assert "cannot move to" not in page


def test_the_refusal_names_who_moved_it_and_when_in_the_organisations_time(org, carla):
    from accord import audit
    from accord.plugins.complaints import workflow

    org.time_zone = "Europe/London"
    org.save()
    complaint = make_complaint(org, person=carla)
    with audit.acting_as(audit.Actor(None, "Mo Manager")):
        workflow.move(complaint, complaint.version, "acknowledge", user=None, quiet=True)
    AuditEntry.update(at=dt.datetime(2026, 7, 1, 13, 5)).where(
        AuditEntry.record_id == str(complaint.id)
    ).execute()
    assert workflow.already(reload(complaint)) == (
        "This complaint was already acknowledged by Mo Manager at 2026-07-01 14:05 BST."
    )


def test_the_timeline_shows_the_moves(agent, org, carla):
    complaint = make_complaint(org, person=carla)
    act(agent, complaint, "acknowledge")
    act(agent, complaint, "investigate")
    page = " ".join(re.sub(r"<[^>]+>", " ", agent.get(f"{BASE}/{complaint.id}").text).split())
    assert "Status: Acknowledged → Investigating" in page
    assert "Status: Received → Acknowledged" in page


def test_editing_keeps_the_input_on_errors(agent, org, carla):
    complaint = make_complaint(org, person=carla)
    response = post_form(
        agent,
        f"{BASE}/{complaint.id}/edit",
        {
            "version": str(complaint.version),
            "person": str(carla.id),
            "description": "",
            "cause": "quality",
        },
        token_from=f"{BASE}/{complaint.id}/edit",
    )
    assert response.status_code == 422
    assert reload(complaint).cause == "other"


def test_a_complaint_can_name_its_service_and_incident(agent, org, carla, enable_plugin):
    from accord.plugins.incidents.testing import make_incident

    enable_plugin(org, "incidents")
    email = make_service(org, "Email")
    incident = make_incident(org, service=email, reporter=carla)
    response = post_form(
        agent,
        f"{BASE}/new",
        {
            "person": str(carla.id),
            "description": "Still broken",
            "cause": "quality",
            "channel": "email",
            "severity": "medium",
            "service_id": str(email.id),
            "incident": incident.reference,
        },
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 303
    complaint = Complaint.get(Complaint.org == org)
    assert (complaint.service_id, complaint.incident_id) == (email.id, incident.id)
    assert incident.reference in agent.get(f"{BASE}/{complaint.id}").text


def test_an_unknown_incident_reference_is_refused(agent, org, carla, enable_plugin):
    enable_plugin(org, "incidents")
    response = post_form(
        agent,
        f"{BASE}/new",
        {
            "person": str(carla.id),
            "description": "x",
            "cause": "quality",
            "channel": "email",
            "severity": "low",
            "incident": "INC-999",
        },
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 422
    assert "No incident of this organisation" in response.text


def test_a_closed_complaint_cannot_be_edited(manager, org, carla):
    complaint = make_complaint(org, person=carla)
    act(manager, complaint, "acknowledge")
    act(manager, complaint, "respond", response="Sorry.")
    act(manager, complaint, "close", lesson="Listen.", improvement="Call back within a day.")
    assert manager.get(f"{BASE}/{complaint.id}/edit").status_code == 409
    response = post_form(
        manager,
        f"{BASE}/{complaint.id}/edit",
        {"version": str(reload(complaint).version), "person": str(carla.id), "description": "x"},
        token_from=f"{BASE}/{complaint.id}",
    )
    assert response.status_code == 409
    assert reload(complaint).description == "Nobody told us about the outage."


def test_find_without_javascript_keeps_everything_typed(agent, carla):
    page = agent.get(
        f"{BASE}/new",
        params={
            "description": "Nobody told us the network would be down.",
            "severity": "high",
            "person_q": "carla",
            "find": "1",
        },
    ).text
    assert "Nobody told us the network would be down.</textarea>" in page
    assert '<option value="high" selected>' in page
    assert 'name="person_q" value="carla"' in page
    assert f'name="person" value="{carla.id}"' in page


def test_find_and_the_search_box_send_the_whole_complaint_form(agent):
    page = agent.get(f"{BASE}/new").text
    start = page.index('id="complaint-form"')
    form = page[start : page.index("</form>", start)]
    assert 'name="person_q"' in form
    assert 'name="find" value="1" formmethod="get"' in form
    assert 'form="person-find"' not in page


def test_the_complainant_search_answers_htmx_with_matching_people(agent, carla):
    fragment = agent.get(f"{BASE}/people?person_q=carla", headers=HTMX_HEADERS)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert f'name="person" value="{carla.id}"' in fragment.text


def test_the_complainant_search_shows_only_this_organisations_people(agent, carla, make_org):
    stranger = make_person(make_org("globex"), "Carla", "Complainer", email="carla@globex.example")
    fragment = agent.get(f"{BASE}/people?person_q=carla", headers=HTMX_HEADERS)
    assert f'value="{stranger.id}"' not in fragment.text
    assert "globex" not in fragment.text
