"""Contacts: an import streams its file through staged rows; what it writes and what not."""

from __future__ import annotations

import pytest

from accord.models import AuditEntry
from accord.plugins.contacts import import_jobs, import_writing, importing
from accord.plugins.contacts.details import details_of
from accord.plugins.contacts.import_jobs import ImportJob
from accord.plugins.contacts.import_staging import ImportRow, ImportValue
from accord.plugins.contacts.models import CustomerOrganisation, Person
from accord.plugins.contacts.testing import make_person
from accord.testing import csrf_from

IMPORT = "/o/acme/contacts/people/import"
HEADER = "First name;Last name;Email;Phone;Organisation;Tags\n"
SWITCHBOARD = "020 7946 0000"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


def rows(count: int, start: int = 0) -> str:
    return "".join(
        f"Ana{n};Lima{n};ana{n}@example.org;;School {n % 3};\n" for n in range(start, start + count)
    )


def test_a_switchboard_number_given_by_several_people_imports_fine(enabled):
    text = HEADER + "".join(
        f"Ana{n};Lima{n};ana{n}@example.org;{SWITCHBOARD};Town Hall;\n" for n in range(3)
    )
    job = import_jobs.import_now(enabled, text)
    assert (job.status, job.created) == ("done", 3)
    assert {p.phone for p in Person.select()} == {"+442079460000"}


def test_a_switchboard_number_several_people_have_matches_none_of_them(enabled):
    for name in ("Bo", "Cy"):
        make_person(enabled, name, "Reception", phone=SWITCHBOARD)
    job = import_jobs.import_now(enabled, HEADER + f"Di;Ng;;{SWITCHBOARD};;\n", on_match="update")
    assert (job.matched, job.created) == (0, 1)


def test_a_number_one_person_has_matches_them(enabled):
    bo = make_person(enabled, "Bo", "Chen", phone="020 7946 0958")
    job = import_jobs.import_now(
        enabled, HEADER + "Bo;Chen;bo@example.org;020 7946 0958;;\n", on_match="update"
    )
    assert (job.matched, job.updated, job.created) == (1, 1, 0)
    assert ("email", "bo@example.org") in {(d.kind, d.value) for d in details_of(bo)}


def test_an_address_given_twice_in_the_file_is_an_error_naming_the_first_line(enabled):
    text = HEADER + "Ana;Lima;ana@example.org;;;\nAna;Other;ANA@example.org;;;\n"
    job = import_jobs.import_now(enabled, text)
    assert job.status == "invalid"
    assert job.errors == [[3, ["Email “ana@example.org” repeats line 2."]]]


def test_tags_split_on_semicolons_in_a_semicolon_separated_file(enabled):
    job = import_jobs.import_now(enabled, HEADER + 'Ana;Lima;;;;"governor; parent"\n')
    assert job.status == "done"
    assert Person.get().tag_list == ["governor", "parent"]


def test_an_import_writes_one_audit_entry_with_its_counts(enabled):
    make_person(enabled, "Ana", "Lima", email="ana0@example.org")
    before = AuditEntry.select().count()
    job = import_jobs.import_now(enabled, HEADER + rows(4), on_match="update")
    # The job's own creation (the upload) aside: the rows are in the import's one entry.
    entries = [
        e
        for e in AuditEntry.select().order_by(AuditEntry.id).offset(before)
        if (e.action, e.table) != ("create", "contacts_import_job")
    ]
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.action, entry.table, entry.record_id) == (
        "import",
        "contacts_import_job",
        str(job.id),
    )
    assert {k: v[1] for k, v in entry.changes.items()} == {
        "file": f"people.csv (import {job.id})",
        "created": 3,
        "updated": 1,
        "skipped": 0,
    }


def test_a_file_over_the_row_cap_is_refused_at_upload_saying_so(signed_in, enabled, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 5)
    client = signed_in("agent")
    page = client.get(IMPORT)
    response = client.post(
        IMPORT,
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("people.csv", (HEADER + rows(6)).encode(), "text/csv")},
    )
    assert response.status_code == 422
    assert "Import at most 5 people at a time." in response.text


def test_a_file_as_long_as_the_row_cap_is_accepted(signed_in, enabled, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 5)
    client = signed_in("agent")
    page = client.get(IMPORT)
    response = client.post(
        IMPORT,
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("people.csv", (HEADER + rows(5)).encode(), "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert ImportJob.get().rows == 5


def test_the_row_cap_is_far_above_the_old_two_hundred_thousand():
    assert importing.MAX_ROWS >= 2_000_000


def test_a_batch_failing_midway_leaves_nothing_new_and_nobody_changed(enabled, monkeypatch):
    ana = make_person(enabled, "Ana", "Lima", email="ana0@example.org", job_title="Teacher")
    monkeypatch.setattr(import_writing, "BATCH_ROWS", 2)
    monkeypatch.setattr(import_writing, "BATCH_STEP", 2)
    calls = 0
    real = import_writing.insert_new

    def failing_on_the_third_batch(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 3:  # two batches are committed by now
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(import_writing, "insert_new", failing_on_the_third_batch)
    text = "First name;Last name;Email;Job title;Organisation\n" + "".join(
        f"Ana{n};Lima{n};ana{n}@example.org;Head;School {n}\n" for n in range(8)
    )
    job = import_jobs.import_now(enabled, text, on_match="update")
    assert (job.status, job.message) == ("failed", "An unexpected error.")
    assert [p.id for p in Person.select()] == [ana.id]
    assert Person.get_by_id(ana.id).job_title == "Teacher"
    assert CustomerOrganisation.select().count() == 0


@pytest.mark.parametrize("outcome", ["done", "invalid", "failed"])
def test_an_import_leaves_no_staged_rows_however_it_ends(enabled, monkeypatch, outcome):
    text = HEADER + rows(3) + ("Bad;;;;;\n" if outcome == "invalid" else "")
    if outcome == "failed":
        monkeypatch.setattr(import_writing, "insert_new", lambda *a, **k: 1 / 0)
    assert import_jobs.import_now(enabled, text).status == outcome
    assert not ImportRow.select().exists()
    assert not ImportValue.select().exists()


def test_a_check_stages_rows_only_for_its_own_time(enabled):
    job = import_jobs.import_now(enabled, HEADER + rows(3), dry_run=True)
    assert (job.status, job.rows, job.new_organisation_count) == ("checked", 3, 3)
    assert not ImportRow.select().exists()
    assert Person.select().count() == 0
