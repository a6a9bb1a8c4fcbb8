"""Satisfaction in contacts' shared work: merging people and a customer's relationship health."""

from __future__ import annotations

import secrets

import pytest

from accord import utcnow
from accord.plugins.contacts.testing import make_organisation, make_person
from accord.plugins.incidents.testing import make_incident
from accord.plugins.satisfaction.models import Survey
from accord.testing import post_form


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "satisfaction")
    return signed_in("agent")


def answered(org, incident, score):
    now = utcnow()
    return Survey.create(
        org=org,
        incident=incident.id,
        person=incident.reporter_id,
        nonce=secrets.token_hex(16),
        send_after=now,
        sent_at=now,
        status="answered",
        score=score,
        answered_at=now,
        month=f"{now:%Y-%m}",
    )


def test_merging_two_people_moves_their_surveys(agent, org):
    ana = make_person(org, "Ana", "Lima", email="ana@example.org")
    twin = make_person(org, "Ana", "Lima", email="ana@example.org")
    survey = answered(org, make_incident(org, reporter=twin), 4)
    url = f"/o/acme/contacts/people/{ana.id}/merge?with={twin.id}"
    assert post_form(agent, url, {"keep": str(ana.id)}, token_from=url).status_code == 303
    assert Survey.get_by_id(survey.id).person_id == ana.id


def test_a_customers_scores_are_a_factor_of_its_health(agent, org):
    school = make_organisation(org, "Riverside Academy")
    ana = make_person(org, organisation=school)
    for score in (5, 3):
        answered(org, make_incident(org, reporter=ana), score)
    page = agent.get(f"/o/acme/contacts/organisations/{school.id}").text
    assert "Average 4.0 of 5 from 2 answers in the last six months" in page


def test_a_customer_without_answers_has_no_satisfaction_factor(agent, org):
    school = make_organisation(org, "Riverside Academy")
    page = agent.get(f"/o/acme/contacts/organisations/{school.id}").text
    assert "Satisfaction" not in page.split("Relationship health", 1)[-1].split("</section>", 1)[0]
