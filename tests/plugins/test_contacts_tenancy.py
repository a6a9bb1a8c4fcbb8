"""Contacts keep organisations apart: another organisation's records do not exist for you."""

from __future__ import annotations

import datetime

import pytest

from accord.plugins.contacts.models import (
    Affiliation,
    Interaction,
    InteractionParticipant,
    Person,
)
from accord.plugins.contacts.testing import log_interaction, make_organisation, make_person
from accord.testing import post_form


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def theirs(make_org, enable_plugin):
    """Organisation A's records: a school, Ana at it, and a call with a follow-up."""
    a = make_org("org-a")
    enable_plugin(a, "contacts")
    school = make_organisation(a, "Secret Academy")
    ana = make_person(a, "Ana", "Secret", organisation=school)
    call = log_interaction(
        ana, follow_up_action="Secret follow-up", follow_up_due=datetime.date(2020, 1, 1)
    )
    return a, school, ana, call


@pytest.fixture
def client_b(signed_in, org, enable_plugin):
    """An admin of organisation B (acme), where contacts is enabled too."""
    enable_plugin(org, "contacts")
    return signed_in("admin")


def person_routes(ana, affiliation, call):
    base = f"/o/acme/contacts/people/{ana.id}"
    return [
        ("GET", base),
        ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"),
        ("GET", f"{base}/archive"),
        ("POST", f"{base}/archive"),
        ("POST", f"{base}/unarchive"),
        ("POST", f"{base}/interactions"),
        ("POST", f"{base}/affiliations"),
        ("POST", f"{base}/affiliations/{affiliation.id}/primary"),
        ("POST", f"{base}/affiliations/{affiliation.id}/remove"),
        ("POST", f"/o/acme/contacts/interactions/{call.id}/done"),
    ]


def test_a_person_of_another_organisation_is_not_found_on_any_route(client_b, theirs):
    _, school, ana, call = theirs
    affiliation = Affiliation.get(Affiliation.person == ana.id)
    token_page = client_b.get("/o/acme/contacts/people/")
    assert token_page.status_code == 200
    for method, path in person_routes(ana, affiliation, call):
        if method == "GET":
            response = client_b.get(path)
        else:
            response = post_form(
                client_b, path, {"summary": "x"}, token_from="/o/acme/contacts/people/"
            )
        assert response.status_code == 404, (method, path, response.status_code)
        assert "Secret" not in response.text
    assert Person.get_by_id(ana.id).status == "active"
    assert Interaction.get_by_id(call.id).follow_up_done_at is None


def test_an_organisation_of_another_organisation_is_not_found(client_b, theirs):
    _, school, _, _ = theirs
    base = f"/o/acme/contacts/organisations/{school.id}"
    for path in (base, f"{base}/edit", f"{base}/archive"):
        assert client_b.get(path).status_code == 404, path


def test_the_other_organisations_own_url_is_not_found(client_b, theirs):
    a, _, ana, _ = theirs
    assert client_b.get(f"/o/{a.slug}/contacts/people/{ana.id}").status_code == 404


def test_lists_never_show_another_organisations_people(client_b, theirs):
    assert "Secret" not in client_b.get("/o/acme/contacts/people/?q=secret").text
    assert "Secret" not in client_b.get("/o/acme/contacts/organisations/").text
    assert "Secret" not in client_b.get("/o/acme/contacts/follow-ups/overdue").text


def test_another_organisations_customer_cannot_be_chosen_on_a_form(client_b, theirs):
    _, school, _, _ = theirs
    new = "/o/acme/contacts/people/new"
    data = {"first_name": "Bo", "last_name": "Chen", "organisation": "Secret Academy"}
    response = post_form(client_b, new, data, token_from=new)
    assert response.status_code == 422
    assert Affiliation.select().where(Affiliation.organisation == school.id).count() == 1


def test_another_organisations_person_cannot_be_added_as_a_participant(client_b, org, theirs):
    _, _, ana, _ = theirs
    school = make_organisation(org, "Acme School")
    bo = make_person(org, "Bo", "Chen", organisation=school)
    page = f"/o/acme/contacts/people/{bo.id}"
    data = {
        "kind": "call",
        "direction": "inbound",
        "occurred_at": "2020-01-01T10:00",
        "summary": "Hello",
        "participants": [str(ana.id)],
    }
    assert post_form(client_b, f"{page}/interactions", data, token_from=page).status_code == 303
    hello = Interaction.get(Interaction.summary == "Hello")
    taking_part = InteractionParticipant.select().where(InteractionParticipant.interaction == hello)
    assert [p.person_id for p in taking_part] == [bo.id]
