"""Incidents' factor of a customer's relationship health: SLA compliance over 90 days."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.contacts.engagement import StakeholderGroup
from accord.plugins.contacts.testing import make_organisation, make_person
from accord.plugins.incidents import workflow
from accord.plugins.incidents.testing import make_incident


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def network(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Network", levels={p: (60, 240) for p in (1, 2, 3, 4)})


@pytest.fixture
def school(org):
    return make_organisation(org, "Riverside Academy")


@pytest.fixture
def ana(org, school):
    return make_person(org, "Ana", "Lima", email="ana@riverside.example.org", organisation=school)


def logged(org, network, reporter, days_ago, *, fixed_within=None):
    at = utcnow() - dt.timedelta(days=days_ago)
    incident = make_incident(org, service=network, reporter=reporter, at=at)
    if fixed_within is not None:
        done = at + fixed_within
        workflow.resolve(
            incident, incident.version, "fixed", "Done.", user=None, now=done, quiet=True
        )
    return incident


def page(client, school):
    return client.get(f"/o/acme/contacts/organisations/{school.id}").text


def test_the_customer_page_scores_sla_compliance_of_recent_incidents(
    signed_in, org, network, school, ana
):
    for _ in range(3):
        logged(org, network, ana, 10, fixed_within=dt.timedelta(minutes=30))
    logged(org, network, ana, 5)  # open for days: breached
    text = page(signed_in("agent"), school)
    assert "SLA compliance" in text
    assert "3 of 4 incidents logged in the last 90 days within their SLA; 1 breached" in text
    assert 'value="75"' in text


def test_incidents_older_than_90_days_do_not_count(signed_in, org, network, school, ana):
    logged(org, network, ana, 120)  # breached, but long ago
    logged(org, network, ana, 3, fixed_within=dt.timedelta(minutes=30))
    text = page(signed_in("agent"), school)
    assert "1 of 1 incident logged in the last 90 days within their SLA" in text


def test_a_customer_without_incidents_has_no_sla_factor(signed_in, network, school):
    assert "SLA compliance" not in page(signed_in("agent"), school)


def test_a_stakeholder_group_has_no_sla_factor(signed_in, org, network, accord_host):
    from accord.plugins.incidents import relationship_health_factors

    group = StakeholderGroup.create(org=org, name="Heads of IT")

    class Ctx:
        def __init__(self, org):
            self.org = org

        def can(self, permission):
            return True

    assert relationship_health_factors(Ctx(org), group) == []
