"""The customers report: types, industries, places, ages, new contacts, interactions and
engagement-plan coverage."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from accord import utcnow
from accord.plugins.contacts.engagement import (
    EngagementActivity,
    StakeholderGroup,
    StakeholderMember,
)
from accord.plugins.contacts.testing import log_interaction, make_organisation, make_person

URL = "/o/acme/contacts/report"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def viewer(signed_in, org, enable_plugin):
    enable_plugin(org, "contacts")
    return signed_in("viewer")


def csv_rows(client, section: str, query: str = "") -> list[list[str]]:
    response = client.get(f"{URL}?csv={section}{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_the_report_is_in_the_menu_and_opens(viewer):
    assert ">Customers report</a>" in viewer.get("/o/acme/dashboard/").text
    page = viewer.get(URL)
    assert page.status_code == 200 and "Customers by type" in page.text


def test_customers_by_type_count_organisations_and_their_people(viewer, org):
    school = make_organisation(org, "Riverside Academy", kind="school")
    make_organisation(org, "Hillside School", kind="school")
    make_organisation(org, "County Council", kind="council")
    make_person(org, organisation=school)
    rows = csv_rows(viewer, "types")
    assert rows[1:] == [["School", "2", "1"], ["Local authority", "1", "0"]]


def test_archived_customers_are_not_counted(viewer, org):
    make_organisation(org, "Gone Ltd", kind="company", status="archived")
    assert csv_rows(viewer, "types")[1:] == []


def test_people_by_location_and_age_band(viewer, org):
    make_person(org, "Ana", city="Leeds", country="GB", age_band="25-34")
    make_person(org, "Bo", city="Leeds", country="GB")
    assert ["United Kingdom", "Leeds", "2"] in csv_rows(viewer, "places")
    ages = dict(csv_rows(viewer, "ages")[1:])
    assert (ages["25–34"], ages["Not known"]) == ("1", "1")


def test_new_contacts_are_counted_in_the_period_only(viewer, org):
    make_person(org, "New")
    make_person(org, "Old", created_at=utcnow() - dt.timedelta(days=60))
    rows = csv_rows(viewer, "new", "&period=7d")
    assert sum(int(r[1]) for r in rows[1:]) == 1


def test_interactions_per_channel_and_staff_member(viewer, org, make_user):
    agent = make_user("kim@acme.test", org, "agent", name="Kim Agent")
    ana = make_person(org)
    log_interaction(ana, kind="call", logged_by=agent)
    log_interaction(ana, kind="call", logged_by=agent)
    log_interaction(ana, kind="visit")
    assert csv_rows(viewer, "channels")[1:] == [["Call", "2"], ["Visit", "1"]]
    assert ["Kim Agent", "2"] in csv_rows(viewer, "staff")


def test_engagement_coverage_compares_planned_with_carried_out(viewer, org):
    group = StakeholderGroup.create(org=org, name="School principals")
    ana = make_person(org)
    StakeholderMember.create(org=org, group=group, person=ana, influence=4, interest=4)
    EngagementActivity.create(
        org=org, group=group, title="Fortnightly call", kind="call", frequency_days=14
    )
    log_interaction(ana, kind="call")
    # 30 days hold three fortnights: one of three calls made.
    assert csv_rows(viewer, "coverage")[1] == ["School principals", "3", "1", "33"]


def test_another_organisations_contacts_are_not_counted(viewer, make_org):
    make_organisation(make_org("other"), "Their School")
    assert csv_rows(viewer, "types")[1:] == []
