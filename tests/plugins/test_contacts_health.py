"""Contacts: relationship health of customer organisations and stakeholder groups."""

from __future__ import annotations

import datetime
import logging

import pytest

from accord import hookimpl, utcnow
from accord.plugins.contacts.engagement import (
    EngagementActivity,
    StakeholderGroup,
    StakeholderMember,
)
from accord.plugins.contacts.health import HealthFactor, band, combine, recency_score
from accord.plugins.contacts.models import CustomerOrganisation
from accord.plugins.contacts.testing import log_interaction, make_organisation, make_person
from accord.testing import manifest, post_form


class ServiceDesk:
    """A throwaway plugin measuring SLA compliance of organisations, as incidents will."""

    @hookimpl
    def relationship_health_factors(self, ctx, subject):
        if not isinstance(subject, CustomerOrganisation):
            return []
        return [
            HealthFactor(
                "SLA compliance", 20, weight=3.0, detail="4 of 5 incidents breached", url="/sla"
            )
        ]


class Broken:
    @hookimpl
    def relationship_health_factors(self, ctx, subject):
        raise RuntimeError("bug in a plugin")


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture(autouse=True)
def other_plugins(accord_plugins):
    accord_plugins.append((ServiceDesk(), manifest("servicedesk", depends=["contacts"])))
    accord_plugins.append((Broken(), manifest("brokenhealth", depends=["contacts"])))


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


def days_ago(days):
    return utcnow() - datetime.timedelta(days=days)


def organisation_page(client, organisation):
    return client.get(f"/o/acme/contacts/organisations/{organisation.id}")


# --- The score ----------------------------------------------------------------------


def test_the_score_is_the_weighted_mean_of_the_factors():
    health = combine([HealthFactor("A", 100), HealthFactor("B", 0, weight=3.0)])
    assert (health.score, health.band) == (25, "at-risk")


def test_scores_outside_0_to_100_are_clamped():
    assert combine([HealthFactor("A", 140), HealthFactor("B", -20)]).score == 50


def test_without_factors_there_is_no_score():
    assert combine([]).score is None


@pytest.mark.parametrize(
    ("score", "expected"),
    [(100, "healthy"), (75, "healthy"), (74, "watch"), (50, "watch"), (49, "at-risk")],
)
def test_bands(score, expected):
    assert band(score)[0] == expected


@pytest.mark.parametrize(
    ("days", "expected"), [(0, 100), (30, 100), (105, 50), (180, 0), (None, 0)]
)
def test_recent_contact_is_healthy_and_silence_is_not(days, expected):
    assert recency_score(days) == expected


# --- Organisations --------------------------------------------------------------------


def test_an_organisation_page_shows_its_health_with_factors(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    ana = make_person(enabled, organisation=school)
    log_interaction(ana, kind="call", occurred_at=days_ago(3))
    page = organisation_page(signed_in("viewer"), school).text
    assert "Relationship health" in page
    assert "Time since last interaction" in page
    assert "Last interaction with anyone there 3 days ago." in page
    assert 'data-score="100"' in page


def test_another_plugin_contributes_a_factor_with_its_weight(signed_in, enabled, enable_plugin):
    enable_plugin(enabled, "servicedesk")
    school = make_organisation(enabled, "Riverside Academy")
    log_interaction(make_person(enabled, organisation=school), occurred_at=days_ago(1))
    page = organisation_page(signed_in("viewer"), school).text
    assert "SLA compliance" in page
    assert "4 of 5 incidents breached" in page
    assert 'href="/sla"' in page
    assert 'data-score="40"' in page  # (100 × 1 + 20 × 3) / 4
    assert "At risk" in page


def test_a_plugin_that_raises_is_logged_and_left_out(signed_in, enabled, enable_plugin, caplog):
    enable_plugin(enabled, "servicedesk")
    enable_plugin(enabled, "brokenhealth")
    school = make_organisation(enabled, "Riverside Academy")
    with caplog.at_level(logging.ERROR):
        page = organisation_page(signed_in("viewer"), school)
    assert page.status_code == 200
    assert "SLA compliance" in page.text
    assert "plugin brokenhealth failed in relationship_health_factors" in caplog.text


def test_a_disabled_plugin_contributes_nothing(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    assert "SLA compliance" not in organisation_page(signed_in("viewer"), school).text


def test_overdue_follow_ups_lower_an_organisations_health(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    ana = make_person(enabled, organisation=school)
    log_interaction(ana, occurred_at=days_ago(2), follow_up_due=days_ago(1).date())
    log_interaction(ana, occurred_at=days_ago(2), follow_up_due=utcnow().date())
    page = organisation_page(signed_in("viewer"), school).text
    assert "1 of 2 open follow-ups overdue." in page
    assert 'data-score="75"' in page  # (100 + 50) / 2


def test_talking_to_someone_there_counts_as_contact_with_the_organisation(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    ana = make_person(enabled, organisation=school)
    log_interaction(ana, occurred_at=days_ago(3), organisation=None)  # not picked
    assert CustomerOrganisation.get_by_id(school.id).last_contacted_at.date() == (
        days_ago(3).date()
    )
    page = organisation_page(signed_in("viewer"), school).text
    assert "Last interaction with anyone there 3 days ago." in page
    counted = "counts interactions logged for the organisation and those with any of its people."
    assert f"Last contacted: {counted}" in page


def test_a_follow_up_with_someone_there_counts_for_the_organisations_health(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    ana = make_person(enabled, organisation=school)
    log_interaction(
        ana, occurred_at=days_ago(2), follow_up_due=days_ago(1).date(), organisation=None
    )
    page = organisation_page(signed_in("viewer"), school).text
    assert "1 of 1 open follow-ups overdue." in page


def test_joining_an_organisation_brings_a_persons_contact_to_it(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    ana = make_person(enabled)
    log_interaction(ana, occurred_at=days_ago(5), organisation=None)
    client = signed_in("agent")
    add = f"/o/acme/contacts/people/{ana.id}/affiliations"
    data = {"organisation": "Riverside Academy", "role": "Governor"}
    page = f"/o/acme/contacts/people/{ana.id}"
    assert post_form(client, add, data, token_from=page).status_code == 303
    assert CustomerOrganisation.get_by_id(school.id).last_contacted_at.date() == (
        days_ago(5).date()
    )


# --- Stakeholder groups ---------------------------------------------------------------


def test_a_group_page_shows_contact_and_plan_factors(signed_in, enabled, enable_plugin):
    enable_plugin(enabled, "servicedesk")  # measures organisations only
    group = StakeholderGroup.create(org=enabled, name="School principals")
    ana = make_person(enabled)
    StakeholderMember.create(org=enabled, group=group, person=ana)
    EngagementActivity.create(
        org=enabled,
        group=group,
        title="Termly meeting",
        kind="meeting",
        frequency_days=90,
        created_at=days_ago(100),
    )
    EngagementActivity.create(
        org=enabled,
        group=group,
        title="Newsletter",
        kind="email",
        frequency_days=30,
        created_at=days_ago(100),
    )
    log_interaction(ana, kind="email", occurred_at=days_ago(10))
    page = signed_in("viewer").get(f"/o/acme/contacts/groups/{group.id}").text
    assert "Last interaction with any member 10 days ago." in page
    assert "1 of 2 planned activities overdue." in page
    assert 'data-score="75"' in page  # (100 + 50) / 2
    assert "SLA compliance" not in page


def test_a_group_nobody_was_contacted_in_is_at_risk(signed_in, enabled):
    group = StakeholderGroup.create(org=enabled, name="Finance executives")
    StakeholderMember.create(org=enabled, group=group, person=make_person(enabled))
    page = signed_in("viewer").get(f"/o/acme/contacts/groups/{group.id}").text
    assert "No interaction with any member logged yet." in page
    assert "At risk" in page


def test_another_organisations_group_health_is_not_shown(signed_in, enabled, make_org):
    other = make_org("other")
    group = StakeholderGroup.create(org=other, name="Secret group")
    assert signed_in("admin").get(f"/o/acme/contacts/groups/{group.id}").status_code == 404
