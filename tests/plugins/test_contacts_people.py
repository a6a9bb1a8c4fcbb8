"""Contacts: the people lists, a person's page and the forms that add, edit and archive people."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from playhouse.test_utils import count_queries

from accord import utcnow
from accord.plugins.contacts.models import Affiliation, Person, Tag
from accord.plugins.contacts.testing import log_interaction, make_organisation, make_person
from accord.testing import HTMX_HEADERS, post_form

PEOPLE = "/o/acme/contacts/people/"
NEW = "/o/acme/contacts/people/new"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


def person_url(person, page=""):
    return f"/o/acme/contacts/people/{person.id}{page}"


def form(**fields):
    values = {
        "first_name": "Ana",
        "last_name": "Lima",
        "job_title": "Head Teacher",
        "email": "Ana.Lima@Riverside.Example.org",
        "phone": "020 7946 0958",
        "country": "GB",
        "tag_names": "governor, ICT lead",
    }
    values.update(fields)
    return values


def names_on(page):
    return sorted(p.full_name for p in Person.select() if f">{p.full_name}<" in page.text)


# --- Adding and editing ---------------------------------------------------------------------


def test_an_agent_adds_a_person_with_normalised_email_and_phone(signed_in, enabled):
    client = signed_in("agent")
    response = post_form(client, NEW, form(), token_from=NEW)
    assert response.status_code == 303
    person = Person.get()
    assert (person.email, person.phone) == ("Ana.Lima@riverside.example.org", "+442079460958")
    assert "Ana Lima is added." in client.get(response.headers["location"]).text


def test_the_new_person_form_makes_me_the_owner(signed_in, enabled):
    from accord import User

    client = signed_in("agent", email="alex@acme.test")
    me = User.get(User.email == "alex@acme.test")
    assert f'<option value="{me.id}" selected>' in client.get(NEW).text


def test_a_phone_without_country_code_is_read_in_the_organisations_region(
    signed_in, enabled, accord_settings, accord_host
):
    from accord import plugin_settings

    contacts = accord_host.manifest("contacts")
    plugin_settings.save(accord_settings.secret_key, contacts, enabled, {"default_region": "ie"})
    post_form(signed_in("agent"), NEW, form(phone="(01) 234 5678"), token_from=NEW)
    assert Person.get().phone == "+35312345678"


def test_the_region_setting_offers_every_region_phone_numbers_know(accord_host):
    import phonenumbers

    spec = accord_host.manifest("contacts").setting("default_region")
    assert {value for value, _ in spec.choices} == phonenumbers.SUPPORTED_REGIONS


def test_an_invalid_email_and_phone_are_shown_again_with_what_was_typed(signed_in, enabled):
    response = post_form(
        signed_in("agent"),
        NEW,
        form(email="ana@riverside", phone="12345", first_name=""),
        token_from=NEW,
    )
    assert response.status_code == 422
    assert "It should have a period." in response.text
    assert "Enter a phone number with its area code" in response.text
    assert "Enter first name." in response.text
    assert 'value="ana@riverside"' in response.text
    assert 'value="12345"' in response.text
    assert Person.select().count() == 0


def test_a_new_person_joins_the_chosen_organisation_in_the_role_given(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    post_form(
        signed_in("agent"), NEW, form(organisation="Riverside Academy", role="Head"), token_from=NEW
    )
    affiliation = Affiliation.get()
    assert (affiliation.organisation_id, affiliation.role, affiliation.is_primary) == (
        school.id,
        "Head",
        True,
    )
    assert Person.get().organisation_id == school.id


def test_add_a_person_from_an_organisations_page_starts_with_it(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    page = signed_in("agent").get(f"{NEW}?organisation={school.id}")
    assert 'value="Riverside Academy"' in page.text


def test_tags_are_shared_between_people_ignoring_case(signed_in, enabled):
    client = signed_in("agent")
    post_form(client, NEW, form(tag_names="Governor"), token_from=NEW)
    post_form(client, NEW, form(first_name="Bo", tag_names="governor, VIP"), token_from=NEW)
    assert sorted(t.name for t in Tag.select()) == ["Governor", "VIP"]
    assert Person.get(Person.first_name == "Bo").tag_names == "Governor, VIP"


def test_a_date_of_birth_sets_the_age_band(signed_in, enabled):
    born = utcnow().date().replace(year=utcnow().year - 40) - timedelta(days=1)
    post_form(signed_in("agent"), NEW, form(date_of_birth=born.isoformat()), token_from=NEW)
    assert Person.get().age_band == "35-44"


def test_viewers_cannot_add_people(signed_in, enabled):
    client = signed_in("viewer")
    assert client.get(NEW).status_code == 403
    assert "Add a person" not in client.get(PEOPLE).text


def test_an_edit_is_saved_and_shown_on_the_timeline(signed_in, enabled):
    person = make_person(enabled, email="ana@example.org")
    client = signed_in("agent")
    edit = person_url(person, "/edit")
    page = client.get(edit)
    assert 'name="version" value="1"' in page.text
    response = post_form(client, edit, form(job_title="Principal", version="1"), token_from=edit)
    assert response.status_code == 303
    assert Person.get_by_id(person.id).job_title == "Principal"
    detail = client.get(person_url(person)).text
    assert "Principal" in detail
    assert "edited" in detail and "Job title" in detail


def test_a_stale_edit_is_refused_with_both_versions(signed_in, enabled):
    person = make_person(enabled, job_title="Teacher")
    client = signed_in("agent")
    edit = person_url(person, "/edit")
    post_form(client, edit, form(job_title="Deputy Head", version="1"), token_from=edit)
    response = post_form(client, edit, form(job_title="Principal", version="1"), token_from=edit)
    assert response.status_code == 409
    assert "Deputy Head" in response.text and "Principal" in response.text
    assert Person.get_by_id(person.id).job_title == "Deputy Head"


# --- Archiving ------------------------------------------------------------------------------


def test_archiving_asks_first_then_hides_the_person_from_the_list(signed_in, enabled):
    person = make_person(enabled)
    client = signed_in("manager")
    url = person_url(person, "/archive")
    assert "Archive Ana Lima?" in client.get(url).text
    assert Person.get_by_id(person.id).status == "active"
    assert post_form(client, url, token_from=url).status_code == 303
    assert Person.get_by_id(person.id).status == "archived"
    assert names_on(client.get(PEOPLE)) == []
    assert names_on(client.get(PEOPLE + "archived")) == ["Ana Lima"]


def test_an_archived_person_can_be_restored(signed_in, enabled):
    person = make_person(enabled, status="archived")
    client = signed_in("manager")
    url = person_url(person, "/unarchive")
    assert post_form(client, url, token_from=url).status_code == 303
    assert names_on(client.get(PEOPLE)) == ["Ana Lima"]


def test_agents_cannot_archive(signed_in, enabled):
    person = make_person(enabled)
    client = signed_in("agent")
    assert client.get(person_url(person, "/archive")).status_code == 403
    assert "Archive…" not in client.get(person_url(person)).text


# --- The list -------------------------------------------------------------------------------


def test_search_finds_people_by_name_email_phone_and_organisation(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    make_person(enabled, "Ana", "Lima", email="ana@example.org")
    make_person(enabled, "Bo", "Chen", phone="020 7946 0958")
    make_person(enabled, "Cy", "Dale", organisation=school)
    client = signed_in("viewer")
    assert names_on(client.get(PEOPLE + "?q=lima")) == ["Ana Lima"]
    assert names_on(client.get(PEOPLE + "?q=ana@example")) == ["Ana Lima"]
    assert names_on(client.get(PEOPLE + "?q=020 7946 0958")) == ["Bo Chen"]
    assert names_on(client.get(PEOPLE + "?q=%2B44 20 7946")) == ["Bo Chen"]
    assert names_on(client.get(PEOPLE + "?q=riverside")) == ["Cy Dale"]


def test_search_reads_a_phone_number_typed_in_groups_as_one(signed_in, enabled):
    make_person(enabled, "Bo", "Chen", phone="020 7946 0958")
    make_person(enabled, "Cy", "Dale", phone="020 7946 0123")
    client = signed_in("viewer")
    assert names_on(client.get(PEOPLE + "?q=(020) 7946-0958")) == ["Bo Chen"]
    assert names_on(client.get(PEOPLE + "?q=020 7946")) == ["Bo Chen", "Cy Dale"]


def test_search_with_a_term_too_short_for_the_index_still_matches(signed_in, enabled):
    make_person(enabled, "Ana", "Li")
    make_person(enabled, "Bo", "Chen")
    assert names_on(signed_in("viewer").get(PEOPLE + "?q=li")) == ["Ana Li"]


def test_filters_by_tag_owner_city_and_last_contact(signed_in, enabled, make_user):
    owner = make_user("owner@acme.test", enabled, "agent")
    ana = make_person(enabled, "Ana", "Lima", tags="governor", city="Leeds", owner=owner)
    bo = make_person(enabled, "Bo", "Chen", city="York")
    make_person(enabled, "Cy", "Dale")
    log_interaction(ana, occurred_at=utcnow() - timedelta(days=5))
    log_interaction(bo, occurred_at=utcnow() - timedelta(days=45))
    governor = Tag.get().id
    client = signed_in("viewer")
    assert names_on(client.get(f"{PEOPLE}?tag={governor}")) == ["Ana Lima"]
    assert names_on(client.get(f"{PEOPLE}?owner={owner.id}")) == ["Ana Lima"]
    assert names_on(client.get(f"{PEOPLE}?city=York")) == ["Bo Chen"]
    assert names_on(client.get(f"{PEOPLE}?contacted=never")) == ["Cy Dale"]
    assert names_on(client.get(f"{PEOPLE}?contacted=30")) == ["Bo Chen", "Cy Dale"]
    assert names_on(client.get(f"{PEOPLE}?contacted=recent")) == ["Ana Lima"]


def test_the_list_sorts_by_name_and_by_last_contact(signed_in, enabled):
    zed = make_person(enabled, "Zed", "Adams")
    amy = make_person(enabled, "Amy", "Young")
    log_interaction(zed, occurred_at=utcnow() - timedelta(days=9))
    log_interaction(amy, occurred_at=utcnow() - timedelta(days=1))
    client = signed_in("viewer")

    def order(url):
        text = client.get(url).text
        return sorted(["Zed Adams", "Amy Young"], key=text.index)

    assert order(PEOPLE) == ["Zed Adams", "Amy Young"]
    assert order(PEOPLE + "?sort=-last_name") == ["Amy Young", "Zed Adams"]
    assert order(PEOPLE + "?sort=-last_contacted_at") == ["Amy Young", "Zed Adams"]


def test_the_list_pages_on_with_a_cursor(signed_in, enabled):
    for n in range(30):
        make_person(enabled, "Person", f"{n:02d}")
    client = signed_in("viewer")
    first = client.get(PEOPLE)
    assert "Person 24" in first.text and "Person 25" not in first.text
    next_url = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get(next_url.replace("&amp;", "&"))
    assert "Person 25" in second.text and "Person 29" in second.text
    assert "Person 24" not in second.text


def test_the_list_answers_htmx_with_the_rows_only(signed_in, enabled):
    make_person(enabled)
    fragment = signed_in("viewer").get(PEOPLE + "?q=ana", headers=HTMX_HEADERS)
    assert "Ana Lima" in fragment.text
    assert "<html" not in fragment.text


def test_the_list_shows_organisation_and_owner_without_a_query_per_row(signed_in, enabled):
    client = signed_in("viewer")
    school = make_organisation(enabled)
    counts = []
    for n in range(2):
        make_person(enabled, "Ana", f"Lima{n}", organisation=school)
        with count_queries() as counter:
            assert "Riverside Academy" in client.get(PEOPLE).text
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_the_list_exports_every_matching_person_as_csv(signed_in, enabled):
    make_person(enabled, "Ana", "Lima", email="ana@example.org", phone="020 7946 0958")
    make_person(enabled, "Bo", "Chen")
    response = signed_in("viewer").get(PEOPLE + "?q=lima&format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [(r["First name"], r["Last name"], r["Email"]) for r in rows] == [
        ("Ana", "Lima", "ana@example.org")
    ]


def test_the_export_holds_the_phone_as_stored_without_an_apostrophe(signed_in, enabled):
    make_person(enabled, "Ana", "Lima", phone="020 7946 0958")
    response = signed_in("viewer").get(PEOPLE + "?format=csv")
    [row] = csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")))
    assert row["Phone"] == "+442079460958"


def test_archived_people_are_hidden_by_default(signed_in, enabled):
    make_person(enabled, "Ana", "Lima")
    make_person(enabled, "Bo", "Chen", status="archived")
    assert names_on(signed_in("viewer").get(PEOPLE)) == ["Ana Lima"]


# --- A person's page ------------------------------------------------------------------------


def test_a_persons_page_shows_details_organisations_and_slots(signed_in, enabled):
    school = make_organisation(enabled, "Riverside Academy")
    person = make_person(
        enabled, organisation=school, role="Head", email="ana@example.org", tags="governor"
    )
    page = signed_in("viewer").get(person_url(person))
    assert page.status_code == 200
    assert 'href="mailto:ana@example.org"' in page.text
    assert "Riverside Academy</a>: Head" in page.text
    assert "governor" in page.text
    assert "Log an interaction" not in page.text  # viewers only read
