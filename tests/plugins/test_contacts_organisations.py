"""Contacts: customer organisations, their list, page and form, and a person's affiliations."""

from __future__ import annotations

import csv
import io

import pytest

from accord.plugins.contacts.models import Affiliation, CustomerOrganisation, Person
from accord.plugins.contacts.testing import make_organisation, make_person
from accord.testing import post_form

LIST = "/o/acme/contacts/organisations/"
NEW = "/o/acme/contacts/organisations/new"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


def url(organisation, page=""):
    return f"/o/acme/contacts/organisations/{organisation.id}{page}"


def form(**fields):
    values = {"name": "Riverside Academy", "kind": "school", "industry": "Education"}
    values.update(fields)
    return values


def test_a_manager_adds_an_organisation(signed_in, enabled):
    client = signed_in("manager")
    response = post_form(client, NEW, form(city="Leeds"), token_from=NEW)
    assert response.status_code == 303
    organisation = CustomerOrganisation.get()
    assert (organisation.name, organisation.kind, organisation.city) == (
        "Riverside Academy",
        "school",
        "Leeds",
    )
    assert "Riverside Academy is added." in client.get(response.headers["location"]).text


def test_two_organisations_cannot_share_a_name(signed_in, enabled):
    make_organisation(enabled, "Riverside Academy")
    response = post_form(signed_in("manager"), NEW, form(name="riverside academy"), token_from=NEW)
    assert response.status_code == 422
    assert "There is already an organisation called riverside academy." in response.text


def test_an_organisation_cannot_be_part_of_its_own_part(signed_in, enabled):
    council = make_organisation(enabled, "Northbridge Council", kind="council")
    make_organisation(enabled, "Adult Social Care", parent=council)
    edit = url(council, "/edit")
    response = post_form(
        signed_in("manager"),
        edit,
        form(name="Northbridge Council", parent="adult social care", version="1"),
        token_from=edit,
    )
    assert response.status_code == 422
    assert "cannot be part of one of its own parts" in response.text


def test_the_edit_form_shows_the_parent_by_name(signed_in, enabled):
    council = make_organisation(enabled, "Northbridge Council", kind="council")
    care = make_organisation(enabled, "Adult Social Care", parent=council)
    page = signed_in("manager").get(url(care, "/edit"))
    assert 'value="Northbridge Council"' in page.text


def test_renaming_an_organisation_lets_its_people_be_found_by_the_new_name(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    make_person(enabled, organisation=school)
    client = signed_in("manager")
    edit = url(school, "/edit")
    post_form(client, edit, form(name="Riverside College", version="1"), token_from=edit)
    assert "Ana Lima" in client.get("/o/acme/contacts/people/?q=college").text


def test_a_stale_organisation_edit_is_refused(signed_in, enabled):
    school = make_organisation(enabled)
    client = signed_in("manager")
    edit = url(school, "/edit")
    post_form(client, edit, form(industry="Schools", version="1"), token_from=edit)
    response = post_form(client, edit, form(industry="Academies", version="1"), token_from=edit)
    assert response.status_code == 409


def test_the_list_searches_filters_and_counts_people(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy", city="Leeds")
    make_organisation(enabled, "Adult Social Care", kind="department", city="York")
    make_person(enabled, organisation=school)
    client = signed_in("viewer")
    found = client.get(LIST + "?q=riverside").text
    assert "Riverside Academy" in found and "Adult Social Care" not in found
    assert '<td class="num">1</td>' in found
    by_kind = client.get(LIST + "?kind=department").text
    assert "Adult Social Care" in by_kind and "Riverside Academy" not in by_kind
    by_city = client.get(LIST + "?city=Leeds").text
    assert "Riverside Academy" in by_city and "Adult Social Care" not in by_city


def test_the_list_exports_csv(signed_in, enabled):
    make_organisation(enabled, "Riverside Academy", industry="Education")
    response = signed_in("viewer").get(LIST + "?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [(r["Name"], r["Type"], r["Sector"]) for r in rows] == [
        ("Riverside Academy", "School", "Education")
    ]


def test_archived_organisations_are_hidden_from_the_list(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    client = signed_in("manager")
    archive = url(school, "/archive")
    assert post_form(client, archive, token_from=archive).status_code == 303
    assert ">Riverside Academy</a>" not in client.get(LIST).text
    assert ">Riverside Academy</a>" in client.get(LIST + "archived").text


def test_an_organisations_page_lists_its_people_and_parts(signed_in, enabled):
    council = make_organisation(enabled, "Northbridge Council", kind="council")
    care = make_organisation(enabled, "Adult Social Care", parent=council)
    make_person(enabled, organisation=council, role="Chief Digital Officer")
    text = signed_in("viewer").get(url(council)).text
    assert "Ana Lima</a>: Chief Digital Officer" in text
    assert f'href="{url(care)}">Adult Social Care' in text


# --- Affiliations ---------------------------------------------------------------------------


def person_page(person, page=""):
    return f"/o/acme/contacts/people/{person.id}{page}"


def test_a_person_belongs_to_several_organisations_with_a_role_in_each(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    council = make_organisation(enabled, "Northbridge Council")
    person = make_person(enabled, organisation=council, role="Finance partner")
    client = signed_in("agent")
    add = person_page(person, "/affiliations")
    data = {"organisation": "Riverside Academy", "role": "Governor"}
    assert post_form(client, add, data, token_from=person_page(person)).status_code == 303
    text = client.get(person_page(person)).text
    assert "Northbridge Council</a>: Finance partner" in text
    assert "Riverside Academy</a>: Governor" in text
    assert Person.get_by_id(person.id).organisation_id == council.id  # still the main one
    assert "Ana Lima" in client.get(url(school)).text


def test_an_organisation_is_chosen_by_its_exact_name(signed_in, enabled):
    make_organisation(enabled, "Riverside Academy")
    person = make_person(enabled)
    add = person_page(person, "/affiliations")
    response = post_form(
        signed_in("agent"), add, {"organisation": "Riverside"}, token_from=person_page(person)
    )
    assert response.status_code == 422
    assert "There is no organisation called “Riverside”; add it first." in response.text
    assert 'value="Riverside"' in response.text


def test_organisation_fields_suggest_matching_organisations(signed_in, enabled):
    make_organisation(enabled, "Riverside Academy", city="Leeds")
    make_organisation(enabled, "Academy of Music")
    make_organisation(enabled, "Adult Social Care", kind="department")
    options = signed_in("viewer").get(
        "/o/acme/contacts/organisations/suggestions", params={"organisation": "acad"}
    )
    assert options.text.index('"Academy of Music"') < options.text.index('"Riverside Academy"')
    assert "Adult Social Care" not in options.text
    assert "School, Leeds" in options.text


def test_making_another_organisation_the_main_one(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    council = make_organisation(enabled, "Northbridge Council")
    person = make_person(enabled, organisation=council)
    second = Affiliation.create(org=enabled, person=person, organisation=school)
    client = signed_in("agent")
    primary = person_page(person, f"/affiliations/{second.id}/primary")
    post_form(client, primary, token_from=person_page(person))
    assert Person.get_by_id(person.id).organisation_id == school.id


def test_removing_the_main_organisation_promotes_another(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    council = make_organisation(enabled, "Northbridge Council")
    person = make_person(enabled, organisation=council)
    Affiliation.create(org=enabled, person=person, organisation=school)
    main = Affiliation.get(Affiliation.organisation == council.id)
    client = signed_in("agent")
    remove = person_page(person, f"/affiliations/{main.id}/remove")
    assert "Remove Ana Lima from Northbridge Council?" in client.get(remove).text
    post_form(client, remove, token_from=remove)
    assert Person.get_by_id(person.id).organisation_id == school.id
