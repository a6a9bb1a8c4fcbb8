"""``refresh_statistics``: the query planner's statistics, after bulk loads and daily."""

from __future__ import annotations

import datetime

from accord import refresh_statistics, utcnow
from accord.db import database
from accord.jobs import STATISTICS_TASK, make_queue, task_named
from accord.models import AuditEntry


def statistics_of(table):
    """How many statistics rows the planner has about ``table``."""
    if database.obj.__class__.__name__.lower().find("sqlite") >= 0:
        if not database.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).fetchone():
            return 0
        sql = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s"
    else:
        sql = "SELECT count(*) FROM pg_stats WHERE tablename = %s"
    return database.execute_sql(sql.replace("%s", database.param), (table,)).fetchone()[0]


def load_entries(org, count=50):
    now = utcnow()
    AuditEntry.insert_many(
        [
            {"org": org.id, "at": now, "actor_label": "test", "action": "create",
             "plugin": "core", "table": "accord_thing", "record_id": str(n), "summary": "x"}
            for n in range(count)
        ]
    ).execute()  # fmt: skip


def test_the_tables_just_loaded_get_statistics(org):
    load_entries(org)
    refresh_statistics(["accord_audit_entry"])
    assert statistics_of("accord_audit_entry") > 0


def test_a_database_without_statistics_gets_them_all(org):
    load_entries(org)
    refresh_statistics()
    assert statistics_of("accord_audit_entry") > 0


def test_a_second_refresh_keeps_the_statistics(org):
    load_entries(org)
    refresh_statistics()
    refresh_statistics()  # SQLite: PRAGMA optimize, now that statistics exist
    assert statistics_of("accord_audit_entry") > 0


def test_the_statistics_are_refreshed_daily_at_a_quiet_hour(
    accord_settings, accord_host, accord_db
):
    task = task_named(make_queue(accord_settings, accord_host), STATISTICS_TASK)
    runs = [
        hour
        for hour in range(24)
        for minute in range(60)
        if task().validate_datetime(datetime.datetime(2026, 3, 2, hour, minute))
    ]
    assert runs == [4]
