"""Contacts: stakeholder groups, their members, engagement plans, the stakeholder map."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from accord import utcnow
from accord.plugins.contacts.engagement import (
    EngagementActivity,
    StakeholderGroup,
    StakeholderMember,
    engagement_coverage,
    overdue_activities,
    plan_status,
    quadrant,
)
from accord.plugins.contacts.models import Interaction, InteractionParticipant
from accord.plugins.contacts.testing import log_interaction, make_organisation, make_person
from accord.testing import post_form

GROUPS = "/o/acme/contacts/groups/"
NEW = "/o/acme/contacts/groups/new"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


def url(group, page=""):
    return f"/o/acme/contacts/groups/{group.id}{page}"


def days_ago(days):
    return utcnow() - datetime.timedelta(days=days)


def make_group(org, name="School principals", **fields):
    return StakeholderGroup.create(org=org, name=name, **fields)


def add_member(group, person, influence=3, interest=3):
    return StakeholderMember.create(
        org=group.org_id, group=group, person=person, influence=influence, interest=interest
    )


def plan(group, title="Termly meeting", kind="meeting", every=90, created_days_ago=0, **fields):
    return EngagementActivity.create(
        org=group.org_id,
        group=group,
        title=title,
        kind=kind,
        frequency_days=every,
        created_at=days_ago(created_days_ago),
        **fields,
    )


# --- Groups: list and forms -------------------------------------------------------


def test_a_manager_adds_a_stakeholder_group(signed_in, enabled):
    client = signed_in("manager")
    response = post_form(
        client,
        NEW,
        {"name": "School principals", "communication_needs": "Termly briefings on budgets."},
        token_from=NEW,
    )
    assert response.status_code == 303
    group = StakeholderGroup.get()
    assert group.communication_needs == "Termly briefings on budgets."
    assert "Termly briefings on budgets." in client.get(response.headers["location"]).text


def test_a_group_needs_a_name_and_keeps_what_was_typed(signed_in, enabled):
    response = post_form(
        signed_in("manager"),
        NEW,
        {"name": "", "communication_needs": "Monthly newsletter"},
        token_from=NEW,
    )
    assert response.status_code == 422
    assert "Enter name." in response.text
    assert "Monthly newsletter" in response.text


def test_two_groups_cannot_share_a_name(signed_in, enabled):
    make_group(enabled, "School principals")
    response = post_form(signed_in("manager"), NEW, {"name": "school principals"}, token_from=NEW)
    assert response.status_code == 422
    assert "There is already a group called school principals." in response.text


def test_editing_a_group_saves_its_communication_needs(signed_in, enabled):
    group = make_group(enabled)
    edit = url(group, "/edit")
    response = post_form(
        signed_in("manager"),
        edit,
        {"name": "School principals", "communication_needs": "Face to face", "version": "1"},
        token_from=edit,
    )
    assert response.status_code == 303
    assert StakeholderGroup.get_by_id(group.id).communication_needs == "Face to face"


def test_the_group_list_is_searchable_and_exports_csv(signed_in, enabled):
    principals = make_group(enabled, "School principals")
    make_group(enabled, "Finance executives")
    add_member(principals, make_person(enabled, "Ana", "Lima"))
    client = signed_in("viewer")
    found = client.get(GROUPS + "?q=princ")
    assert "School principals" in found.text
    assert "Finance executives" not in found.text
    rows = list(
        csv.DictReader(io.StringIO(client.get(GROUPS + "?format=csv").text.lstrip("\ufeff")))
    )
    assert {r["Name"]: r["Members"] for r in rows} == {
        "School principals": "1",
        "Finance executives": "0",
    }


def test_a_viewer_cannot_add_a_group(signed_in, enabled):
    assert signed_in("viewer").get(NEW).status_code == 403


def test_deleting_a_group_keeps_its_people(signed_in, enabled):
    group = make_group(enabled)
    ana = make_person(enabled)
    add_member(group, ana)
    response = post_form(signed_in("manager"), url(group, "/delete"), token_from=url(group))
    assert response.status_code == 303
    assert not StakeholderGroup.select().exists()
    assert not StakeholderMember.select().exists()
    assert ana.__class__.get_by_id(ana.id)


# --- Members -----------------------------------------------------------------------


def test_a_member_is_added_from_a_picked_suggestion(signed_in, enabled):
    group = make_group(enabled)
    ana = make_person(enabled, "Ana", "Lima", job_title="Head teacher")
    client = signed_in("agent")
    suggestions = client.get("/o/acme/contacts/groups/people?q=lima")
    assert f"Ana Lima #{ana.id}" in suggestions.text
    response = post_form(
        client,
        url(group, "/members"),
        {"person": f"Ana Lima #{ana.id}", "influence": "5", "interest": "2", "note": "Chair"},
        token_from=url(group),
    )
    assert response.status_code == 303
    member = StakeholderMember.get()
    assert (member.person_id, member.influence, member.interest, member.note) == (
        ana.id,
        5,
        2,
        "Chair",
    )


def test_a_member_is_found_by_email_too(signed_in, enabled):
    group = make_group(enabled)
    ana = make_person(enabled, "Ana", "Lima", email="ana@example.org")
    post_form(
        signed_in("agent"),
        url(group, "/members"),
        {"person": "ana@example.org", "influence": "3", "interest": "3"},
        token_from=url(group),
    )
    assert StakeholderMember.get().person_id == ana.id


def test_an_unknown_person_is_a_422_with_the_typed_text(signed_in, enabled):
    group = make_group(enabled)
    response = post_form(
        signed_in("agent"),
        url(group, "/members"),
        {"person": "Nobody Known", "influence": "3", "interest": "3"},
        token_from=url(group),
    )
    assert response.status_code == 422
    assert "There is nobody called “Nobody Known”" in response.text
    assert 'value="Nobody Known"' in response.text


def test_two_people_with_the_same_name_must_be_picked(signed_in, enabled):
    group = make_group(enabled)
    make_person(enabled, "Sam", "Jones")
    make_person(enabled, "Sam", "Jones")
    response = post_form(
        signed_in("agent"),
        url(group, "/members"),
        {"person": "Sam Jones", "influence": "3", "interest": "3"},
        token_from=url(group),
    )
    assert response.status_code == 422
    assert "More than one person is called" in response.text


def test_influence_must_be_on_the_scale(signed_in, enabled):
    group = make_group(enabled)
    ana = make_person(enabled)
    response = post_form(
        signed_in("agent"),
        url(group, "/members"),
        {"person": f"Ana Lima #{ana.id}", "influence": "9", "interest": "3"},
        token_from=url(group),
    )
    assert response.status_code == 422
    assert not StakeholderMember.select().exists()


def test_adding_a_member_again_changes_their_place(signed_in, enabled):
    group = make_group(enabled)
    ana = make_person(enabled)
    add_member(group, ana, influence=2, interest=2)
    post_form(
        signed_in("agent"),
        url(group, "/members"),
        {"person": f"Ana Lima #{ana.id}", "influence": "4", "interest": "5"},
        token_from=url(group),
    )
    member = StakeholderMember.get()
    assert (StakeholderMember.select().count(), member.influence, member.interest) == (1, 4, 5)


def test_influence_is_per_group(enabled):
    ana = make_person(enabled)
    add_member(make_group(enabled, "School principals"), ana, influence=5)
    add_member(make_group(enabled, "IT coordinators"), ana, influence=1)
    assert sorted(m.influence for m in StakeholderMember.select()) == [1, 5]


def test_removing_a_member(signed_in, enabled):
    group = make_group(enabled)
    member = add_member(group, make_person(enabled))
    remove = url(group, f"/members/{member.id}/remove")
    client = signed_in("agent")
    assert "Remove Ana Lima from School principals?" in client.get(remove).text
    assert post_form(client, remove, token_from=remove).status_code == 303
    assert not StakeholderMember.select().exists()


def test_the_person_page_lists_their_groups(signed_in, enabled):
    ana = make_person(enabled)
    add_member(make_group(enabled, "Finance executives"), ana, influence=5, interest=5)
    page = signed_in("viewer").get(f"/o/acme/contacts/people/{ana.id}")
    assert "Finance executives" in page.text
    assert "Manage closely" in page.text


def test_the_people_list_filters_by_stakeholder_group(signed_in, enabled):
    group = make_group(enabled)
    add_member(group, make_person(enabled, "Ana", "Lima"))
    make_person(enabled, "Ben", "Okafor")
    page = signed_in("viewer").get(f"/o/acme/contacts/people/?group={group.id}")
    assert "Ana Lima" in page.text
    assert "Ben Okafor" not in page.text


# --- The engagement plan ----------------------------------------------------------


def test_an_activity_is_planned_through_the_form(signed_in, enabled):
    group = make_group(enabled)
    new = url(group, "/activities/new")
    response = post_form(
        signed_in("manager"),
        new,
        {"title": "Termly meeting", "kind": "meeting", "frequency_days": "90"},
        token_from=new,
    )
    assert response.status_code == 303
    activity = EngagementActivity.get()
    assert (activity.group_id, activity.kind, activity.frequency_days) == (group.id, "meeting", 90)


def test_an_activity_needs_a_frequency_of_at_least_a_day(signed_in, enabled):
    group = make_group(enabled)
    new = url(group, "/activities/new")
    response = post_form(
        signed_in("manager"),
        new,
        {"title": "Termly meeting", "kind": "meeting", "frequency_days": "0"},
        token_from=new,
    )
    assert response.status_code == 422
    assert "Enter a whole number from 1 to 3660." in response.text


def test_a_note_is_not_an_activity_kind(signed_in, enabled):
    group = make_group(enabled)
    new = url(group, "/activities/new")
    response = post_form(
        signed_in("manager"),
        new,
        {"title": "Write it down", "kind": "note", "frequency_days": "30"},
        token_from=new,
    )
    assert response.status_code == 422


def test_a_never_done_activity_is_overdue_once_its_frequency_has_passed(enabled):
    group = make_group(enabled)
    plan(group, every=90, created_days_ago=91)
    [status] = plan_status(group)
    assert (status.last_done, status.overdue, status.days_overdue) == (None, True, 1)


def test_a_new_activity_is_not_yet_overdue(enabled):
    group = make_group(enabled)
    plan(group, every=90, created_days_ago=10)
    assert not plan_status(group)[0].overdue


def test_a_meeting_with_a_member_counts_as_done(enabled):
    group = make_group(enabled)
    ana = make_person(enabled)
    add_member(group, ana)
    plan(group, kind="meeting", every=90, created_days_ago=200)
    log_interaction(ana, kind="meeting", occurred_at=days_ago(20))
    [status] = plan_status(group)
    assert status.last_done.date() == days_ago(20).date()
    assert not status.overdue
    assert status.due_on == days_ago(20).date() + datetime.timedelta(days=90)


@pytest.mark.parametrize("status", ["planned", "cancelled"])
def test_a_meeting_that_was_not_held_does_not_count_as_done(enabled, status):
    group = make_group(enabled)
    ana = make_person(enabled)
    add_member(group, ana)
    plan(group, kind="meeting", every=90, created_days_ago=200)
    log_interaction(ana, kind="meeting", occurred_at=days_ago(20), status=status)
    [status_now] = plan_status(group)
    assert status_now.last_done is None
    assert status_now.overdue


def test_a_one_to_one_with_one_member_of_a_larger_group_does_not_carry_out_its_plan(enabled):
    group = make_group(enabled)
    ana, ben = make_person(enabled, "Ana", "Lima"), make_person(enabled, "Ben", "Okafor")
    add_member(group, ana)
    add_member(group, ben)
    plan(group, kind="meeting", every=90, created_days_ago=200)
    log_interaction(ana, kind="meeting", occurred_at=days_ago(20))
    [status] = plan_status(group)
    assert status.last_done is None and status.overdue


def test_a_meeting_with_two_members_carries_out_the_groups_plan(enabled):
    group = make_group(enabled)
    ana, ben = make_person(enabled, "Ana", "Lima"), make_person(enabled, "Ben", "Okafor")
    cai = make_person(enabled, "Cai", "Jones")
    for person in (ana, ben, cai):
        add_member(group, person)
    plan(group, kind="meeting", every=90, created_days_ago=200)
    log_interaction(ana, kind="meeting", occurred_at=days_ago(20), others=(ben,))
    [status] = plan_status(group)
    assert status.last_done.date() == days_ago(20).date() and not status.overdue


def test_coverage_does_not_count_one_to_ones_as_the_groups_activity(enabled):
    group = make_group(enabled)
    ana, ben = make_person(enabled, "Ana", "Lima"), make_person(enabled, "Ben", "Okafor")
    add_member(group, ana)
    add_member(group, ben)
    plan(group, kind="call", every=30, created_days_ago=400)
    end = utcnow().date()
    for days in (10, 40, 70):
        log_interaction(ana, kind="call", occurred_at=days_ago(days))
    log_interaction(ana, kind="call", occurred_at=days_ago(11), others=(ben,))
    [coverage] = engagement_coverage(enabled, end - datetime.timedelta(days=89), end)
    assert (coverage.planned, coverage.done) == (3, 1)


def test_the_group_page_says_how_activities_are_counted(signed_in, enabled):
    group = make_group(enabled)
    plan(group)
    page = signed_in("viewer").get(url(group)).text
    assert (
        "An activity counts as done when an interaction of its kind is logged with at least two"
        in (page)
    )


def test_recording_a_group_activity_needs_two_members_who_took_part(signed_in, enabled):
    group = make_group(enabled)
    ana, ben = make_person(enabled, "Ana", "Lima"), make_person(enabled, "Ben", "Okafor")
    add_member(group, ana)
    add_member(group, ben)
    activity = plan(group)
    record = url(group, f"/activities/{activity.id}/record")
    response = post_form(
        signed_in("agent"),
        record,
        {
            "participants": [str(ana.id)],
            "occurred_at": days_ago(1).strftime("%Y-%m-%dT%H:%M"),
            "summary": "Met Ana",
        },
        token_from=record,
    )
    assert response.status_code == 422
    assert "Choose at least two members who took part" in response.text
    assert not Interaction.select().exists()


def test_the_last_meeting_older_than_the_frequency_is_overdue(enabled):
    group = make_group(enabled)
    ana = make_person(enabled)
    add_member(group, ana)
    plan(group, kind="meeting", every=90, created_days_ago=400)
    log_interaction(ana, kind="meeting", occurred_at=days_ago(100))
    assert plan_status(group)[0].days_overdue == 10


def test_an_interaction_of_another_kind_does_not_count(enabled):
    group = make_group(enabled)
    ana = make_person(enabled)
    add_member(group, ana)
    plan(group, kind="meeting", every=90, created_days_ago=200)
    log_interaction(ana, kind="call", occurred_at=days_ago(5))
    assert plan_status(group)[0].last_done is None


def test_a_meeting_with_someone_outside_the_group_does_not_count(enabled):
    group = make_group(enabled)
    add_member(group, make_person(enabled, "Ana", "Lima"))
    ben = make_person(enabled, "Ben", "Okafor")
    plan(group, kind="meeting", every=90, created_days_ago=200)
    log_interaction(ben, kind="meeting", occurred_at=days_ago(5))
    assert plan_status(group)[0].overdue


def test_a_member_taking_part_in_someone_elses_meeting_counts(enabled):
    group = make_group(enabled)
    ana = make_person(enabled, "Ana", "Lima")
    add_member(group, ana)
    ben = make_person(enabled, "Ben", "Okafor")
    plan(group, kind="meeting", every=90, created_days_ago=200)
    log_interaction(ben, kind="meeting", occurred_at=days_ago(5), others=(ana,))
    assert not plan_status(group)[0].overdue


def test_a_planned_next_date_that_has_passed_makes_it_overdue(enabled):
    group = make_group(enabled)
    plan(group, every=365, created_days_ago=10, next_on=days_ago(2).date())
    [status] = plan_status(group)
    assert (status.overdue, status.due_on) == (True, days_ago(2).date())


def test_the_group_page_shows_overdue_activities_highlighted(signed_in, enabled):
    group = make_group(enabled)
    plan(group, title="Budget briefing", every=30, created_days_ago=45)
    page = signed_in("viewer").get(url(group))
    assert 'class="overdue"' in page.text
    assert "Overdue by 15 days" in page.text
    assert "No meeting with the group since it was planned 45 days ago" in page.text


def test_an_overdue_activity_says_how_long_the_group_has_gone_without(enabled):
    group = make_group(enabled)
    ana = make_person(enabled)
    add_member(group, ana)
    plan(group, kind="meeting", every=90, created_days_ago=400)
    log_interaction(ana, kind="meeting", occurred_at=days_ago(120))
    assert plan_status(group)[0].silence == "No meeting with the group for 120 days"


def test_the_overdue_page_lists_overdue_activities_across_groups(signed_in, enabled):
    principals = make_group(enabled, "School principals")
    finance = make_group(enabled, "Finance executives")
    plan(principals, title="Termly meeting", every=90, created_days_ago=120)
    plan(finance, title="Budget briefing", every=30, created_days_ago=10)
    page = signed_in("viewer").get("/o/acme/contacts/groups/overdue")
    assert "Termly meeting" in page.text
    assert "Budget briefing" not in page.text
    assert [s.activity.title for s in overdue_activities(enabled)] == ["Termly meeting"]


def test_my_overdue_engagement_lists_only_what_i_own(signed_in, enabled, make_user):
    from accord import User

    client = signed_in("manager", email="me@acme.test")
    me = User.get(User.email == "me@acme.test")
    someone = make_user("someone@acme.test", enabled, "manager")
    principals = make_group(enabled, "School principals", owner=me)
    finance = make_group(enabled, "Finance executives", owner=someone)
    plan(principals, title="Termly meeting", every=90, created_days_ago=120)
    plan(finance, title="Budget briefing", every=30, created_days_ago=40, owner=me)
    plan(finance, title="Spend report", every=30, created_days_ago=40, owner=someone)
    page = client.get("/o/acme/contacts/groups/overdue?mine=1").text
    assert "Termly meeting" in page and "Budget briefing" in page
    assert "Spend report" not in page


def test_the_group_list_counts_overdue_activities(signed_in, enabled):
    group = make_group(enabled)
    plan(group, title="Termly meeting", every=90, created_days_ago=120)
    plan(group, title="Newsletter", every=30, created_days_ago=40)
    plan(group, title="Forum", every=90, created_days_ago=10)
    rows = list(
        csv.DictReader(
            io.StringIO(signed_in("viewer").get(GROUPS + "?format=csv").text.lstrip("\ufeff"))
        )
    )
    assert rows[0]["Overdue activities"] == "2"


def test_coverage_counts_planned_against_done_in_a_period(enabled):
    group = make_group(enabled)
    ana = make_person(enabled)
    add_member(group, ana)
    plan(group, kind="call", every=30, created_days_ago=400)
    end = utcnow().date()
    start = end - datetime.timedelta(days=89)  # 90 days: 3 calls planned
    for days in (10, 40, 41):
        log_interaction(ana, kind="call", occurred_at=days_ago(days))
    log_interaction(ana, kind="call", occurred_at=days_ago(200))  # before the period
    [coverage] = engagement_coverage(enabled, start, end)
    assert (coverage.planned, coverage.done, coverage.percent) == (3, 3, 100)


def test_editing_and_removing_an_activity(signed_in, enabled):
    group = make_group(enabled)
    activity = plan(group)
    client = signed_in("manager")
    edit = url(group, f"/activities/{activity.id}/edit")
    response = post_form(
        client,
        edit,
        {"title": "Half-termly meeting", "kind": "meeting", "frequency_days": "45", "version": "1"},
        token_from=edit,
    )
    assert response.status_code == 303
    assert EngagementActivity.get().frequency_days == 45
    remove = url(group, f"/activities/{activity.id}/remove")
    assert post_form(client, remove, token_from=remove).status_code == 303
    assert not EngagementActivity.select().exists()


def test_recording_an_activity_logs_it_with_the_members_and_makes_it_done(signed_in, enabled):
    group = make_group(enabled)
    school = make_organisation(enabled, "Riverside Academy")
    ana = make_person(enabled, "Ana", "Lima", organisation=school)
    ben = make_person(enabled, "Ben", "Okafor")
    add_member(group, ana)
    add_member(group, ben)
    activity = plan(group, title="Termly meeting", kind="meeting", every=90, created_days_ago=120)
    record = url(group, f"/activities/{activity.id}/record")
    when = days_ago(1).replace(second=0, microsecond=0)
    response = post_form(
        signed_in("agent"),
        record,
        {
            "participants": [str(ana.id), str(ben.id)],
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "summary": "Termly meeting: budgets and laptops",
        },
        token_from=record,
    )
    assert response.status_code == 303
    interaction = Interaction.get()
    assert (interaction.kind, interaction.person_id, interaction.organisation_id) == (
        "meeting",
        ana.id,
        school.id,
    )
    assert {p.person_id for p in InteractionParticipant.select()} == {ana.id, ben.id}
    [status] = plan_status(group)
    assert (status.overdue, status.last_done) == (False, when)


def test_recording_needs_someone_who_took_part(signed_in, enabled):
    group = make_group(enabled)
    add_member(group, make_person(enabled))
    activity = plan(group)
    record = url(group, f"/activities/{activity.id}/record")
    response = post_form(
        signed_in("agent"),
        record,
        {"occurred_at": days_ago(1).strftime("%Y-%m-%dT%H:%M"), "summary": "Met them"},
        token_from=record,
    )
    assert response.status_code == 422
    assert "Choose the member who took part." in response.text
    assert "Met them" in response.text
    assert not Interaction.select().exists()


def test_only_members_can_be_recorded_as_taking_part(signed_in, enabled):
    group = make_group(enabled)
    add_member(group, make_person(enabled, "Ana", "Lima"))
    outsider = make_person(enabled, "Ben", "Okafor")
    activity = plan(group)
    record = url(group, f"/activities/{activity.id}/record")
    response = post_form(
        signed_in("agent"),
        record,
        {
            "participants": [str(outsider.id)],
            "occurred_at": days_ago(1).strftime("%Y-%m-%dT%H:%M"),
            "summary": "Met them",
        },
        token_from=record,
    )
    assert response.status_code == 422


# --- The stakeholder map ----------------------------------------------------------


@pytest.mark.parametrize(
    ("influence", "interest", "expected"),
    [(5, 5, "manage"), (4, 2, "satisfy"), (2, 4, "inform"), (3, 3, "monitor")],
)
def test_influence_and_interest_place_a_member_in_a_quadrant(influence, interest, expected):
    assert quadrant(influence, interest) == expected


def test_the_map_lists_each_quadrants_people(signed_in, enabled):
    group = make_group(enabled)
    add_member(group, make_person(enabled, "Ana", "Lima"), influence=5, interest=5)
    add_member(group, make_person(enabled, "Ben", "Okafor"), influence=1, interest=2)
    page = signed_in("viewer").get(url(group, "/map")).text
    manage = page.split('data-quadrant="manage"')[1].split("</section>")[0]
    monitor = page.split('data-quadrant="monitor"')[1].split("</section>")[0]
    assert "Ana Lima" in manage and "Ben Okafor" not in manage
    assert "Ben Okafor" in monitor
    assert "<svg" in page


# --- Tenancy ----------------------------------------------------------------------


def test_another_organisations_group_does_not_exist(signed_in, enabled, make_org, enable_plugin):
    other = make_org("other")
    enable_plugin(other, "contacts")
    group = make_group(other, "Secret group")
    member = add_member(group, make_person(other, "Secret", "Person"))
    activity = plan(group)
    client = signed_in("admin")
    routes = [
        ("GET", url(group)),
        ("GET", url(group, "/map")),
        ("GET", url(group, "/edit")),
        ("POST", url(group, "/edit")),
        ("POST", url(group, "/delete")),
        ("POST", url(group, "/members")),
        ("POST", url(group, f"/members/{member.id}/remove")),
        ("GET", url(group, "/activities/new")),
        ("POST", url(group, f"/activities/{activity.id}/edit")),
        ("POST", url(group, f"/activities/{activity.id}/remove")),
        ("GET", url(group, f"/activities/{activity.id}/record")),
        ("POST", url(group, f"/activities/{activity.id}/record")),
    ]
    for method, path in routes:
        if method == "GET":
            status = client.get(path).status_code
        else:
            status = post_form(client, path, {"name": "x"}, token_from=GROUPS).status_code
        assert status == 404, (method, path)
    assert StakeholderGroup.get_by_id(group.id).name == "Secret group"
    assert "Secret group" not in client.get(GROUPS).text
    assert "Secret group" not in client.get("/o/acme/contacts/groups/overdue").text


def test_another_organisations_person_cannot_be_added(signed_in, enabled, make_org):
    other = make_org("other")
    secret = make_person(other, "Secret", "Person")
    group = make_group(enabled)
    response = post_form(
        signed_in("agent"),
        url(group, "/members"),
        {"person": f"Secret Person #{secret.id}", "influence": "3", "interest": "3"},
        token_from=url(group),
    )
    assert response.status_code == 422
    assert not StakeholderMember.select().exists()


def test_another_organisations_people_are_not_suggested(signed_in, enabled, make_org):
    make_person(make_org("other"), "Secret", "Lima")
    make_person(enabled, "Ana", "Lima")
    options = signed_in("agent").get(
        "/o/acme/contacts/groups/people?person=lima", headers={"HX-Request": "true"}
    )
    assert "Ana Lima" in options.text
    assert "Secret" not in options.text
    assert "<html" not in options.text


def test_a_stale_group_edit_is_a_conflict(signed_in, enabled):
    group = make_group(enabled)
    edit = url(group, "/edit")
    client = signed_in("manager")
    first = post_form(client, edit, {"name": "Head teachers", "version": "1"}, token_from=edit)
    assert first.status_code == 303
    second = post_form(client, edit, {"name": "Principals", "version": "1"}, token_from=edit)
    assert second.status_code == 409
    assert StakeholderGroup.get_by_id(group.id).name == "Head teachers"


def test_an_organisation_page_still_renders(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    assert signed_in("viewer").get(f"/o/acme/contacts/organisations/{school.id}").status_code == 200


# --- Demo -------------------------------------------------------------------------


def test_the_demo_has_groups_with_members_plans_and_something_overdue(accord_host, org, make_user):
    from accord import DemoContext

    users = {"manager": make_user("manager@acme.test", org, "manager")}
    accord_host.pm.get_plugin("contacts").load_demo_data(DemoContext(org=org, users=users))
    names = {g.name for g in StakeholderGroup.in_org(org)}
    assert {"School principals", "Finance executives", "IT coordinators"} <= names
    principals = StakeholderGroup.get(StakeholderGroup.name == "School principals")
    status = {s.activity.title: s for s in plan_status(principals)}
    assert not status["Principals' forum"].overdue
    assert status["Site visit to each school"].overdue
    assert StakeholderMember.select().count() >= 12
