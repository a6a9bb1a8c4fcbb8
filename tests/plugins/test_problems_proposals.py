"""The detector over an organisation's incidents: proposals, accepting and dismissing them."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents.testing import make_incident
from accord.plugins.problems import proposals, tasks
from accord.plugins.problems.detector import Group
from accord.plugins.problems.models import Problem, ProblemIncident, Proposal
from accord.plugins.problems.testing import make_problem
from accord.testing import post_form

VPN_TITLES = [
    "VPN disconnects every ten minutes",
    "VPN keeps disconnecting every ten minutes",
    "Disconnects from VPN every ten minutes",
]


@pytest.fixture
def on(org, enable_plugin):
    enable_plugin(org, "problems")


@pytest.fixture
def agent(signed_in, on):
    return signed_in("agent")


@pytest.fixture
def manager(signed_in, on):
    return signed_in("manager")


@pytest.fixture
def vpn(org):
    return make_service(org, "VPN", code="VPN")


@pytest.fixture
def vpn_incidents(org, vpn):
    now = utcnow()
    return [
        make_incident(org, title, service=vpn, category="network", at=now - dt.timedelta(days=d))
        for d, title in zip((6, 4, 2), VPN_TITLES, strict=True)
    ]


def ids(incidents):
    return sorted(i.id for i in incidents)


def run(client):
    return post_form(
        client, "/o/acme/problems/proposed/run", token_from="/o/acme/problems/proposed"
    )


def test_looking_now_proposes_the_recurring_incidents(manager, vpn_incidents):
    response = run(manager)
    assert response.status_code == 303
    (proposal,) = Proposal.select()
    assert proposal.incident_ids == ids(vpn_incidents)
    page = manager.get("/o/acme/problems/proposed").text
    assert all(i.reference in page for i in vpn_incidents)
    assert "Create the problem" in page


def test_incidents_older_than_the_window_are_left_out(org, on, vpn):
    old = utcnow() - dt.timedelta(days=45)
    for title in VPN_TITLES:
        make_incident(org, title, service=vpn, category="network", at=old)
    assert proposals.refresh(org) == []


def test_incidents_already_linked_to_a_problem_are_left_out(org, on, vpn_incidents):
    problem = make_problem(org, "VPN drops")
    ProblemIncident.create(org=org, problem=problem, incident=vpn_incidents[0])
    assert proposals.refresh(org) == []


def test_looking_again_keeps_the_same_proposal(org, on, vpn_incidents):
    (first,) = proposals.refresh(org)
    (again,) = proposals.refresh(org)
    assert first.id == again.id
    assert Proposal.select().count() == 1


def test_accepting_creates_the_problem_with_the_incidents_linked(agent, org, vpn, vpn_incidents):
    (proposal,) = proposals.refresh(org)
    response = post_form(
        agent,
        f"/o/acme/problems/proposed/{proposal.id}/accept",
        token_from="/o/acme/problems/proposed",
    )
    problem = Problem.get()
    assert response.headers["location"] == f"/o/acme/problems/{problem.id}"
    assert (problem.service_id, problem.category) == (vpn.id, "network")
    linked = ProblemIncident.select().where(ProblemIncident.problem == problem.id)
    assert sorted(row.incident_id for row in linked) == ids(vpn_incidents)
    assert Proposal.get_by_id(proposal.id).status == "accepted"
    assert "recurring-incident detector" in agent.get(f"/o/acme/problems/{problem.id}").text


def test_a_decided_proposal_cannot_be_accepted_again(agent, org, vpn_incidents):
    (proposal,) = proposals.refresh(org)
    url = f"/o/acme/problems/proposed/{proposal.id}/accept"
    post_form(agent, url, token_from="/o/acme/problems/proposed")
    assert post_form(agent, url, token_from="/o/acme/problems/proposed").status_code == 404
    assert Problem.select().count() == 1


def test_a_dismissed_group_is_not_proposed_again(manager, org, vpn_incidents):
    (proposal,) = proposals.refresh(org)
    response = post_form(
        manager,
        f"/o/acme/problems/proposed/{proposal.id}/dismiss",
        token_from="/o/acme/problems/proposed",
    )
    assert response.status_code == 303
    assert proposals.refresh(org) == []
    assert "No recurring incidents are waiting" in manager.get("/o/acme/problems/proposed").text


def test_a_dismissed_group_is_proposed_again_when_a_new_incident_joins_it(
    org, on, vpn, vpn_incidents
):
    (proposal,) = proposals.refresh(org)
    proposals.dismiss(proposal, user=None)
    make_incident(org, "VPN disconnects every ten minutes again", service=vpn, category="network")
    (fresh,) = proposals.refresh(org)
    assert len(fresh.incident_ids) == 4


def test_agents_accept_but_only_managers_look_now_or_dismiss(agent, org, vpn_incidents):
    (proposal,) = proposals.refresh(org)
    assert run(agent).status_code == 403
    dismiss = post_form(
        agent,
        f"/o/acme/problems/proposed/{proposal.id}/dismiss",
        token_from="/o/acme/problems/proposed",
    )
    assert dismiss.status_code == 403
    page = agent.get("/o/acme/problems/proposed").text
    assert "Create the problem" in page and "Look for recurring incidents now" not in page


def test_the_settings_change_what_is_proposed(org, on, vpn_incidents, accord_settings, accord_host):
    from accord import plugin_settings

    manifest = accord_host.manifest("problems")
    plugin_settings.save(accord_settings.secret_key, manifest, org, {"min_group_size": 4})
    assert proposals.refresh(org) == []


def test_the_daily_task_looks_in_every_organisation_with_problems_on(org, on, vpn_incidents):
    assert tasks.detect_recurring_incidents() == 1
    assert Proposal.select().count() == 1


def test_the_worker_runs_the_detector_every_day(accord_settings, accord_host):
    from accord.jobs import make_queue

    queue = make_queue(accord_settings, accord_host)
    due = {task.name for task in queue.read_periodic(dt.datetime(2026, 3, 2, 5, 30))}
    later = {task.name for task in queue.read_periodic(dt.datetime(2026, 3, 2, 5, 31))}
    assert "problems.detect_recurring_incidents" in due - later


def test_a_group_another_run_proposed_meanwhile_is_not_proposed_twice(org, on, vpn, vpn_incidents):
    (first,) = proposals.refresh(org)
    group = Group(vpn.id, "network", tuple(first.incident_ids), first.similarity, first.title)
    assert proposals.propose(org, group, utcnow()) is None
    assert Proposal.select().count() == 1


def test_a_dismissed_group_does_not_block_a_new_proposal_of_it(org, on, vpn, vpn_incidents):
    (first,) = proposals.refresh(org)
    Proposal.update(status="dismissed").execute()
    group = Group(vpn.id, "network", tuple(first.incident_ids), first.similarity, first.title)
    assert proposals.propose(org, group, utcnow()) is not None
