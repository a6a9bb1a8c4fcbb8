"""Contacts: a person's and an organisation's page cost the same at ten people or a million.

Each page runs a fixed number of statements, and none of them reads a whole
table of people, affiliations, details, interactions or audit entries (the
database's own plan, see ``accord.testing.recorded_queries``).
"""

from __future__ import annotations

import pytest

from accord import utcnow
from accord.models import AuditEntry
from accord.plugins.contacts.models import Affiliation, Person
from accord.plugins.contacts.testing import log_interaction, make_organisation, make_person
from accord.testing import recorded_queries

CROWD = 2_000  # people beside the few named ones: enough for PostgreSQL to plan as at scale

BIG_TABLES = {
    "contacts_person",
    "contacts_organisation",
    "contacts_affiliation",
    "contacts_person_detail",
    "contacts_person_tag",
    "contacts_interaction",
    "contacts_interaction_participant",
    "contacts_not_duplicate",
    "accord_audit_entry",
}


@pytest.fixture
def contacts(org, enable_plugin, make_user):
    """A school with a few colleagues who share a name and an address, and one interaction."""
    enable_plugin(org, "contacts")
    school = make_organisation(org)
    ana = make_person(org, "Ana", "Lima", email="ana@example.org", organisation=school)
    for n in range(3):
        make_person(org, "Bo", f"Chen{n}", email=f"bo{n}@example.org", organisation=school)
    make_person(org, "Ana", "Lima", email="ana@example.org", phone="020 7946 0958")
    log_interaction(ana, summary="Asked about laptops")
    crowd(org, school)
    return {"school": school, "ana": ana}


def crowd(org, school):
    """``CROWD`` people at the school, each with a creation in the audit log, written in bulk."""
    now = utcnow()
    first = Person.select(Person.id).order_by(Person.id.desc()).scalar() + 1
    ids = range(first, first + CROWD)
    people = [
        {
            "id": pk,
            "org": org.id,
            "first_name": "Cy",
            "last_name": f"Doe{pk}",
            "email": f"cy{pk}@x.org",
        }
        for pk in ids
    ]
    Person.insert_many(people).execute()
    Affiliation.insert_many(
        [{"org": org.id, "person": pk, "organisation": school.id, "is_primary": True} for pk in ids]
    ).execute()
    AuditEntry.insert_many(
        [
            {"org": org.id, "at": now, "actor_label": "test", "action": "create",
             "plugin": "contacts", "table": "contacts_person", "record_id": str(pk),
             "summary": f"created Person Cy Doe{pk}"}
            for pk in ids
        ]
    ).execute()  # fmt: skip


def page_queries(client, url):
    client.get(url)  # the first request warms caches the second need not pay again
    with recorded_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


def test_a_persons_page_runs_a_fixed_number_of_statements(signed_in, contacts):
    client = signed_in("agent")
    queries = page_queries(client, f"/o/acme/contacts/people/{contacts['ana'].id}")
    assert len(queries) <= 32, queries.report()


def test_a_persons_page_reads_no_whole_table(signed_in, contacts):
    client = signed_in("agent")
    queries = page_queries(client, f"/o/acme/contacts/people/{contacts['ana'].id}")
    scans = queries.scans(BIG_TABLES)
    assert not scans, "\n\n".join(map(str, scans))


def test_an_organisations_page_runs_a_fixed_number_of_statements(signed_in, contacts):
    client = signed_in("agent")
    queries = page_queries(client, f"/o/acme/contacts/organisations/{contacts['school'].id}")
    assert len(queries) <= 30, queries.report()


def test_an_organisations_page_reads_no_whole_table(signed_in, contacts):
    client = signed_in("agent")
    queries = page_queries(client, f"/o/acme/contacts/organisations/{contacts['school'].id}")
    scans = queries.scans(BIG_TABLES)
    assert not scans, "\n\n".join(map(str, scans))
