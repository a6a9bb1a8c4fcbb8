"""Problem records: creating, editing, and the rules of their status moves, through the pages."""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_service
from accord.plugins.problems.models import Problem
from accord.plugins.problems.testing import make_problem, reload
from accord.testing import post_form


@pytest.fixture
def on(org, enable_plugin):
    enable_plugin(org, "problems")


@pytest.fixture
def agent(signed_in, on):
    return signed_in("agent")


@pytest.fixture
def manager(signed_in, on):
    return signed_in("manager")


def test_an_agent_records_a_problem_with_its_next_reference(agent, org):
    vpn = make_service(org, "VPN", code="VPN")
    response = post_form(
        agent,
        "/o/acme/problems/new",
        {
            "title": "VPN drops every ten minutes",
            "service": str(vpn.id),
            "category": "network",
            "priority": "2",
            "symptoms": "The client disconnects and reconnects.",
        },
        token_from="/o/acme/problems/new",
    )
    problem = Problem.get(Problem.title == "VPN drops every ten minutes")
    assert response.status_code == 303
    assert response.headers["location"] == f"/o/acme/problems/{problem.id}"
    assert (problem.reference, problem.status, problem.service_id) == ("PRB-0001", "new", vpn.id)
    assert make_problem(org, "Another").reference == "PRB-0002"


def test_a_problem_without_a_title_is_refused_with_the_input_kept(agent):
    response = post_form(
        agent,
        "/o/acme/problems/new",
        {"title": "", "category": "network", "priority": "2", "symptoms": "Typed by me"},
        token_from="/o/acme/problems/new",
    )
    assert response.status_code == 422
    assert "Enter title." in response.text and "Typed by me" in response.text
    assert Problem.select().count() == 0


def test_the_problem_page_shows_what_is_known(agent, org):
    problem = make_problem(org, "Printer jams", symptoms="Paper jams on floor 3")
    page = agent.get(f"/o/acme/problems/{problem.id}")
    assert page.status_code == 200
    assert "PRB-0001 Printer jams" in page.text and "Paper jams on floor 3" in page.text
    assert ">Recorded</span>" in page.text


def test_an_edit_saves_and_shows_on_the_timeline(agent, org):
    problem = make_problem(org, "Printer jams")
    response = post_form(
        agent,
        f"/o/acme/problems/{problem.id}/edit",
        {
            "version": "1",
            "title": "Printer jams",
            "category": "printing",
            "priority": "3",
            "root_cause": "Worn rollers",
        },
        token_from=f"/o/acme/problems/{problem.id}/edit",
    )
    assert response.status_code == 303
    assert reload(problem).root_cause == "Worn rollers"
    assert "Worn rollers" in agent.get(f"/o/acme/problems/{problem.id}").text


def test_an_edit_of_a_version_someone_else_saved_is_a_conflict(agent, org):
    problem = make_problem(org, "Printer jams")
    problem.title = "Printers jam"
    problem.save()
    response = post_form(
        agent,
        f"/o/acme/problems/{problem.id}/edit",
        {"version": "1", "title": "Mine", "category": "printing", "priority": "3"},
        token_from=f"/o/acme/problems/{problem.id}/edit",
    )
    assert response.status_code == 409
    assert reload(problem).title == "Printers jam"


def _move(client, problem, move, data=None):
    return post_form(
        client,
        f"/o/acme/problems/{problem.id}/move/{move}",
        {"version": str(reload(problem).version), **(data or {})},
        token_from=f"/o/acme/problems/{problem.id}",
    )


def test_investigating_starts_from_new(agent, org):
    problem = make_problem(org)
    assert _move(agent, problem, "investigate").status_code == 303
    assert reload(problem).status == "investigating"


def test_a_known_error_needs_a_workaround(agent, org):
    problem = make_problem(org, status="investigating")
    response = _move(agent, problem, "known_error", {"workaround": ""})
    assert response.status_code == 422
    assert reload(problem).status == "investigating"


def test_a_problem_with_a_workaround_becomes_a_known_error(agent, org):
    problem = make_problem(org, status="investigating")
    response = _move(agent, problem, "known_error", {"workaround": "Use webmail"})
    assert response.status_code == 303
    saved = reload(problem)
    assert (saved.status, saved.workaround) == ("known_error", "Use webmail")
    assert saved.known_error_at is not None
    assert "Investigating → Known error" in agent.get(f"/o/acme/problems/{problem.id}").text


def test_resolving_needs_the_root_cause_and_the_fixing_change(agent, org):
    problem = make_problem(org, status="known_error", workaround="Use webmail")
    missing_change = _move(agent, problem, "resolve", {"root_cause": "Cached autodiscover"})
    assert missing_change.status_code == 422
    assert "Cached autodiscover" in missing_change.text
    missing_cause = _move(agent, problem, "resolve", {"fix_change": "CHG-1042"})
    assert missing_cause.status_code == 422
    assert reload(problem).status == "known_error"


def test_a_problem_with_its_cause_and_change_is_resolved(agent, org):
    problem = make_problem(org, status="known_error", workaround="Use webmail")
    response = _move(
        agent, problem, "resolve", {"root_cause": "Cached autodiscover", "fix_change": "CHG-1042"}
    )
    assert response.status_code == 303
    saved = reload(problem)
    assert (saved.status, saved.fix_change) == ("resolved", "CHG-1042")


def test_a_move_the_status_does_not_allow_is_refused(manager, org):
    problem = make_problem(org)
    response = _move(manager, problem, "close")
    assert response.status_code == 422
    assert "cannot make that move" in response.text
    assert reload(problem).status == "new"


def test_only_managers_close_a_resolved_problem(agent, manager, org):
    problem = make_problem(org, status="resolved", root_cause="Worn", fix_change="CHG-1")
    assert _move(agent, problem, "close").status_code == 403
    assert _move(manager, problem, "close").status_code == 303
    assert reload(problem).status == "closed"


def test_a_known_error_keeps_its_workaround_on_edit(agent, org):
    problem = make_problem(org, "Printer jams", status="known_error", workaround="Use floor 2")
    response = post_form(
        agent,
        f"/o/acme/problems/{problem.id}/edit",
        {
            "version": str(problem.version),
            "title": "Printer jams",
            "category": "printing",
            "priority": "3",
            "workaround": "",
        },
        token_from=f"/o/acme/problems/{problem.id}/edit",
    )
    assert response.status_code == 422
    assert reload(problem).workaround == "Use floor 2"


def test_the_list_searches_filters_and_exports(agent, org):
    make_problem(org, "Printer jams")
    make_problem(org, "VPN drops", status="investigating")
    found = agent.get("/o/acme/problems/?q=printer").text
    assert "Printer jams" in found and "VPN drops" not in found
    filtered = agent.get("/o/acme/problems/?status=investigating").text
    assert "VPN drops" in filtered and "Printer jams" not in filtered
    csv = agent.get("/o/acme/problems/?format=csv")
    assert csv.status_code == 200 and "PRB-0002" in csv.text


def test_viewers_see_problems_but_cannot_record_one(signed_in, on, org):
    viewer = signed_in("viewer")
    make_problem(org, "Printer jams")
    assert viewer.get("/o/acme/problems/").status_code == 200
    assert viewer.get("/o/acme/problems/new").status_code == 403


def test_the_menu_lists_problems_known_errors_and_proposals(agent):
    page = agent.get("/o/acme/dashboard/").text
    assert ">Problems</a>" in page and ">Known errors</a>" in page
    assert ">Proposed problems</a>" in page


def test_the_known_error_form_opens_with_the_workaround_so_far(agent, org):
    problem = make_problem(org, status="investigating", workaround="Restart the client")
    page = agent.get(f"/o/acme/problems/{problem.id}/move/known_error")
    assert page.status_code == 200 and "Restart the client" in page.text


def test_opening_a_move_the_status_does_not_allow_goes_back_to_the_problem(agent, org):
    problem = make_problem(org)
    response = agent.get(f"/o/acme/problems/{problem.id}/move/reopen", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/o/acme/problems/{problem.id}"


def test_an_unknown_move_is_404(agent, org):
    problem = make_problem(org)
    assert agent.get(f"/o/acme/problems/{problem.id}/move/explode").status_code == 404


def test_a_status_move_shows_once_on_the_timeline_as_the_problems_own_event(agent, org):
    problem = make_problem(org, "Printer jams", status="investigating")
    _move(agent, problem, "known_error", {"workaround": "Print from tray 2"})
    page = agent.get(f"/o/acme/problems/{problem.id}").text
    assert '<span class="changes-label">Workaround:</span>' in page
    assert '<span class="changes-label">Status:</span>' not in page
