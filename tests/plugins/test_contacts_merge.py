"""Duplicates: finding people recorded twice and merging them into one."""

from __future__ import annotations

import pytest

from accord import hookimpl
from accord.models import AuditEntry
from accord.plugins.contacts.consent.models import TopicConsent
from accord.plugins.contacts.documents.models import Document
from accord.plugins.contacts.engagement import StakeholderGroup, StakeholderMember
from accord.plugins.contacts.models import Affiliation, Interaction, Person
from accord.plugins.contacts.testing import log_interaction, make_organisation, make_person
from accord.testing import manifest, post_form

moved_by_plugin: list[tuple[int, int]] = []


class Tickets:
    """Another plugin with links to people, moving them when two are merged."""

    @hookimpl
    def merge_people(self, org, survivor, duplicate):
        moved_by_plugin.append((survivor.id, duplicate.id))
        return {"tickets reported": 2}


class Broken:
    @hookimpl
    def merge_people(self, org, survivor, duplicate):
        raise RuntimeError("disk full")


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


@pytest.fixture
def pair(enabled):
    ana = make_person(enabled, "Ana", "Lima", email="ana@example.org", job_title="Head teacher")
    twin = make_person(enabled, "Ana", "Lima", email="ana@example.org", phone="+44 20 7946 0001")
    return ana, twin


def merge_url(person, other) -> str:
    return f"/o/acme/contacts/people/{person.id}/merge?with={other.id}"


def do_merge(client, person, other, **picks):
    data = {"keep": str(person.id), **picks}
    return post_form(client, merge_url(person, other), data, token_from=merge_url(person, other))


def test_people_sharing_an_email_are_listed_as_possible_duplicates(signed_in, pair):
    page = signed_in("agent").get("/o/acme/contacts/people/duplicates").text
    assert "Same email" in page and page.count("Ana Lima") == 2


def test_a_persons_page_points_at_who_may_be_them_too(signed_in, pair):
    ana, twin = pair
    page = signed_in("agent").get(f"/o/acme/contacts/people/{ana.id}").text
    assert "May be recorded twice" in page and merge_url(ana, twin).split("/o/acme")[1] in page


def test_the_comparison_shows_only_the_values_that_differ(signed_in, pair):
    ana, twin = pair
    page = signed_in("agent").get(merge_url(ana, twin)).text
    assert "Job title" in page and 'name="pick_phone"' not in page
    assert ">First name<" not in page


def test_merging_keeps_the_chosen_values_and_archives_the_other(signed_in, pair):
    ana, twin = pair
    response = do_merge(signed_in("agent"), ana, twin, pick_phone=str(twin.id))
    assert response.status_code == 303
    kept, gone = Person.get_by_id(ana.id), Person.get_by_id(twin.id)
    assert (kept.job_title, kept.phone) == ("Head teacher", "+442079460001")
    assert (gone.status, gone.merged_into_id) == ("archived", ana.id)


def test_the_message_after_a_merge_tells_two_people_of_one_name_apart(signed_in, pair):
    ana, twin = pair
    client = signed_in("agent")
    response = do_merge(client, ana, twin)
    page = client.get(response.headers["location"]).text
    assert f"Ana Lima (no. {twin.id}) is merged into Ana Lima (no. {ana.id})" in page


def test_the_message_after_a_merge_names_people_by_their_different_emails(signed_in, enabled):
    priya = make_person(enabled, "Priya", "Raman", email="priya@council.example")
    again = make_person(enabled, "Priya", "Raman", email="p.raman@home.example")
    client = signed_in("agent")
    page = client.get(do_merge(client, priya, again).headers["location"]).text
    assert (
        "Priya Raman (p.raman@home.example) is merged into Priya Raman (priya@council.example)"
    ) in page


def test_interactions_organisations_and_documents_move_to_the_survivor(signed_in, pair, enabled):
    ana, twin = pair
    school = make_organisation(enabled, "Riverside Academy")
    Affiliation.create(org=enabled, person=twin, organisation=school, is_primary=True)
    call = log_interaction(twin, kind="call")
    Document.create(
        org=enabled,
        person=twin,
        filename="form.pdf",
        content_type="application/pdf",
        size=1,
        stored_name="a" * 32,
        sha256="0" * 64,
    )
    do_merge(signed_in("agent"), ana, twin)
    assert Interaction.get_by_id(call.id).person_id == ana.id
    assert Affiliation.get(Affiliation.organisation == school.id).person_id == ana.id
    assert Document.get().person_id == ana.id


def test_a_group_both_belonged_to_keeps_one_membership(signed_in, pair, enabled):
    ana, twin = pair
    group = StakeholderGroup.create(org=enabled, name="Principals")
    for person in pair:
        StakeholderMember.create(org=enabled, group=group, person=person)
    do_merge(signed_in("agent"), ana, twin)
    assert [m.person_id for m in StakeholderMember.select()] == [ana.id]


def test_an_opt_out_under_either_record_stays_an_opt_out(signed_in, pair, enabled):
    ana, twin = pair
    TopicConsent.create(org=enabled, person=ana, purpose="newsletters", opted_in=True)
    TopicConsent.create(org=enabled, person=twin, purpose="newsletters", opted_in=False)
    do_merge(signed_in("agent"), ana, twin)
    assert [(t.person_id, t.opted_in) for t in TopicConsent.select()] == [(ana.id, False)]


def test_the_merged_persons_page_leads_to_the_survivor(signed_in, pair):
    ana, twin = pair
    agent = signed_in("agent")
    do_merge(agent, ana, twin)
    response = agent.get(f"/o/acme/contacts/people/{twin.id}", follow_redirects=False)
    assert response.headers["location"].endswith(f"/contacts/people/{ana.id}")


def test_the_merge_is_audited_with_what_moved(signed_in, pair):
    ana, twin = pair
    log_interaction(twin)
    do_merge(signed_in("agent"), ana, twin)
    entry = AuditEntry.get(AuditEntry.action == "merge")
    assert entry.changes["merged"] == [twin.id, ana.id]
    assert entry.changes["moved"]["interactions"] == 1


def test_the_other_record_may_be_the_one_that_stays(signed_in, pair):
    ana, twin = pair
    post_form(signed_in("agent"), merge_url(ana, twin), {"keep": str(twin.id)})
    assert Person.get_by_id(ana.id).merged_into_id == twin.id


def test_choosing_nobody_to_keep_is_a_422(signed_in, pair):
    ana, twin = pair
    response = post_form(signed_in("agent"), merge_url(ana, twin), {"keep": "0"})
    assert response.status_code == 422 and "Choose who stays." in response.text
    assert Person.get_by_id(twin.id).merged_into_id is None


def test_two_people_judged_different_are_not_proposed_again(signed_in, pair):
    ana, twin = pair
    agent = signed_in("agent")
    post_form(agent, f"/o/acme/contacts/people/{ana.id}/not-duplicate/{twin.id}")
    assert "Same email" not in agent.get("/o/acme/contacts/people/duplicates").text


def test_viewers_cannot_merge(signed_in, pair):
    ana, twin = pair
    assert signed_in("viewer").get(merge_url(ana, twin)).status_code == 403


def test_someone_of_another_organisation_cannot_be_merged_in(signed_in, pair, make_org):
    ana, _ = pair
    stranger = make_person(make_org("other"), "Ana", "Lima", email="ana@example.org")
    agent = signed_in("agent")
    assert agent.get(merge_url(ana, stranger)).status_code == 404
    assert post_form(agent, merge_url(ana, stranger), {"keep": str(ana.id)}).status_code == 404
    assert Person.get_by_id(stranger.id).merged_into_id is None


class TestOtherPlugins:
    @pytest.fixture
    def tickets(self, accord_plugins):
        moved_by_plugin.clear()
        accord_plugins.append((Tickets(), manifest("tickets", depends=["contacts"])))

    @pytest.fixture
    def broken(self, accord_plugins):
        accord_plugins.append((Broken(), manifest("broken", depends=["contacts"])))

    def test_other_plugins_move_their_links_and_say_what_moved(
        self, tickets, signed_in, pair, enable_plugin, org
    ):
        enable_plugin(org, "tickets")
        ana, twin = pair
        agent = signed_in("agent")
        do_merge(agent, ana, twin)
        assert moved_by_plugin == [(ana.id, twin.id)]
        assert "Moved: tickets reported 2" in agent.get(f"/o/acme/contacts/people/{ana.id}").text

    def test_a_plugin_that_fails_stops_the_whole_merge(
        self, broken, signed_in, pair, enable_plugin, org
    ):
        enable_plugin(org, "broken")
        ana, twin = pair
        log_interaction(twin)
        response = do_merge(signed_in("agent"), ana, twin)
        assert response.status_code == 422 and "The broken plugin could not" in response.text
        assert Person.get_by_id(twin.id).merged_into_id is None
        assert Interaction.get().person_id == twin.id
