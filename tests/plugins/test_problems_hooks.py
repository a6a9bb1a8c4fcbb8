"""Problems elsewhere: the global search, the dashboard, events and the demo data."""

from __future__ import annotations

import pytest

from accord import hookimpl
from accord.plugins.incidents.testing import make_incident
from accord.plugins.problems.models import Problem, ProblemIncident, Proposal
from accord.plugins.problems.testing import make_problem
from accord.testing import manifest, post_form

received: list[tuple[str, dict]] = []


class Recorder:
    @hookimpl
    def handle_event(self, org, event, payload):
        received.append((event, payload))


@pytest.fixture
def recorder(accord_plugins):
    received.clear()
    accord_plugins.append((Recorder(), manifest("recorder")))


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "problems")
    return signed_in("agent")


def test_the_global_search_finds_a_problem_by_its_reference(agent, org):
    make_problem(org, "VPN drops every ten minutes")
    page = agent.get("/o/acme/dashboard/search?q=PRB-0001").text
    assert "PRB-0001 VPN drops every ten minutes" in page


def test_the_global_search_finds_a_known_error_by_words_of_its_workaround(agent, org):
    make_problem(org, "VPN drops", status="known_error", workaround="Switch to the SSL profile")
    page = agent.get("/o/acme/dashboard/search?q=ssl profile").text
    assert "PRB-0001 VPN drops" in page and "Known error" in page


def test_the_dashboard_counts_open_problems_and_known_errors(agent, org):
    make_problem(org, "VPN drops", status="known_error", workaround="SSL profile")
    make_problem(org, "Printer jams")
    page = agent.get("/o/acme/dashboard/").text
    assert '2<span class="stat-label">open problems</span>' in page
    assert '1<span class="stat-label">known error</span>' in page


def test_moving_a_problem_announces_it(recorder, agent, org, enable_plugin):
    enable_plugin(org, "recorder")
    problem = make_problem(org, "VPN drops")
    post_form(
        agent,
        f"/o/acme/problems/{problem.id}/move/investigate",
        {"version": "1"},
        token_from=f"/o/acme/problems/{problem.id}",
    )
    assert (
        "problems.status_changed",
        {"problem_id": problem.id, "from": "new", "to": "investigating"},
    ) in received


def test_linking_an_incident_announces_it(recorder, agent, org, enable_plugin):
    enable_plugin(org, "recorder")
    problem = make_problem(org, "VPN drops")
    incident = make_incident(org, "VPN disconnects")
    post_form(
        agent,
        f"/o/acme/problems/{problem.id}/incidents",
        {"incident": str(incident.id)},
        token_from=f"/o/acme/problems/{problem.id}",
    )
    assert (
        "problems.incident_linked",
        {"problem_id": problem.id, "incident_id": incident.id},
    ) in received


def test_the_demo_has_known_errors_linked_to_incidents_and_a_proposal(app, accord_host):
    from accord.demo import build_demo

    org = build_demo(accord_host).org
    problems = list(Problem.in_org(org))
    statuses = {p.status for p in problems}
    assert {"known_error", "resolved", "investigating"} <= statuses
    assert all(p.workaround for p in problems if p.status == "known_error")
    assert ProblemIncident.in_org(org).count() >= len(problems)
    proposals = list(Proposal.in_org(org).where(Proposal.status == "proposed"))
    assert any(p.category == "printing" and len(p.incident_ids) >= 3 for p in proposals)
