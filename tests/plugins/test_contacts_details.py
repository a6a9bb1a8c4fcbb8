"""Contacts: a person's several email addresses and phone numbers, labelled, one primary each."""

from __future__ import annotations

import importlib

import pytest
from playhouse.migrate import SchemaMigrator

from accord import database
from accord.models import AuditEntry
from accord.plugins.contacts import import_jobs
from accord.plugins.contacts.details import Detail, details_of
from accord.plugins.contacts.merging import candidates
from accord.plugins.contacts.models import ContactDetail, Person
from accord.plugins.contacts.testing import make_person
from accord.testing import post_form

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
    """The person form with two addresses (the second primary) and two numbers."""
    values = {
        "first_name": "Priya",
        "last_name": "Raman",
        "email": ["priya@council.example", "Priya.Raman@Home.Example"],
        "email_label": ["work", "home"],
        "email_key": ["r0", "r1"],
        "email_primary": "r1",
        "phone": ["020 7946 0958", "07911 123456"],
        "phone_label": ["work", "mobile"],
        "phone_key": ["r0", "r1"],
        "phone_primary": "r0",
    }
    values.update(fields)
    return values


def reach(person):
    return [(d.kind, d.value, d.label, d.primary) for d in details_of(person)]


# --- The form --------------------------------------------------------------------------------


def test_a_person_is_added_with_several_labelled_addresses_and_numbers(signed_in, enabled):
    response = post_form(signed_in("agent"), NEW, form(), token_from=NEW)
    assert response.status_code == 303
    assert reach(Person.get()) == [
        ("email", "Priya.Raman@home.example", "home", True),
        ("email", "priya@council.example", "work", False),
        ("phone", "+442079460958", "work", True),
        ("phone", "+447911123456", "mobile", False),
    ]


def test_the_chosen_primaries_are_the_persons_email_and_phone(signed_in, enabled):
    post_form(signed_in("agent"), NEW, form(), token_from=NEW)
    person = Person.get()
    assert (person.email, person.phone) == ("Priya.Raman@home.example", "+442079460958")


def test_a_wrong_row_is_a_422_that_keeps_every_row_typed(signed_in, enabled):
    typed = form(email=["priya@council.example", "priya@nowhere", "third@example.org"])
    typed["email_key"] = ["r0", "r1", "r2"]
    typed["email_label"] = ["work", "home", "other"]
    response = post_form(signed_in("agent"), NEW, typed, token_from=NEW)
    assert response.status_code == 422
    assert "Email addresses: " in response.text and "It should have a period" in response.text
    for value in ("priya@council.example", "priya@nowhere", "third@example.org", "07911 123456"):
        assert f'value="{value}"' in response.text
    assert '<option value="other" selected>' in response.text
    assert Person.select().count() == 0


def test_the_same_number_twice_is_refused(signed_in, enabled):
    response = post_form(
        signed_in("agent"), NEW, form(phone=["020 7946 0958", "+44 20 7946 0958"]), token_from=NEW
    )
    assert response.status_code == 422
    assert "This phone number is already in the list." in response.text


def test_the_form_offers_a_blank_row_to_add_another(signed_in, enabled):
    page = signed_in("agent").get(NEW).text
    assert page.count('name="email"') == 1 and page.count('name="phone"') == 1
    assert "Add another email address" in page


def test_editing_removes_an_emptied_row_and_moves_the_primary(signed_in, enabled):
    priya = make_person(
        enabled, "Priya", "Raman", email="priya@council.example", other_emails=("p@home.example",)
    )
    client = signed_in("agent")
    edit = person_url(priya, "/edit")
    page = client.get(edit).text
    assert 'value="p@home.example"' in page
    data = form(
        email=["", "p@home.example"],
        email_key=["r0", "r1"],
        email_label=["work", "home"],
        email_primary="r0",  # the emptied row was primary: the remaining one takes over
        phone=[],
        version=str(priya.version),
    )
    response = post_form(client, edit, data, token_from=edit)
    assert response.status_code == 303
    assert reach(Person.get_by_id(priya.id)) == [("email", "p@home.example", "home", True)]
    assert Person.get_by_id(priya.id).phone is None


def test_a_plain_email_field_still_makes_the_primary(signed_in, enabled):
    data = {"first_name": "Bo", "last_name": "Chen", "email": "bo@example.org"}
    post_form(signed_in("agent"), NEW, data, token_from=NEW)
    assert reach(Person.get()) == [("email", "bo@example.org", "work", True)]


# --- The page and the lists ------------------------------------------------------------------


def test_the_persons_page_shows_every_address_and_number_with_its_label(signed_in, enabled):
    priya = make_person(
        enabled,
        "Priya",
        "Raman",
        email="priya@council.example",
        other_emails=("p@home.example",),
        phone="020 7946 0958",
        other_phones=("07911 123456",),
    )
    page = signed_in("viewer").get(person_url(priya)).text
    assert 'href="mailto:p@home.example"' in page and 'href="mailto:priya@council.example"' in page
    assert "+44 7911 123456" in page and "+44 20 7946 0958" in page
    assert "work, primary" in page and "mobile" in page


def test_the_people_list_finds_a_person_by_another_address(signed_in, enabled):
    make_person(enabled, "Priya", "Raman", other_emails=("p.raman@home.example",))
    make_person(enabled, "Bo", "Chen")
    page = signed_in("viewer").get("/o/acme/contacts/people/?q=p.raman@home").text
    assert "Priya Raman" in page and "Bo Chen" not in page


# --- Duplicates, import, merge -----------------------------------------------------------------


def test_people_sharing_any_number_are_possible_duplicates(enabled):
    make_person(enabled, "Priya", "Raman", phone="020 7946 0958", other_phones=("07911 123456",))
    make_person(enabled, "P", "Raman", phone="07911 123456")
    found = candidates(enabled)
    assert [(c.first.first_name, c.second.first_name, c.reason) for c in found] == [
        ("Priya", "P", "Same phone")
    ]


def test_an_import_row_matches_a_person_by_another_address(enabled):
    priya = make_person(enabled, "Priya", "Raman", other_emails=("p@home.example",))
    text = "First name,Last name,Email,Other phones\n"
    text += "Priya,Raman,P@home.example,07911 123456; 020 7946 0958\n"
    job = import_jobs.import_now(enabled, text, on_match="update")
    assert (job.matched, job.updated, job.created) == (1, 1, 0)
    assert [d.value for d in details_of(Person.get_by_id(priya.id)) if d.kind == "phone"] == [
        "+447911123456",
        "+442079460958",
    ]


def test_merging_keeps_every_address_of_both_and_the_survivors_primary(signed_in, enabled):
    priya = make_person(enabled, "Priya", "Raman", email="priya@council.example")
    again = make_person(
        enabled, "Priya", "Raman", email="p@home.example", other_emails=("priya@council.example",)
    )
    url = f"{person_url(priya, '/merge')}?with={again.id}"
    response = post_form(signed_in("agent"), url, {"keep": str(priya.id)}, token_from=url)
    assert response.status_code == 303
    assert reach(Person.get_by_id(priya.id)) == [
        ("email", "priya@council.example", "work", True),
        ("email", "p@home.example", "work", False),
    ]
    entry = AuditEntry.select().where(AuditEntry.action == "merge").get()
    assert "adding p@home.example" in entry.summary


# --- The migration -----------------------------------------------------------------------------


def test_the_migration_moves_existing_emails_and_phones_into_details(enabled):
    old = Person.create(org=enabled, first_name="Old", last_name="Record", email="o@example.org")
    Person.create(org=enabled, first_name="No", last_name="Details")
    migration = importlib.import_module("accord.plugins.contacts.migrations.0009_person_details")
    database.execute_sql("DROP TABLE contacts_person_detail")
    if not _is_sqlite():
        database.execute_sql("DROP INDEX IF EXISTS contacts_person_name_trgm")
        database.execute_sql("DROP INDEX IF EXISTS contacts_organisation_name_trgm")
    migration.up(SchemaMigrator.from_database(database.obj), database.obj)
    rows = list(ContactDetail.select().tuples())
    assert [(r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        (old.id, "email", "o@example.org", "work", True)
    ]


def _is_sqlite():
    from peewee import SqliteDatabase

    return isinstance(database.obj, SqliteDatabase)


def test_details_are_the_persons_even_when_made_outside_contacts(enabled):
    made_elsewhere = Person.create(org=enabled, first_name="A", last_name="B", email="a@b.example")
    assert details_of(made_elsewhere) == [Detail("email", "a@b.example", "work", True)]


def test_a_few_demo_people_have_a_second_address_and_number(accord_host, enabled, make_user):
    from accord import DemoContext

    users = {"agent": make_user("agent@acme.test", enabled, "agent")}
    accord_host.pm.get_plugin("contacts").load_demo_data(DemoContext(org=enabled, users=users))
    people = list(Person.in_org(enabled))
    reached_twice = [p for p in people if len(details_of(p)) == 4]
    assert 3 <= len(reached_twice) < len(people)
    assert all(p.email and p.phone for p in people)


def test_the_vcard_holds_every_address_and_number_the_primary_preferred(signed_in, enabled):
    priya = make_person(
        enabled,
        "Priya",
        "Raman",
        email="priya@council.example",
        other_emails=("p@home.example",),
        phone="020 7946 0958",
        other_phones=("07911 123456",),
    )
    card = signed_in("viewer").get(person_url(priya, "/vcard")).text
    assert "EMAIL;TYPE=INTERNET,PREF:priya@council.example" in card
    assert "EMAIL;TYPE=INTERNET:p@home.example" in card
    assert "TEL;TYPE=WORK,PREF:+442079460958" in card
    assert "TEL;TYPE=CELL:+447911123456" in card


def test_a_changed_address_is_in_the_persons_history(signed_in, enabled):
    priya = make_person(enabled, "Priya", "Raman", email="priya@council.example")
    client = signed_in("agent")
    edit = person_url(priya, "/edit")
    data = form(
        email=["priya@council.example", "p@home.example"],
        email_key=["r0", "r1"],
        email_label=["work", "home"],
        email_primary="r0",
        phone=[],
        version=str(priya.version),
    )
    assert post_form(client, edit, data, token_from=edit).status_code == 303
    page = client.get(person_url(priya, "?show=changes")).text
    assert "priya@council.example (work, primary), p@home.example (home)" in page


def test_saving_without_changing_an_address_adds_no_history_of_it(signed_in, enabled):
    priya = make_person(enabled, "Priya", "Raman", email="priya@council.example")
    client = signed_in("agent")
    edit = person_url(priya, "/edit")
    data = form(email=["priya@council.example"], email_key=["r0"], email_label=["work"])
    data.update(email_primary="r0", phone=[], job_title="Head", version=str(priya.version))
    post_form(client, edit, data, token_from=edit)
    assert AuditEntry.select().where(AuditEntry.record_id == str(priya.id)).count() > 0
    updates = AuditEntry.select().where(AuditEntry.action == "update")
    assert [e for e in updates if "email" in (e.changes or {})] == []
