"""Linking incidents to problems: from the problem's page and from the incident's."""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents.testing import make_incident
from accord.plugins.problems.models import ProblemIncident
from accord.plugins.problems.testing import make_problem
from accord.testing import HTMX_HEADERS, post_form


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "problems")
    return signed_in("agent")


def linked(problem):
    return [
        row.incident_id
        for row in ProblemIncident.select().where(ProblemIncident.problem == problem.id)
    ]


def test_the_problem_page_finds_unlinked_incidents_by_title(agent, org):
    problem = make_problem(org, "VPN drops")
    make_incident(org, "VPN disconnects every ten minutes")
    make_incident(org, "Printer jam")
    page = agent.get(f"/o/acme/problems/{problem.id}?q=vpn").text
    assert "VPN disconnects every ten minutes" in page and "Printer jam" not in page


def test_the_incident_search_answers_htmx_with_the_incidents_card_only(agent, org):
    problem = make_problem(org, "VPN drops")
    make_incident(org, "VPN disconnects every ten minutes")
    fragment = agent.get(f"/o/acme/problems/{problem.id}?q=INC-000001", headers=HTMX_HEADERS)
    assert "VPN disconnects every ten minutes" in fragment.text
    assert "<html" not in fragment.text and "Timeline" not in fragment.text


def test_an_agent_links_an_incident_from_the_problem_page(agent, org):
    problem = make_problem(org, "VPN drops")
    incident = make_incident(org, "VPN disconnects")
    response = post_form(
        agent,
        f"/o/acme/problems/{problem.id}/incidents",
        {"incident": str(incident.id)},
        token_from=f"/o/acme/problems/{problem.id}",
    )
    assert response.status_code == 303
    assert linked(problem) == [incident.id]
    page = agent.get(f"/o/acme/problems/{problem.id}").text
    assert "INC-000001" in page and "Incident linked" in page


def test_linking_twice_keeps_one_link(agent, org):
    problem = make_problem(org, "VPN drops")
    incident = make_incident(org, "VPN disconnects")
    for _ in range(2):
        post_form(
            agent,
            f"/o/acme/problems/{problem.id}/incidents",
            {"incident": str(incident.id)},
            token_from=f"/o/acme/problems/{problem.id}",
        )
    assert linked(problem) == [incident.id]


def test_an_agent_unlinks_an_incident(agent, org):
    problem = make_problem(org, "VPN drops")
    incident = make_incident(org, "VPN disconnects")
    post_form(
        agent,
        f"/o/acme/problems/{problem.id}/incidents",
        {"incident": str(incident.id)},
        token_from=f"/o/acme/problems/{problem.id}",
    )
    response = post_form(
        agent,
        f"/o/acme/problems/{problem.id}/incidents/{incident.id}/unlink",
        token_from=f"/o/acme/problems/{problem.id}",
    )
    assert response.status_code == 303
    assert linked(problem) == []


def test_the_incident_page_shows_its_known_error_with_the_workaround(agent, org):
    problem = make_problem(org, "VPN drops", status="known_error", workaround="Use the SSL profile")
    incident = make_incident(org, "VPN disconnects")
    post_form(
        agent,
        f"/o/acme/problems/{problem.id}/incidents",
        {"incident": str(incident.id)},
        token_from=f"/o/acme/problems/{problem.id}",
    )
    page = agent.get(f"/o/acme/incidents/{incident.id}").text
    assert 'id="incident-problems"' in page
    assert "PRB-0001" in page and "Use the SSL profile" in page


def test_an_agent_links_an_incident_to_a_problem_by_its_reference(agent, org):
    problem = make_problem(org, "VPN drops")
    incident = make_incident(org, "VPN disconnects")
    page = agent.get(f"/o/acme/incidents/{incident.id}").text
    assert "Link to a problem" in page
    response = post_form(
        agent,
        f"/o/acme/problems/incident/{incident.id}/link",
        {"problem": "prb-1"},
        token_from=f"/o/acme/incidents/{incident.id}",
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/o/acme/incidents/{incident.id}"
    assert linked(problem) == [incident.id]


def test_an_unknown_problem_reference_is_refused_with_the_input_kept(agent, org):
    incident = make_incident(org, "VPN disconnects")
    response = post_form(
        agent,
        f"/o/acme/problems/incident/{incident.id}/link",
        {"problem": "PRB-0099"},
        token_from=f"/o/acme/incidents/{incident.id}",
    )
    assert response.status_code == 422
    assert "No problem PRB-0099 here" in response.text and 'value="PRB-0099"' in response.text


def test_the_link_page_offers_the_services_open_problems(agent, org):
    vpn = make_service(org, "VPN", code="VPN")
    make_problem(org, "VPN drops", service=vpn)
    make_problem(
        org, "Old VPN fault", service=vpn, status="resolved", root_cause="x", fix_change="C"
    )
    incident = make_incident(org, "VPN disconnects", service=vpn)
    page = agent.get(f"/o/acme/problems/incident/{incident.id}/link").text
    assert "VPN drops" in page and "Old VPN fault" not in page


def test_the_service_page_lists_its_open_problems(agent, org, enable_plugin):
    vpn = make_service(org, "VPN", code="VPN")
    make_problem(org, "VPN drops", service=vpn)
    page = agent.get(f"/o/acme/catalogue/{vpn.id}").text
    assert 'id="service-problems"' in page and "VPN drops" in page


def test_viewers_see_an_incidents_problem_but_no_link_form(signed_in, agent, org):
    problem = make_problem(org, "VPN drops")
    incident = make_incident(org, "VPN disconnects")
    ProblemIncident.create(org=org, problem=problem, incident=incident)
    page = signed_in("viewer").get(f"/o/acme/incidents/{incident.id}").text
    assert "PRB-0001" in page and "Link to a problem" not in page


def test_the_problem_page_offers_recent_incidents_like_it(agent, org):
    vpn = make_service(org, "VPN", code="VPN")
    problem = make_problem(
        org, "VPN disconnects every ten minutes", service=vpn, category="network"
    )
    alike = make_incident(org, "VPN keeps disconnecting", service=vpn, category="network")
    make_incident(org, "VPN client will not install", service=vpn, category="network")
    make_incident(org, "VPN keeps disconnecting", service=vpn, category="access")
    page = agent.get(f"/o/acme/problems/{problem.id}").text
    offered = page.split('id="alike-incidents"')[1].split("</ul>")[0]
    assert alike.reference in offered
    assert "will not install" not in offered and "INC-000003" not in offered
