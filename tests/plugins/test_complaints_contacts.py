"""Complaints in contacts' shared work: merging people and a customer's relationship health."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import utcnow
from accord.plugins.complaints.models import Complaint
from accord.plugins.complaints.testing import make_complaint
from accord.plugins.contacts.testing import make_organisation, make_person
from accord.testing import post_form


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "complaints")
    return signed_in("agent")


@pytest.fixture
def school(org):
    return make_organisation(org, "Riverside Academy")


def health_of(client, organisation) -> str:
    return client.get(f"/o/acme/contacts/organisations/{organisation.id}").text


def test_merging_two_people_moves_their_complaints(agent, org):
    carla = make_person(org, "Carla", "Complainer", email="carla@example.org")
    twin = make_person(org, "Carla", "Complainer", email="carla@example.org")
    complaint = make_complaint(org, person=twin)
    url = f"/o/acme/contacts/people/{carla.id}/merge?with={twin.id}"
    response = post_form(agent, url, {"keep": str(carla.id)}, token_from=url)
    assert response.status_code == 303
    assert Complaint.get_by_id(complaint.id).person_id == carla.id


def test_a_customer_without_complaints_is_healthy_on_that_count(agent, school):
    page = health_of(agent, school)
    assert "No complaints in the last six months" in page


def test_open_complaints_weigh_on_a_customers_health(agent, org, school):
    carla = make_person(org, "Carla", "Complainer", organisation=school)
    make_complaint(org, person=carla)
    make_complaint(org, person=carla, received_at=utcnow() - dt.timedelta(days=400))  # too old
    page = health_of(agent, school)
    assert "1 complaint in the last six months, 1 still open" in page
