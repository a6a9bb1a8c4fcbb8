"""Contacts: importing people from CSV (page and command line) and exporting vCards."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from accord.plugins.contacts import importing
from accord.plugins.contacts.models import Affiliation, CustomerOrganisation, Person
from accord.plugins.contacts.testing import make_person
from accord.testing import csrf_from, post_form

IMPORT = "/o/acme/contacts/people/import"
HEADER = "Given name;Surname;E-mail;Telephone;Role;Town;Country;Company;Tags\n"
CLEAN = HEADER + (
    "Ana;Lima;Ana.Lima@Riverside.Example.org;020 7946 0958;Head Teacher;Leeds;GB;"
    "Riverside Academy;governor\n"
    "Ben;Okafor;ben@example.org;;Bursar;York;United Kingdom;Riverside Academy;\n"
)
MAPPING = {
    "map-0": "first_name",
    "map-1": "last_name",
    "map-2": "email",
    "map-3": "phone",
    "map-4": "job_title",
    "map-5": "city",
    "map-6": "country",
    "map-7": "organisation",
    "map-8": "tags",
}


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


def submit(client, text, action, on_match="skip"):
    data = {"csv": text, "action": action, "on_match": on_match, **MAPPING}
    return post_form(client, IMPORT, data, token_from=IMPORT)


def test_bad_rows_are_reported_and_nothing_is_imported(signed_in, enabled):
    bad = CLEAN + "Cy;;not-an-email;12;;;;;\n"
    response = submit(signed_in("agent"), bad, "import")
    assert response.status_code == 422
    assert "1 of 3 rows have errors" in response.text
    assert "Last name is missing." in response.text
    assert "Phone “12”" in response.text
    assert Person.select().count() == 0
    assert CustomerOrganisation.select().count() == 0


def test_a_clean_file_imports(signed_in, enabled):
    client = signed_in("agent")
    checked = submit(client, CLEAN, "check")
    assert "All 2 rows are valid" in checked.text
    assert Person.select().count() == 0  # the check saves nothing
    response = submit(client, CLEAN, "import")
    assert response.status_code == 303
    ana = Person.get(Person.last_name == "Lima")
    assert (ana.email, ana.phone, ana.city, ana.country) == (
        "Ana.Lima@riverside.example.org",
        "+442079460958",
        "Leeds",
        "GB",
    )
    assert ana.tag_names == "governor"
    assert ana.organisation.name == "Riverside Academy"
    assert Person.get(Person.first_name == "Ben").country == "GB"
    assert CustomerOrganisation.select().count() == 1
    assert Affiliation.select().count() == 2


def test_the_upload_step_guesses_the_mapping(signed_in, enabled):
    client = signed_in("agent")
    page = client.get(IMPORT)
    response = client.post(
        IMPORT,
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("people.csv", ("\ufeff" + CLEAN).encode(), "text/csv")},
    )
    assert response.status_code == 200
    assert '<option value="last_name" selected>' in response.text
    assert "2 rows in the file" in response.text


@pytest.mark.parametrize("on_match", ["update", "skip"])
def test_a_matching_email_updates_or_skips_the_person(enabled, on_match):
    make_person(enabled, "Ana", "Lima", email="ana.lima@riverside.example.org", job_title="Teacher")
    table = importing.read_csv(CLEAN)
    plan = importing.check(enabled, table, importing.guess_mapping(table.headers))
    assert plan.matched == 1
    result = importing.apply(enabled, plan, on_match=on_match)
    ana = Person.get(Person.last_name == "Lima")
    assert Person.select().count() == 2
    if on_match == "update":
        assert (result.created, result.updated, result.skipped) == (1, 1, 0)
        assert ana.job_title == "Head Teacher"
    else:
        assert (result.created, result.updated, result.skipped) == (1, 0, 1)
        assert ana.job_title == "Teacher"


def test_the_cli_dry_run_checks_and_saves_nothing(accord_settings, enabled, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(CLEAN.replace("Surname", "Family"), encoding="utf-8")
    group = click.Group()
    importing.add_commands(group)
    env = {
        "ACCORD_HOME": str(accord_settings.home),
        "ACCORD_DATABASE_URL": accord_settings.database_url,
        "ACCORD_SECRET_KEY": "test-secret-key",
    }
    args = ["contacts", "import", str(path), "--org", "acme", "--dry-run"]
    result = CliRunner().invoke(
        group, [*args, "--map", "Family=last name", "--map", "Town=town"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "2 rows are valid; 2 would be added" in result.output
    assert Person.select().count() == 0
    missing = CliRunner().invoke(group, args, env=env)
    assert missing.exit_code == 1
    assert "Error: Choose the column that holds the last name." in missing.output


def test_the_vcard_holds_the_name_email_and_phone(signed_in, enabled):
    ana = make_person(enabled, "Ana", "Lima", email="ana@example.org", phone="020 7946 0958")
    client = signed_in("viewer")
    one = client.get(f"/o/acme/contacts/people/{ana.id}/vcard")
    assert one.headers["content-type"].startswith("text/vcard")
    assert "FN:Ana Lima" in one.text
    assert "N:Lima;Ana;;;" in one.text
    assert "EMAIL;TYPE=INTERNET:ana@example.org" in one.text
    assert "TEL;TYPE=WORK:+442079460958" in one.text
    make_person(enabled, "Ben", "Okafor")
    listed = client.get("/o/acme/contacts/people/vcard?q=lima")
    assert listed.text.count("BEGIN:VCARD") == 1


def test_the_people_list_links_to_import_and_vcards(signed_in, enabled):
    page = signed_in("agent").get("/o/acme/contacts/people/?q=lima")
    assert 'href="/o/acme/contacts/people/import"' in page.text
    assert 'href="/o/acme/contacts/people/vcard?q=lima"' in page.text


def test_viewers_cannot_import(signed_in, enabled):
    assert signed_in("viewer").get(IMPORT).status_code == 403


def test_a_persons_page_links_to_their_vcard(signed_in, enabled):
    from accord.plugins.contacts.testing import make_person

    person = make_person(enabled, "Ana", "Lima", email="ana.lima@example.org")
    page = signed_in("viewer").get(f"/o/{enabled.slug}/contacts/people/{person.id}").text
    assert f'href="/o/{enabled.slug}/contacts/people/{person.id}/vcard"' in page
