"""Incidents, problems and complaints: a record's page costs the same however many records.

Each page runs a fixed number of statements, and none reads a whole table of
records, their history or the audit log (``accord.testing.recorded_queries``).
"""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_calendar, make_service
from accord.plugins.complaints.testing import make_complaint
from accord.plugins.incidents.testing import make_incident
from accord.plugins.problems.testing import make_problem
from accord.testing import recorded_queries

COPIES = 300  # of each record: enough for PostgreSQL to plan the tables as big ones
LEVELS = {p: (60, 480) for p in (1, 2, 3, 4)}
BIG_TABLES = {
    "incidents_incident",
    "problems_problem",
    "complaints_complaint",
    "contacts_person",
    "accord_audit_entry",
}


@pytest.fixture
def accord_extra_modules():
    return [
        "accord.plugins.contacts",
        "accord.plugins.incidents",
        "accord.plugins.problems",
        "accord.plugins.complaints",
    ]


@pytest.fixture
def agent(org, enable_plugin, signed_in):
    for plugin in ("contacts", "incidents", "problems", "complaints"):
        enable_plugin(org, plugin)
    return signed_in("agent")


def copies(record, count=COPIES, **different):
    """``count`` more rows like ``record`` but for ``different`` values, numbered on from it."""
    model = type(record)
    data = {k: v for k, v in record.__data__.items() if k != "id"} | different
    rows = []
    for n in range(1, count + 1):
        row = dict(data)
        if "number" in row:
            row["number"] = record.number + n
        if "reference" in row:
            row["reference"] = f"{record.reference}-{n}"
        rows.append(row)
    model.insert_many(rows).execute()
    return record


def page_queries(client, url):
    client.get(url)  # the first request warms caches the second need not pay again
    with recorded_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


def scans_on(client, url):
    scans = page_queries(client, url).scans(BIG_TABLES)
    return "\n\n".join(map(str, scans))


@pytest.fixture
def incident(org, agent):
    service = make_service(org, "Email", levels=LEVELS, calendar=make_calendar(org))
    return copies(make_incident(org, service=service))


@pytest.fixture
def problem(org, agent):
    return copies(make_problem(org))


@pytest.fixture
def complaint(org, agent):
    return copies(make_complaint(org), person=None)  # someone else's, or anonymous


def test_an_incidents_page_runs_a_fixed_number_of_statements(agent, incident):
    queries = page_queries(agent, f"/o/acme/incidents/{incident.id}")
    assert len(queries) <= 60, queries.report()


def test_an_incidents_page_reads_no_whole_table(agent, incident):
    assert scans_on(agent, f"/o/acme/incidents/{incident.id}") == ""


def test_a_problems_page_runs_a_fixed_number_of_statements(agent, problem):
    queries = page_queries(agent, f"/o/acme/problems/{problem.id}")
    assert len(queries) <= 60, queries.report()


def test_a_problems_page_reads_no_whole_table(agent, problem):
    assert scans_on(agent, f"/o/acme/problems/{problem.id}") == ""


def test_a_complaints_page_runs_a_fixed_number_of_statements(agent, complaint):
    queries = page_queries(agent, f"/o/acme/complaints/{complaint.id}")
    assert len(queries) <= 60, queries.report()


def test_a_complaints_page_reads_no_whole_table(agent, complaint):
    assert scans_on(agent, f"/o/acme/complaints/{complaint.id}") == ""


def test_a_persons_page_with_their_incidents_and_complaints_reads_no_whole_table(
    agent, incident, complaint
):
    # Other plugins add the person's incidents and complaints to the page's timeline.
    assert scans_on(agent, f"/o/acme/contacts/people/{complaint.person_id}") == ""
