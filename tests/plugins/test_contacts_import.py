"""Contacts: importing people from CSV (page and command line) and exporting vCards."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from accord.plugins.contacts import import_jobs, importing
from accord.plugins.contacts.consent import set_topic
from accord.plugins.contacts.consent.models import TopicConsent
from accord.plugins.contacts.details import details_of
from accord.plugins.contacts.import_jobs import ImportJob
from accord.plugins.contacts.models import Affiliation, CustomerOrganisation, Person
from accord.plugins.contacts.testing import make_organisation, make_person
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


def upload(client, text: str | bytes, name: str = "people.csv"):
    page = client.get(IMPORT)
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        IMPORT,
        data={"csrf_token": csrf_from(page.text)},
        files={"file": (name, data, "text/csv")},
        follow_redirects=False,
    )


def beating(app, job, rows=0):
    """The worker's heartbeat for ``job``, as a live worker puts it."""
    queue = app.state.accord.queue
    queue.put_expiring(import_jobs.progress_key(job.id), rows, import_jobs.STALLED_AFTER)


def submit(client, text, action, on_match="skip"):
    """Upload ``text``, map its columns and check or import it; the job's page after."""
    job_url = upload(client, text).headers["location"]
    data = {"action": action, "on_match": on_match, **MAPPING}
    post_form(client, job_url, data, token_from=job_url)
    return client.get(job_url)


def test_bad_rows_are_reported_and_nothing_is_imported(signed_in, enabled):
    bad = CLEAN + "Cy;;not-an-email;12;;;;;\n"
    page = submit(signed_in("agent"), bad, "import")
    assert "1 of 3 rows have errors" in page.text
    assert "Last name is missing." in page.text
    assert "Phone “12”" in page.text
    assert Person.select().count() == 0
    assert CustomerOrganisation.select().count() == 0
    assert ImportJob.get().status == "invalid"


def test_a_clean_file_imports(signed_in, enabled):
    client = signed_in("agent")
    checked = submit(client, CLEAN, "check")
    assert "All 2 rows are valid" in checked.text
    assert Person.select().count() == 0  # the check saves nothing
    page = submit(client, CLEAN, "import")
    assert "Imported: 2 added, 0 updated, 0 skipped." in page.text
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
    response = upload(client, "\ufeff" + CLEAN)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert '<option value="last_name" selected>' in page.text
    assert "2 rows in the file" in page.text


def test_the_check_names_the_organisations_the_import_will_create(signed_in, enabled):
    make_organisation(enabled, "Riverside Academy")
    more = "".join(f"P;N{n};p{n}@example.org;;;;;School {n};\n" for n in range(7))
    page = submit(
        signed_in("agent"), CLEAN + "Cy;Ng;cy@example.org;;;;;Hilltop College;\n" + more, "check"
    )
    assert (
        "8 new customer organisations will be created: Hilltop College, School 0, School 1, "
        "School 2, School 3 and 3 more." in page.text
    )
    assert CustomerOrganisation.select().count() == 1  # the check creates none


def test_the_check_does_not_mention_organisations_when_it_creates_none(signed_in, enabled):
    make_organisation(enabled, "Riverside Academy")
    page = submit(signed_in("agent"), CLEAN, "check")
    assert "All 2 rows are valid" in page.text
    assert "will be created" not in page.text


def test_organisations_of_skipped_rows_are_not_counted_as_new(enabled):
    make_person(enabled, "Ana", "Lima", email="ana.lima@riverside.example.org")
    text = HEADER + "Ana;Lima;ana.lima@riverside.example.org;;;;;Hilltop College;\n"
    skipping = import_jobs.import_now(enabled, text, on_match="skip", dry_run=True)
    updating = import_jobs.import_now(enabled, text, on_match="update", dry_run=True)
    assert skipping.new_organisations == []
    assert updating.new_organisations == ["Hilltop College"]


def test_the_import_reads_tags_separated_by_semicolons_or_commas(enabled):
    text = 'First name,Last name,Tags\nAna,Lima,governor; parent\nBo,Chen,"governor, parent"\n'
    import_jobs.import_now(enabled, text)
    assert [p.tag_list for p in Person.select().order_by(Person.id)] == [["governor", "parent"]] * 2


def test_the_export_headers_map_to_every_field_without_a_choice():
    assert importing.guess_mapping(list(importing.FIELDS.values())) == {
        label: name for name, label in importing.FIELDS.items()
    }


def _record(person):
    consent = {
        t.purpose: bool(t.opted_in)
        for t in TopicConsent.select().where(TopicConsent.person == person.id)
    }
    organisation = person.organisation.name if person.organisation_id else ""
    return (
        person.first_name,
        person.last_name,
        person.email,
        person.phone,
        person.job_title,
        person.city,
        person.country,
        organisation,
        person.tag_list,
        consent,
        sorted((d.kind, d.value, d.primary) for d in details_of(person)),
    )


def test_the_people_export_imports_into_another_organisation_identically(
    signed_in, enabled, make_org
):
    school = make_organisation(enabled, "École Saint-Jean")
    zoe = make_person(
        enabled,
        "Zoë",
        "Ó Briain",
        email="Zoe.OBriain@Example.org",
        phone="+353 1 234 5678",
        job_title="Directrice, ICT",
        city="Dún Laoghaire",
        country="IE",
        organisation=school,
        tags="governor, parent",
        other_emails=("zoe@home.example", "z.obriain@school.example"),
        other_phones=("+353 87 123 4567",),
    )
    set_topic(zoe, "newsletters", True, source="test")
    set_topic(zoe, "surveys", False, source="test")
    make_person(enabled, "Łukasz", "Nowak", phone="020 7946 0958", city="Leeds", country="GB")
    make_person(enabled, "Bo", "Chen", email="bo@example.org", tags="=cmd")
    exported = signed_in("viewer").get("/o/acme/contacts/people/?format=csv").content
    fresh = make_org("globex")
    mapping = importing.guess_mapping(importing.open_csv(exported).headers)
    assert sorted(mapping.values()) == sorted(importing.FIELDS)
    assert import_jobs.import_now(fresh, exported).created == 3
    before = sorted(_record(p) for p in Person.select().where(Person.org == enabled))
    after = sorted(_record(p) for p in Person.select().where(Person.org == fresh))
    assert after == before


def test_a_file_that_is_not_utf8_is_refused_at_upload(signed_in, enabled):
    response = upload(signed_in("agent"), CLEAN.encode("utf-16"))
    assert response.status_code == 422
    assert ImportJob.select().count() == 0


def test_a_mapping_without_names_is_a_422_keeping_the_choices(signed_in, enabled):
    client = signed_in("agent")
    job_url = upload(client, CLEAN).headers["location"]
    response = post_form(client, job_url, {"action": "check", "map-2": "email"}, token_from=job_url)
    assert response.status_code == 422
    assert "Choose the column that holds the first name." in response.text
    assert '<option value="email" selected>' in response.text


def test_a_large_file_is_imported_by_the_worker_with_its_progress(signed_in, enabled):
    rows = "".join(f"Person;Number{n};p{n}@example.org;;;;;;\n" for n in range(1500))
    page = submit(signed_in("agent"), HEADER + rows, "import")
    assert "Imported: 1500 added" in page.text
    assert Person.select().count() == 1500


def test_the_progress_fragment_polls_while_the_worker_runs(app, signed_in, enabled):
    client = signed_in("agent")
    job_url = upload(client, CLEAN).headers["location"]
    ImportJob.update(status="importing").execute()
    beating(app, ImportJob.get())
    fragment = client.get(f"{job_url}/progress").text
    assert 'hx-trigger="every 1s"' in fragment and "<progress" in fragment
    ImportJob.update(status="done").execute()
    assert "every 1s" not in client.get(f"{job_url}/progress").text


def test_another_organisations_import_is_not_found(signed_in, enabled, make_org):
    other = make_org("other")
    job = ImportJob.create(org=other, filename="x.csv", stored_name="y" * 32, size=1)
    client = signed_in("agent")
    assert client.get(f"{IMPORT}/{job.id}").status_code == 404
    assert client.get(f"{IMPORT}/{job.id}/progress").status_code == 404


@pytest.mark.parametrize("on_match", ["update", "skip"])
def test_a_matching_email_updates_or_skips_the_person(enabled, on_match):
    make_person(enabled, "Ana", "Lima", email="ana.lima@riverside.example.org", job_title="Teacher")
    result = import_jobs.import_now(enabled, CLEAN, on_match=on_match)
    assert result.matched == 1
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
    assert "1 new customer organisation will be created: Riverside Academy." in result.output
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


@pytest.fixture
def database_store(accord_settings):
    """Files kept in the database (``ACCORD_FILE_STORE=database``) instead of the folder."""
    accord_settings.data.setdefault("files", {})["store"] = "database"


def test_with_the_database_store_a_clean_file_imports_and_its_copy_is_removed(
    signed_in, enabled, database_store, accord_settings
):
    from accord.file_storage import KeptFile

    client = signed_in("agent")
    upload(client, CLEAN)
    assert KeptFile.select().count() == 1 and not (accord_settings.home / "files").exists()
    page = submit(client, CLEAN, "import")
    assert "Imported: 2 added, 0 updated, 0 skipped." in page.text
    assert KeptFile.select().count() == 1  # the first upload, never imported


def test_a_worker_with_another_instance_folder_imports_a_file_kept_in_the_database(
    signed_in, enabled, database_store, accord_settings, app, tmp_path
):
    from accord.plugins.contacts import import_jobs
    from accord.settings import load_settings

    upload(signed_in("agent"), CLEAN)
    job = ImportJob.get()
    ImportJob.update(
        mapping=dict(zip(job.headers, MAPPING.values(), strict=True)), status="queued"
    ).execute()
    worker = load_settings(
        {
            "ACCORD_HOME": str(tmp_path / "worker"),
            "ACCORD_DATABASE_URL": accord_settings.database_url,
            "ACCORD_FILE_STORE": "database",
        }
    )
    assert import_jobs.run(app.state.accord.queue, worker, job.id, dry_run=False) == "done"
    assert Person.select().count() == 2


def test_a_file_that_is_not_utf8_leaves_no_copy_in_the_database(signed_in, enabled, database_store):
    from accord.file_storage import KeptFile

    response = upload(signed_in("agent"), "Given name\nJosé\n".encode("latin-1"))
    assert response.status_code == 422
    assert not KeptFile.select().exists()


def test_an_import_whose_worker_stopped_fails_saying_so(app, signed_in, enabled):
    client = signed_in("agent")
    job_url = upload(client, CLEAN).headers["location"]
    ImportJob.update(status="importing").execute()  # and no heartbeat: it expired
    page = client.get(job_url)
    assert "The background worker stopped while importing. Nothing was imported." in page.text
    assert ImportJob.get().status == "failed"


def test_an_import_whose_worker_stopped_can_be_run_again_from_its_kept_file(
    app, signed_in, enabled
):
    client = signed_in("agent")
    job_url = upload(client, CLEAN).headers["location"]
    ImportJob.update(status="importing").execute()
    client.get(f"{job_url}/progress")
    post_form(client, job_url, {"action": "import", **MAPPING}, token_from=job_url)
    assert "Imported: 2 added" in client.get(job_url).text


def test_the_progress_entry_is_gone_when_the_import_ends(app, signed_in, enabled):
    submit(signed_in("agent"), CLEAN, "import")
    key = import_jobs.progress_key(ImportJob.get().id)
    assert app.state.accord.queue.get_expiring(key) is None


def test_a_queued_import_can_be_started_again(signed_in, enabled):
    client = signed_in("agent")
    job_url = upload(client, CLEAN).headers["location"]
    ImportJob.update(status="queued").execute()  # the queue lost it
    assert 'value="import">Import</button>' in client.get(job_url).text
    response = post_form(client, job_url, {"action": "import", **MAPPING}, token_from=job_url)
    assert response.status_code == 303
    assert ImportJob.get().status == "done"


def test_starting_while_the_queue_is_down_keeps_the_file_and_the_choices(
    unanswering_jobs, signed_in, enabled
):
    client = signed_in("agent")
    job_url = upload(client, CLEAN).headers["location"]
    response = post_form(client, job_url, {"action": "import", **MAPPING}, token_from=job_url)
    assert response.status_code == 503
    assert "The background queue is not answering" in response.text
    job = ImportJob.get()
    assert (job.status, job.mapping["Surname"]) == ("mapping", "last_name")


def test_the_progress_says_so_while_the_queue_is_down(unanswering_jobs, signed_in, enabled):
    client = signed_in("agent")
    job_url = upload(client, CLEAN).headers["location"]
    ImportJob.update(status="importing").execute()
    fragment = client.get(f"{job_url}/progress")
    assert fragment.status_code == 200
    assert "The background queue is not answering" in fragment.text
    assert ImportJob.get().status == "importing"  # no telling whether the worker stopped


def test_an_import_run_by_the_worker_leaves_nothing_in_redis(redis_jobs, app, signed_in, enabled):
    client = signed_in("agent")
    job_url = upload(client, CLEAN).headers["location"]
    post_form(client, job_url, {"action": "import", **MAPPING}, token_from=job_url)
    queue = app.state.accord.queue
    queue.execute(queue.dequeue())
    assert ImportJob.get().status == "done"
    assert list(redis_jobs.scan_iter(f"huey.*{queue.name}*")) == []
