"""Logging an incident: the reporter from contacts or new, the priority from the matrix."""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_calendar, make_service
from accord.plugins.contacts.models import Person
from accord.plugins.contacts.testing import make_organisation, make_person
from accord.plugins.incidents.models import Incident, PriorityCell
from accord.testing import HTMX_HEADERS, post_form

LEVELS = {1: (15, 120), 2: (30, 480), 3: (240, 1440), 4: (480, 2880)}


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def email(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Email", levels=LEVELS, calendar=make_calendar(org))


@pytest.fixture
def ana(org):
    school = make_organisation(org, "Riverside Academy")
    return make_person(org, "Ana", "Lima", email="ana@riverside.example", organisation=school)


@pytest.fixture
def agent(signed_in, email):
    return signed_in("agent")


def log(client, **fields):
    data = {
        "title": "Outlook keeps asking for my password",
        "description": "Since this morning.",
        "category": "email",
        "channel": "phone",
        "impact": "2",
        "urgency": "2",
        **fields,
    }
    return post_form(client, "/o/acme/incidents/new", data, token_from="/o/acme/incidents/new")


def test_an_agent_logs_an_incident_for_a_person_found_in_contacts(agent, email, ana):
    response = log(agent, reporter=str(ana.id), service=str(email.id))
    incident = Incident.get()
    assert response.status_code == 303
    assert response.headers["location"] == f"/o/acme/incidents/{incident.id}"
    assert (incident.reference, incident.status, incident.reporter_id) == (
        "INC-000001",
        "new",
        ana.id,
    )
    assert incident.customer_id == ana.organisation_id  # the reporter's main organisation


def test_the_incident_page_shows_what_was_logged(agent, email, ana):
    log(agent, reporter=str(ana.id), service=str(email.id))
    page = agent.get(f"/o/acme/incidents/{Incident.get().id}")
    assert page.status_code == 200
    assert "INC-000001 Outlook keeps asking for my password" in page.text
    assert "Ana Lima" in page.text and "Riverside Academy" in page.text


def test_the_default_matrix_makes_significant_and_high_a_p2(agent, email, ana):
    log(agent, reporter=str(ana.id), service=str(email.id), impact="2", urgency="2")
    assert Incident.get().priority == 2


def test_the_priority_comes_from_the_organisations_own_matrix(agent, org, email, ana):
    PriorityCell.create(org=org, impact=2, urgency=2, priority=1)
    log(agent, reporter=str(ana.id), service=str(email.id), impact="2", urgency="2")
    assert Incident.get().priority == 1


def test_the_priority_is_shown_live_with_the_services_targets(agent, email):
    url = f"/o/acme/incidents/priority?impact=1&urgency=1&service={email.id}"
    fragment = agent.get(url, headers=HTMX_HEADERS)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "P1 Critical" in fragment.text
    assert "respond within 15 business minutes, resolve within 2 business hours" in fragment.text


def test_a_new_reporter_is_added_to_contacts_when_logging(agent, org, email):
    response = log(
        agent,
        service=str(email.id),
        new_first_name="Bo",
        new_last_name="Diaz",
        new_email="Bo.Diaz@Example.ORG",
        new_phone="020 7946 0958",
    )
    assert response.status_code == 303
    bo = Person.get(Person.last_name == "Diaz")
    assert (bo.org_id, bo.email, bo.phone) == (org.id, "Bo.Diaz@example.org", "+442079460958")
    assert Incident.get().reporter_id == bo.id


def test_logging_without_a_reporter_is_422_and_keeps_the_input(agent, email):
    response = log(agent, service=str(email.id), title="Printer on fire")
    assert response.status_code == 422
    assert "Find the reporter in contacts" in response.text
    assert 'value="Printer on fire"' in response.text
    assert not Incident.select().exists()


def test_a_new_reporters_bad_phone_number_is_422(agent, email):
    response = log(
        agent, service=str(email.id), new_first_name="Bo", new_last_name="Diaz", new_phone="12"
    )
    assert response.status_code == 422
    assert "area code" in response.text


def test_a_reporter_of_another_organisation_cannot_be_chosen(agent, email, make_org):
    stranger = make_person(make_org("globex"), "Gil", "Secret")
    response = log(agent, reporter=str(stranger.id), service=str(email.id))
    assert response.status_code == 422
    assert not Incident.select().exists()


def test_the_reporter_search_answers_htmx_with_matching_people(agent, ana):
    fragment = agent.get("/o/acme/incidents/reporters?reporter_q=lima", headers=HTMX_HEADERS)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert f'name="reporter" value="{ana.id}"' in fragment.text
    assert "Ana Lima · Riverside Academy · ana@riverside.example" in fragment.text


def test_without_javascript_the_log_page_shows_the_search_results(agent, ana):
    page = agent.get("/o/acme/incidents/new?reporter_q=ana")
    assert f'name="reporter" value="{ana.id}"' in page.text


def test_find_without_javascript_keeps_everything_typed(agent, ana):
    page = agent.get(
        "/o/acme/incidents/new",
        params={
            "title": "Printer on fire",
            "description": "Smoke from tray 2.",
            "reporter_q": "lima",
            "find": "1",
        },
    ).text
    assert 'value="Printer on fire"' in page
    assert "Smoke from tray 2.</textarea>" in page
    assert 'id="reporter-q" name="reporter_q" value="lima"' in page
    assert f'name="reporter" value="{ana.id}"' in page


def test_find_and_the_search_box_send_the_whole_log_form(agent):
    page = agent.get("/o/acme/incidents/new").text
    log_form = page[
        page.index('id="log-form"') : page.index("</form>", page.index('id="log-form"'))
    ]
    assert 'name="reporter_q"' in log_form
    assert 'name="find" value="1" formmethod="get"' in log_form
    assert 'form="reporter-find"' not in page


def test_the_reporter_search_shows_only_this_organisations_people(agent, ana, make_org):
    stranger = make_person(make_org("globex"), "Ana", "Lima", email="ana@globex.example")
    fragment = agent.get("/o/acme/incidents/reporters?reporter_q=ana+lima", headers=HTMX_HEADERS)
    assert f'value="{ana.id}"' in fragment.text
    assert f'value="{stranger.id}"' not in fragment.text
    assert "globex" not in fragment.text


def test_a_person_page_link_preselects_the_reporter(agent, ana):
    page = agent.get(f"/o/acme/incidents/new?reporter={ana.id}")
    assert f'name="reporter" value="{ana.id}" checked' in page.text


def test_references_count_up_within_each_organisation(agent, email, ana):
    log(agent, reporter=str(ana.id), service=str(email.id))
    log(agent, reporter=str(ana.id), service=str(email.id))
    assert [i.reference for i in Incident.select().order_by(Incident.id)] == [
        "INC-000001",
        "INC-000002",
    ]


def test_a_viewer_may_see_incidents_but_not_log_one(signed_in, email):
    viewer = signed_in("viewer")
    assert viewer.get("/o/acme/incidents/queues/all").status_code == 200
    assert viewer.get("/o/acme/incidents/new").status_code == 403
