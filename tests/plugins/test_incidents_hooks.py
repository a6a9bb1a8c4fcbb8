"""Incidents elsewhere: menu, dashboard, search, contacts' pages, events and demo data."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import hookimpl, utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.contacts.testing import make_organisation, make_person
from accord.plugins.incidents.models import Incident, Team
from accord.plugins.incidents.testing import make_incident
from accord.testing import manifest, post_form

received: list[tuple[str, dict]] = []


class Recorder:
    @hookimpl
    def handle_event(self, org, event, payload):
        received.append((event, payload))


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def recorder(accord_plugins):
    received.clear()
    accord_plugins.append((Recorder(), manifest("recorder")))


@pytest.fixture
def on(org, enable_plugin):
    enable_plugin(org, "incidents")


@pytest.fixture
def agent(signed_in, on):
    return signed_in("agent")


def test_the_menu_offers_queues_and_logging_to_agents(agent):
    page = agent.get("/o/acme/dashboard/").text
    assert ">Incident queues</a>" in page and ">Log incident</a>" in page
    assert ">Priority matrix</a>" not in page


def test_the_menu_offers_no_logging_to_viewers(signed_in, on):
    page = signed_in("viewer").get("/o/acme/dashboard/").text
    assert ">Incident queues</a>" in page and ">Log incident</a>" not in page


def test_the_dashboard_counts_unassigned_and_breaching_incidents(agent, org):
    make_incident(org)
    page = agent.get("/o/acme/dashboard/").text
    assert '1<span class="stat-label">unassigned</span>' in page
    assert '0<span class="stat-label">my open incidents</span>' in page


def test_a_viewer_who_cannot_be_given_incidents_has_no_count_of_their_own(signed_in, on, org):
    make_incident(org)
    page = signed_in("viewer").get("/o/acme/dashboard/").text
    assert '1<span class="stat-label">unassigned</span>' in page
    assert "my open incident" not in page


def test_the_global_search_finds_an_incident_by_its_reference(agent, org):
    make_incident(org, "Printer jam on floor 2")
    for query in ("INC-000001", "inc-1", "1"):
        page = agent.get(f"/o/acme/dashboard/search?q={query}").text
        assert "INC-000001 Printer jam on floor 2" in page, query


def test_the_global_search_finds_an_incident_by_words_of_its_title(agent, org):
    make_incident(org, "Printer jam on floor 2")
    assert "INC-000001" in agent.get("/o/acme/dashboard/search?q=printer floor").text


def test_a_persons_contact_page_lists_their_incidents(agent, org):
    ana = make_person(org, "Ana", "Lima")
    make_incident(org, "Printer jam", reporter=ana)
    page = agent.get(f"/o/acme/contacts/people/{ana.id}").text
    assert 'id="person-incidents"' in page
    assert f'href="/o/acme/incidents/new?reporter={ana.id}"' in page
    assert "INC-000001</a> Printer jam" in page  # on the timeline and in the side card


def test_logging_an_incident_announces_it(recorder, agent, org, enable_plugin):
    enable_plugin(org, "recorder")
    ana = make_person(org, "Ana", "Lima")
    service = make_service(org, "Email")
    data = {
        "title": "Printer jam",
        "reporter": str(ana.id),
        "service": str(service.id),
        "category": "printing",
        "channel": "walk_in",
        "impact": "4",
        "urgency": "4",
    }
    post_form(agent, "/o/acme/incidents/new", data, token_from="/o/acme/incidents/new")
    incident = Incident.get()
    expected = {
        "incident_id": incident.id,
        "reference": "INC-000001",
        "priority": 4,
        "service_id": service.id,
        "reporter_id": ana.id,
    }
    assert received == [("incidents.created", expected)]


def test_resolving_announces_the_status_change_and_the_resolution(
    recorder, agent, org, enable_plugin
):
    enable_plugin(org, "recorder")
    incident = make_incident(org)
    url = f"/o/acme/incidents/{incident.id}"
    data = {"version": "1", "resolution_code": "fixed", "resolution_notes": "Replaced toner."}
    post_form(agent, f"{url}/resolve", data, token_from=url)
    assert [name for name, _ in received] == ["incidents.status_changed", "incidents.resolved"]
    assert received[0][1] == {"incident_id": incident.id, "from": "new", "to": "resolved"}
    assert received[1][1] == {"incident_id": incident.id, "resolution_code": "fixed"}


def test_a_refused_change_announces_nothing(recorder, agent, org, enable_plugin):
    enable_plugin(org, "recorder")
    incident = make_incident(org)
    url = f"/o/acme/incidents/{incident.id}"
    post_form(agent, f"{url}/resolve", {"version": "1", "resolution_code": "fixed"}, token_from=url)
    assert received == []


def test_the_demo_fills_a_realistic_service_desk(accord_host):
    from accord.demo import build_demo

    result = build_demo(accord_host)
    org = result.org
    teams = {t.name: t.tier for t in Team.in_org(org)}
    assert teams == {
        "Service Desk": 1,
        "Infrastructure": 2,
        "Applications": 2,
        "Vendor escalations": 3,
    }
    incidents = list(Incident.in_org(org))
    now = utcnow()
    assert 140 <= len(incidents) <= 160
    assert all(now - dt.timedelta(days=61) <= i.created_at <= now for i in incidents)
    statuses = {i.status for i in incidents}
    assert {"resolved", "closed"} <= statuses
    assert len(statuses & {"new", "assigned", "in_progress", "pending"}) >= 2
    assert any(i.sla_state(now) == "breached" for i in incidents)
    assert sum(i.sla_state(now) == "met" for i in incidents) > len(incidents) / 2


def test_the_demo_shows_a_major_incident_a_merged_duplicate_and_escalations(accord_host):
    from accord.demo import build_demo
    from accord.plugins.incidents.models import Activity, SavedView

    org = build_demo(accord_host).org
    [major] = Incident.in_org(org).where(Incident.is_major)
    assert Incident.in_org(org).where(Incident.parent == major.id).count() == 3
    [duplicate] = Incident.in_org(org).where(Incident.merged_into.is_null(False))
    assert duplicate.status == "closed" and duplicate.resolution_code == "duplicate"
    kinds = {a.kind for a in Activity.in_org(org)}
    assert {"sla_alert", "escalation", "link", "merge"} <= kinds
    assert SavedView.in_org(org).exists()


@pytest.mark.parametrize(
    ("name", "minute"),
    [("incidents.escalate", 17), ("incidents.close_resolved", 7)],
)
def test_the_worker_runs_escalation_and_closing(accord_settings, accord_host, name, minute):
    from datetime import datetime

    from accord.jobs import make_queue

    queue = make_queue(accord_settings, accord_host)
    [task] = [t for t in queue._registry._periodic_tasks if t.__name__ == name]
    assert task().validate_datetime(datetime(2025, 3, 3, 9, minute))


def test_a_customer_organisations_page_lists_its_open_incidents(agent, org):
    school = make_organisation(org, "Riverside Academy")
    ana = make_person(org, "Ana", "Lima", organisation=school)
    make_incident(org, "Printer jam", reporter=ana)
    page = agent.get(f"/o/acme/contacts/organisations/{school.id}").text
    assert 'id="organisation-incidents"' in page and "Printer jam" in page


def test_the_worker_retries_reporters_emails_every_minute(accord_settings, accord_host):
    from datetime import datetime

    from accord.jobs import make_queue

    queue = make_queue(accord_settings, accord_host)
    periodic = queue._registry._periodic_tasks
    [task] = [t for t in periodic if t.__name__ == "incidents.send_due_emails"]
    assert task().validate_datetime(datetime(2025, 3, 3, 9, 17))


class KnownErrors:
    """A plugin suggesting something for what is being logged, like problems' known errors."""

    @hookimpl
    def fill_slot(self, ctx, slot, context):
        if slot == "incidents.intake.suggestions" and context["text"]:
            service = context["service"].name if context["service"] else "any service"
            return f"<p>Seen before on {service}: {context['text']}</p>"
        if slot in ("incidents.incident.side", "incidents.incident.actions"):
            return f"<p>{slot} of {context['incident'].reference}</p>"
        return None


@pytest.fixture
def known_errors_loaded(accord_plugins):
    accord_plugins.append((KnownErrors(), manifest("known_errors")))


@pytest.fixture
def known_errors(known_errors_loaded, org, enable_plugin):
    enable_plugin(org, "known_errors")


def test_the_log_form_asks_plugins_for_suggestions_as_the_user_types(known_errors, agent, org):
    service = make_service(org, name="Email")
    page = agent.get(
        "/o/acme/incidents/suggestions", params={"title": "Mail stuck", "service": service.id}
    )
    assert page.status_code == 200
    assert "Seen before on Email: Mail stuck" in page.text
    assert 'id="incident-suggestions"' in page.text


def test_suggestions_ignore_another_organisations_service(known_errors, agent, make_org):
    foreign = make_service(make_org("other"), name="Their email")
    page = agent.get("/o/acme/incidents/suggestions", params={"title": "x", "service": foreign.id})
    assert "Seen before on any service: x" in page.text


def test_the_log_form_shows_suggestions_for_what_was_typed(known_errors, agent, org):
    make_service(org)  # without a live service the page asks for one instead of the form
    page = agent.get("/o/acme/incidents/new", params={"title": "Printer jam"}).text
    assert "Seen before on any service: Printer jam" in page


def test_an_incident_page_offers_slots_beside_and_among_its_actions(known_errors, agent, org):
    incident = make_incident(org)
    page = agent.get(f"/o/acme/incidents/{incident.id}").text
    assert f"incidents.incident.side of {incident.reference}" in page
    assert f"incidents.incident.actions of {incident.reference}" in page


def test_merging_two_people_moves_the_incidents_they_reported(agent, org):
    from accord.plugins.contacts.testing import make_person

    ana = make_person(org, "Ana", "Lima", email="ana@example.org")
    twin = make_person(org, "Ana", "Lima", email="ana@example.org")
    incident = make_incident(org, reporter=twin)
    url = f"/o/acme/contacts/people/{ana.id}/merge?with={twin.id}"
    response = post_form(agent, url, {"keep": str(ana.id)}, token_from=url)
    assert response.status_code == 303
    assert Incident.get_by_id(incident.id).reporter_id == ana.id
    assert "Moved: incidents reported 1" in agent.get(f"/o/acme/contacts/people/{ana.id}").text
