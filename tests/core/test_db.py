"""SQLite is configured for several writers; PostgreSQL through a pool."""

from __future__ import annotations

import threading

import pytest

from accord.db import database, effective_sqlite_settings
from accord.models import Organisation


def test_sqlite_runs_in_wal_with_foreign_keys_and_immediate_transactions(
    accord_settings, accord_db
):
    if not accord_settings.is_sqlite:
        pytest.skip("SQLite only")
    with database.connection_context():
        effective = effective_sqlite_settings()
    assert effective["journal_mode"] == "wal"
    assert effective["foreign_keys"] is True
    assert effective["busy_timeout_ms"] == 5000
    assert effective["begin"] == "IMMEDIATE"


def test_concurrent_read_then_write_transactions_both_succeed(accord_db, org):
    # In SQLite's default DEFERRED mode the second writer fails at once with
    # "database is locked"; IMMEDIATE makes it wait its turn.
    errors: list[Exception] = []
    barrier = threading.Barrier(4)

    def rename(n: int) -> None:
        try:
            with database.connection_context():
                barrier.wait()
                for _ in range(5):
                    with database.atomic():
                        current = Organisation.get_by_id(org.id)
                        Organisation.update(name=f"{current.name[:20]}{n}").where(
                            Organisation.id == org.id
                        ).execute()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=rename, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
