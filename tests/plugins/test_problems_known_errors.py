"""The known-error database, and known errors suggested while an incident is being logged."""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents.testing import make_incident
from accord.plugins.problems.testing import make_problem
from accord.testing import HTMX_HEADERS


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "problems")
    return signed_in("agent")


@pytest.fixture
def email(org):
    return make_service(org, "Email", code="EMAIL")


@pytest.fixture
def outlook(org, email):
    return make_problem(
        org,
        "Outlook asks for the password again and again",
        service=email,
        status="known_error",
        symptoms="Outlook keeps prompting for the password; webmail works.",
        workaround="Remove the MicrosoftOffice16 entries in Credential Manager.",
    )


def suggestions(client, title, service=None):
    query = {"title": title, **({"service": str(service.id)} if service else {})}
    return client.get("/o/acme/incidents/suggestions", params=query, headers=HTMX_HEADERS).text


def test_the_known_error_page_lists_known_errors_with_their_workaround(agent, org, outlook):
    make_problem(org, "Printer jams")
    page = agent.get("/o/acme/problems/known-errors").text
    assert "Outlook asks for the password again and again" in page
    assert "Remove the MicrosoftOffice16 entries" in page
    assert "Printer jams" not in page


def test_the_known_error_page_searches_symptoms_and_workarounds(agent, org, outlook):
    make_problem(org, "VPN drops", status="known_error", workaround="Use the SSL profile")
    by_symptom = agent.get("/o/acme/problems/known-errors?q=webmail").text
    assert "Outlook asks" in by_symptom and "VPN drops" not in by_symptom
    by_workaround = agent.get("/o/acme/problems/known-errors?q=ssl").text
    assert "VPN drops" in by_workaround and "Outlook asks" not in by_workaround


def test_the_known_error_page_filters_by_service_and_exports(agent, org, email, outlook):
    make_problem(org, "VPN drops", status="known_error", workaround="Use the SSL profile")
    page = agent.get(f"/o/acme/problems/known-errors?service={email.id}").text
    assert "Outlook asks" in page and "VPN drops" not in page
    csv = agent.get("/o/acme/problems/known-errors?format=csv").text
    assert "Use the SSL profile" in csv


def test_logging_an_incident_suggests_the_matching_known_error_with_its_workaround(
    agent, email, outlook
):
    text = suggestions(agent, "Outlook keeps asking for my password", email)
    assert "PRB-0001" in text and "Remove the MicrosoftOffice16 entries" in text


def test_a_matching_known_error_is_suggested_before_a_service_is_chosen(agent, outlook):
    assert "PRB-0001" in suggestions(agent, "outlook asking for password")


def test_nothing_is_suggested_for_a_short_text(agent, email, outlook):
    assert "PRB-0001" not in suggestions(agent, "outlook", email)


def test_nothing_is_suggested_for_unrelated_text(agent, email, outlook):
    assert "PRB-0001" not in suggestions(agent, "Printer on floor 3 jams every morning", email)


def test_a_known_error_of_another_service_is_not_suggested(agent, org, outlook):
    vpn = make_service(org, "VPN", code="VPN")
    assert "PRB-0001" not in suggestions(agent, "Outlook keeps asking for my password", vpn)


def test_problems_that_are_not_known_errors_are_not_suggested(agent, org, email):
    make_problem(org, "Outlook asks for the password again and again", service=email)
    assert "PRB-0001" not in suggestions(agent, "Outlook keeps asking for my password", email)


def test_at_most_three_known_errors_are_suggested(agent, org, email):
    for n in range(5):
        make_problem(
            org,
            f"Outlook asks for the password variant {n}",
            service=email,
            status="known_error",
            workaround=f"Workaround {n}",
        )
    text = suggestions(agent, "Outlook asks for the password", email)
    assert text.count("Workaround ") == 3


def test_the_log_form_shows_suggestions_for_what_it_was_opened_with(agent, email, outlook):
    page = agent.get(
        "/o/acme/incidents/new",
        params={"title": "Outlook keeps asking for my password", "service": str(email.id)},
    ).text
    assert "Known errors that may match" in page and "PRB-0001" in page


def test_suggestions_are_not_shown_where_problems_is_off(signed_in, org, enable_plugin, email):
    enable_plugin(org, "incidents")
    make_problem(
        org, "Outlook asks for the password", service=email, status="known_error", workaround="W"
    )
    response = signed_in("agent").get(
        "/o/acme/incidents/suggestions",
        params={"title": "Outlook keeps asking for my password", "service": str(email.id)},
    )
    assert response.status_code == 200 and "PRB-0001" not in response.text


def test_an_unlinked_incidents_page_offers_the_services_open_problems(agent, org, email, outlook):
    incident = make_incident(org, "Outlook asks for password", service=email)
    page = agent.get(f"/o/acme/incidents/{incident.id}").text
    assert "Not linked to a problem." in page
    assert 'name="problem" value="PRB-0001"' in page
