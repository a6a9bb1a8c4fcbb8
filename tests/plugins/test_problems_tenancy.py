"""Every problems page for another organisation's record is 404, and lists never show it."""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents.testing import make_incident
from accord.plugins.problems import proposals
from accord.plugins.problems.models import Problem, ProblemIncident, Proposal
from accord.plugins.problems.testing import make_problem, reload
from accord.testing import HTMX_HEADERS, post_form

SECRET_TITLES = ["Globex secret VPN drops", "Globex secret VPN dropping", "Globex secret VPN drop"]


@pytest.fixture
def theirs(make_org, enable_plugin):
    """Globex's records: a known error with a linked incident, and a proposal."""
    globex = make_org("globex")
    enable_plugin(globex, "problems")
    service = make_service(globex, "Globex secret service", code="SECRET")
    problem = make_problem(
        globex,
        "Globex secret known error",
        service=service,
        status="known_error",
        workaround="Globex secret workaround",
    )
    linked = make_incident(globex, "Globex secret outage", service=service)
    ProblemIncident.create(org=globex, problem=problem, incident=linked)
    for title in SECRET_TITLES:
        make_incident(globex, title, service=service, category="network")
    (proposal,) = proposals.refresh(globex)
    return {
        "pk": problem.id,
        "iid": linked.id,
        "incident": linked.id,
        "proposal": proposal.id,
        "service": service.id,
    }


@pytest.fixture
def acme_admin(signed_in, org, enable_plugin):
    enable_plugin(org, "problems")
    return signed_in("admin")


READS = [
    "/{pk}",
    "/{pk}?q=secret",
    "/{pk}/edit",
    "/{pk}/move/investigate",
    "/{pk}/move/known_error",
    "/{pk}/move/resolve",
    "/{pk}/move/close",
    "/{pk}/move/reopen",
    "/incident/{incident}/link",
]
CHANGES = [
    "/{pk}/edit",
    "/{pk}/move/investigate",
    "/{pk}/move/known_error",
    "/{pk}/move/resolve",
    "/{pk}/move/close",
    "/{pk}/move/reopen",
    "/{pk}/incidents",
    "/{pk}/incidents/{iid}/unlink",
    "/incident/{incident}/link",
    "/proposed/{proposal}/accept",
    "/proposed/{proposal}/dismiss",
]
FORM = {
    "version": "1",
    "title": "Mine now",
    "category": "other",
    "priority": "3",
    "workaround": "Mine",
    "root_cause": "Mine",
    "fix_change": "CHG-1",
    "problem": "PRB-0001",
}


@pytest.mark.parametrize("page", READS)
def test_another_organisations_record_page_is_404(acme_admin, theirs, page):
    response = acme_admin.get("/o/acme/problems" + page.format(**theirs))
    assert response.status_code == 404
    assert "secret" not in response.text.lower()


@pytest.mark.parametrize("page", CHANGES)
def test_another_organisations_record_cannot_be_changed(acme_admin, theirs, page):
    data = {**FORM, "incident": str(theirs["incident"])}
    response = post_form(
        acme_admin,
        "/o/acme/problems" + page.format(**theirs),
        data,
        token_from="/o/acme/problems/",
    )
    assert response.status_code == 404


def test_nothing_of_theirs_changed(acme_admin, theirs):
    for page in CHANGES:
        post_form(
            acme_admin,
            "/o/acme/problems" + page.format(**theirs),
            {**FORM, "incident": str(theirs["incident"])},
            token_from="/o/acme/problems/",
        )
    problem = reload(Problem.get_by_id(theirs["pk"]))
    assert (problem.status, problem.title, problem.version) == (
        "known_error",
        "Globex secret known error",
        2,
    )
    assert ProblemIncident.select().where(ProblemIncident.problem == theirs["pk"]).count() == 1
    assert Proposal.get_by_id(theirs["proposal"]).status == "proposed"
    assert Problem.select().count() == 1


def test_their_incident_cannot_be_linked_to_our_problem(acme_admin, org, theirs):
    ours = make_problem(org, "Our problem")
    post_form(
        acme_admin,
        f"/o/acme/problems/{ours.id}/incidents",
        {"incident": str(theirs["incident"])},
        token_from="/o/acme/problems/",
    )
    assert ProblemIncident.select().where(ProblemIncident.problem == ours.id).count() == 0


def test_our_incident_cannot_be_linked_to_their_problem_by_reference(acme_admin, org, theirs):
    incident = make_incident(org, "Our outage")
    response = post_form(
        acme_admin,
        f"/o/acme/problems/incident/{incident.id}/link",
        {"problem": "PRB-0001"},
        token_from="/o/acme/problems/",
    )
    assert response.status_code == 422
    assert ProblemIncident.select().where(ProblemIncident.incident == incident.id).count() == 0


def test_unlinking_their_incident_from_our_problem_is_404(acme_admin, org, theirs):
    ours = make_problem(org, "Our problem")
    response = post_form(
        acme_admin,
        f"/o/acme/problems/{ours.id}/incidents/{theirs['iid']}/unlink",
        token_from="/o/acme/problems/",
    )
    assert response.status_code == 404


@pytest.mark.parametrize("page", READS)
def test_their_own_organisation_url_is_404_for_a_stranger(acme_admin, theirs, page):
    response = acme_admin.get("/o/globex/problems" + page.format(**theirs))
    assert response.status_code == 404


def test_lists_and_lookups_show_only_the_organisations_own_records(acme_admin, theirs):
    pages = [
        "/",
        "/?q=secret",
        "/known-errors",
        "/known-errors?q=secret",
        "/proposed",
    ]
    for page in pages:
        text = acme_admin.get("/o/acme/problems" + page, headers=HTMX_HEADERS).text
        assert "secret" not in text.lower(), page
    csv = acme_admin.get("/o/acme/problems/known-errors?format=csv").text
    assert "secret" not in csv.lower()


def test_looking_now_proposes_nothing_from_their_incidents(acme_admin, theirs):
    post_form(acme_admin, "/o/acme/problems/proposed/run", token_from="/o/acme/problems/proposed")
    assert "secret" not in acme_admin.get("/o/acme/problems/proposed").text.lower()


def test_suggestions_never_offer_their_known_errors(acme_admin, theirs):
    for params in (
        {"title": "Globex secret known error"},
        {"title": "Globex secret known error", "service": str(theirs["service"])},
    ):
        text = acme_admin.get("/o/acme/incidents/suggestions", params=params).text
        assert "PRB-0001" not in text and "Globex secret workaround" not in text, params


def test_global_search_finds_only_the_organisations_problems(acme_admin, theirs):
    for query in ("PRB-0001", "secret workaround", "secret known"):
        text = acme_admin.get(f"/o/acme/dashboard/search?q={query}").text
        assert "Globex secret" not in text, query
