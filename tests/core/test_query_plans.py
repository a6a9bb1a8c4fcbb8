"""``recorded_queries``: the SQL a block runs, and which statements would read a whole table."""

from __future__ import annotations

import threading

import pytest

from accord import audit_timeline, utcnow
from accord.models import AuditEntry, Organisation
from accord.testing import recorded_queries

ROWS = 300  # above query_plans.SMALL: PostgreSQL plans the table as a big one


@pytest.fixture
def entries(org):
    """Audit entries of ``ROWS`` records of one table, one each."""
    now = utcnow()
    AuditEntry.insert_many(
        [
            {"org": org.id, "at": now, "actor_label": "test", "action": "create",
             "plugin": "core", "table": "accord_thing", "record_id": str(n),
             "summary": f"created thing {n}"}
            for n in range(ROWS)
        ]
    ).execute()  # fmt: skip
    return org


def test_statements_run_in_other_threads_are_recorded(accord_db):
    with recorded_queries() as queries:
        worker = threading.Thread(target=lambda: Organisation.select().count())
        worker.start()
        worker.join()
    assert len(queries) == 1
    assert "accord_organisation" in queries.statements[0].sql


def test_a_filter_no_index_serves_reads_the_whole_table(entries):
    with recorded_queries() as queries:
        list(AuditEntry.select().where(AuditEntry.summary == "created thing 7"))
    assert [scan.table for scan in queries.scans()] == ["accord_audit_entry"]


def test_a_lookup_by_primary_key_reads_no_whole_table(entries):
    with recorded_queries() as queries:
        AuditEntry.get_or_none(AuditEntry.id == 7)
    assert queries.scans() == []


def test_a_seek_bounded_by_the_organisation_alone_counts_as_a_scan(entries):
    # One organisation may own every row: its index range is the whole table.
    with recorded_queries() as queries:
        list(AuditEntry.select().where(AuditEntry.org == entries.id).limit(5))
    assert [scan.table for scan in queries.scans()] == ["accord_audit_entry"]


def test_only_the_tables_asked_about_are_judged(entries):
    with recorded_queries() as queries:
        list(AuditEntry.select().where(AuditEntry.summary == "created thing 7"))
    assert queries.scans({"contacts_person"}) == []


def test_writes_are_recorded_but_not_explained(entries):
    with recorded_queries() as queries:
        AuditEntry.update(summary="renamed").where(AuditEntry.summary == "x").execute()
    assert len(queries) == 1
    assert queries.scans() == []


def test_a_records_timeline_reads_only_that_records_entries(entries):
    class Thing:  # what audit_timeline reads of a record
        org_id = entries.id

        class _meta:  # noqa: N801 - peewee's name
            table_name = "accord_thing"

        @staticmethod
        def get_id():
            return 7

    with recorded_queries() as queries:
        timeline = audit_timeline(Thing())
    assert len(timeline) == 1
    assert queries.scans() == []
