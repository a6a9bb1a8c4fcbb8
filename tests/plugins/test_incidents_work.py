"""Working an incident from its page: assign, start, pend, resume, resolve, close, reopen, notes."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import utcnow
from accord.plugins.catalogue.testing import make_calendar, make_service
from accord.plugins.incidents.models import Activity, Incident
from accord.plugins.incidents.testing import make_incident, make_team, reload
from accord.testing import HTMX_HEADERS, post_form

LEVELS = {p: (60, 480) for p in (1, 2, 3, 4)}


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def email(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Email", levels=LEVELS, calendar=make_calendar(org))


@pytest.fixture
def agent(signed_in, email):
    return signed_in("agent", email="alex@acme.test")


@pytest.fixture
def alex(agent):
    from accord import User

    return User.get(User.email == "alex@acme.test")


@pytest.fixture
def incident(org, email):
    return make_incident(org, service=email)


def url(incident, action=""):
    return f"/o/acme/incidents/{incident.id}" + (f"/{action}" if action else "")


def act(client, incident, action, **data):
    data.setdefault("version", str(reload(incident).version))
    return post_form(client, url(incident, action), data, token_from=url(incident))


def kinds(incident):
    query = Activity.select().where(Activity.incident == incident.id).order_by(Activity.id)
    return [(a.kind, a.body) for a in query]


def test_assigning_to_a_team_member_makes_it_assigned(agent, alex, org, incident):
    desk = make_team(org, "Service Desk", members=[alex])
    response = act(agent, incident, "assign", team=str(desk.id), assignee=str(alex.id))
    assert response.status_code == 303
    after = reload(incident)
    assert (after.status, after.team_id, after.assignee_id) == ("assigned", desk.id, alex.id)
    assert ("assignment", "Assigned to Service Desk and Alex") in kinds(incident)


def test_assigning_someone_outside_the_team_is_422_and_keeps_the_choice(agent, alex, org, incident):
    infra = make_team(org, "Infrastructure", tier=2)
    response = act(agent, incident, "assign", team=str(infra.id), assignee=str(alex.id))
    assert response.status_code == 422
    assert "Choose a member of the team" in response.text
    assert f'<option value="{infra.id}" selected>' in response.text
    assert reload(incident).status == "new"


def test_moving_to_a_higher_tier_is_an_escalation_on_the_timeline(agent, alex, org, incident):
    desk = make_team(org, "Service Desk", tier=1)
    infra = make_team(org, "Infrastructure", tier=2)
    act(agent, incident, "assign", team=str(desk.id))
    act(agent, incident, "assign", team=str(infra.id))
    assert (
        "escalation",
        "Escalated from Service Desk (Tier 1) to Infrastructure (Tier 2)",
    ) in kinds(incident)


def test_starting_work_takes_it_on(agent, alex, incident):
    act(agent, incident, "start")
    after = reload(incident)
    assert (after.status, after.assignee_id) == ("in_progress", alex.id)
    assert after.work_started_at is not None


def test_pending_pauses_the_resolution_clock_and_records_why(agent, incident):
    response = act(agent, incident, "pend", pending_reason="customer", pending_note="on leave")
    after = reload(incident)
    assert response.status_code == 303
    assert (after.status, after.pending_reason) == ("pending", "customer")
    assert after.resolution_due is None and after.due_at is None
    assert after.sla_state() == "paused"


def test_resuming_restarts_the_clock(agent, incident):
    act(agent, incident, "pend", pending_reason="supplier")
    act(agent, incident, "resume")
    after = reload(incident)
    assert after.status == "in_progress" and after.resolution_due is not None


def test_resolving_without_notes_is_422_and_keeps_the_code(agent, incident):
    response = act(agent, incident, "resolve", resolution_code="fixed", resolution_notes="")
    assert response.status_code == 422
    assert "Enter resolution notes" in response.text
    assert '<option value="fixed" selected>' in response.text
    assert reload(incident).status == "new"


def test_resolving_without_a_code_is_422(agent, incident):
    response = act(agent, incident, "resolve", resolution_notes="Restarted the router.")
    assert response.status_code == 422
    assert "Restarted the router." in response.text


def test_resolving_with_a_code_and_notes_stops_the_clock(agent, incident):
    act(agent, incident, "resolve", resolution_code="fixed", resolution_notes="Cleared the cache.")
    after = reload(incident)
    assert (after.status, after.resolution_code) == ("resolved", "fixed")
    assert after.resolved_at is not None and after.due_at is None
    assert after.sla_state() == "met"


def test_a_resolved_incident_can_be_closed(agent, incident):
    act(agent, incident, "resolve", resolution_code="fixed", resolution_notes="Done.")
    act(agent, incident, "close")
    assert reload(incident).status == "closed"


def test_reopening_within_the_window_puts_it_back_to_work(agent, incident):
    act(agent, incident, "resolve", resolution_code="fixed", resolution_notes="Done.")
    response = act(agent, incident, "reopen", reason="It happened again this morning.")
    after = reload(incident)
    assert response.status_code == 303
    assert (after.status, after.reopen_count, after.resolved_at) == ("assigned", 1, None)


def test_reopening_after_the_window_is_refused(agent, incident):
    act(agent, incident, "resolve", resolution_code="fixed", resolution_notes="Done.")
    eight_days_ago = utcnow() - dt.timedelta(days=8)
    Incident.update(resolved_at=eight_days_ago).where(Incident.id == incident.id).execute()
    response = act(agent, incident, "reopen", reason="Back again.")
    assert response.status_code == 422
    assert "more than 7 days ago" in response.text
    assert reload(incident).status == "resolved"


def test_the_reopen_window_is_a_setting(agent, org, incident, accord_host):
    from accord import plugin_settings

    plugin_settings.save(
        "test-secret-key", accord_host.manifest("incidents"), org, {"reopen_days": 30}
    )
    act(agent, incident, "resolve", resolution_code="fixed", resolution_notes="Done.")
    ten_days_ago = utcnow() - dt.timedelta(days=10)
    Incident.update(resolved_at=ten_days_ago).where(Incident.id == incident.id).execute()
    assert act(agent, incident, "reopen", reason="Back again.").status_code == 303


def test_a_stale_assignment_is_409_with_the_input_kept(agent, alex, org, incident):
    desk = make_team(org, "Service Desk", members=[alex])
    opened = reload(incident).version
    act(agent, incident, "start")  # someone moves it on meanwhile
    response = act(agent, incident, "assign", version=str(opened), team=str(desk.id))
    assert response.status_code == 409
    assert f'<option value="{desk.id}" selected>' in response.text
    assert reload(incident).team_id is None


def test_a_stale_button_is_409_and_does_nothing(agent, incident):
    opened = reload(incident).version
    act(agent, incident, "pend", pending_reason="customer")
    response = act(agent, incident, "start", version=str(opened))
    assert response.status_code == 409
    assert "It is now <strong>pending</strong>" in response.text
    assert reload(incident).status == "pending"


def test_an_internal_note_and_a_reply_go_on_the_timeline(agent, incident):
    act(agent, incident, "notes", body="Checked the mail logs.", kind="note")
    act(agent, incident, "notes", body="Please restart Outlook.", kind="reply")
    assert [k for k in kinds(incident) if k[0] in ("note", "reply")] == [
        ("note", "Checked the mail logs."),
        ("reply", "Please restart Outlook."),
    ]
    assert reload(incident).responded_at is not None  # a reply is a response


def test_a_note_from_htmx_gets_the_timeline_back(agent, incident):
    token = agent.get(url(incident)).text.split('name="csrf_token" value="')[1].split('"')[0]
    response = agent.post(
        url(incident, "notes"),
        data={"body": "Called back, no answer.", "kind": "note", "csrf_token": token},
        headers=HTMX_HEADERS,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Called back, no answer." in response.text


def test_an_empty_note_is_422(agent, incident):
    response = act(agent, incident, "notes", body="  ", kind="note")
    assert response.status_code == 422
    assert "Enter message" in response.text


def test_editing_impact_and_urgency_changes_the_priority_and_marks_the_clock(
    agent, email, incident
):
    data = {
        "title": incident.title,
        "service": str(email.id),
        "category": "email",
        "channel": "phone",
        "impact": "1",
        "urgency": "1",
    }
    response = act(agent, incident, "edit", **data)
    assert response.status_code == 303
    assert reload(incident).priority == 1
    assert ("priority", "priority changed from P3 Medium to P1 Critical") in kinds(incident)


def test_the_incident_page_shows_its_sla_and_why(agent, incident):
    page = agent.get(url(incident))
    assert "Why is it due then?" in page.text
    assert "business hours" in page.text or "outside hours" in page.text
