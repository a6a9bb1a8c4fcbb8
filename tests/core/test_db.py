"""SQLite is configured for several writers; both databases through a bounded pool."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import psycopg2
import pytest

from accord.app import BUSY_MESSAGE, create_app
from accord.db import MaxConnectionsExceeded, database, effective_sqlite_settings, open_database
from accord.models import Organisation
from accord.settings import ConfigError


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


def reopen(settings, **database_options):
    """Open the database again with these ``[database]`` options (a new pool)."""
    settings.data["database"].update(database_options)
    return open_database(settings)


@contextmanager
def holding(count: int) -> Iterator[list[object]]:
    """``count`` threads each holding a pooled connection until the block ends."""
    connections: list[object] = []
    held = threading.Semaphore(0)
    release = threading.Event()

    def hold() -> None:
        with database.connection_context():
            connections.append(database.connection())
            held.release()
            release.wait(10)

    threads = [threading.Thread(target=hold) for _ in range(count)]
    for t in threads:
        t.start()
    try:
        for _ in range(count):
            assert held.acquire(timeout=10), "a holder got no connection"
        yield connections
    finally:
        release.set()
        for t in threads:
            t.join()


def check_out_in_threads(count: int) -> list[object]:
    """Check out a connection in each of ``count`` threads at once: what each got or raised."""
    results: list[object] = []

    def check_out() -> None:
        try:
            with database.connection_context():
                results.append(database.connection())
        except Exception as exc:  # noqa: BLE001 - returned for the assertion
            results.append(exc)

    threads = [threading.Thread(target=check_out) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def eventually(predicate, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def is_closed(connection) -> bool:
    if isinstance(connection, sqlite3.Connection):
        try:
            connection.total_changes  # noqa: B018 - raises once the connection is closed
        except sqlite3.ProgrammingError:
            return True
        return False
    return bool(connection.closed)


@pytest.fixture
def named_pool(accord_settings, accord_db):
    """PostgreSQL only: settings whose connections carry an application_name of this test's own."""
    if accord_settings.is_sqlite:
        pytest.skip("PostgreSQL only")
    name = f"accord-test-{os.getpid()}-{threading.get_ident()}"
    settings = replace(
        accord_settings, database_url=f"{accord_settings.database_url}?application_name={name}"
    )

    def count() -> int:
        conn = psycopg2.connect(accord_settings.database_url)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
                )
                return int(cur.fetchone()[0])
        finally:
            conn.close()

    return settings, count


def test_checkouts_beyond_the_pool_size_wait_then_fail_instead_of_opening_more(
    accord_settings, accord_db
):
    reopen(accord_settings, pool_size=2, pool_timeout_s=0.2)
    with holding(2):
        extra = check_out_in_threads(2)
    assert [type(result) for result in extra] == [MaxConnectionsExceeded] * 2


def test_a_waiting_checkout_gets_the_connection_given_back(accord_settings, accord_db):
    reopen(accord_settings, pool_size=1, pool_timeout_s=10)
    waited: list[object] = []
    with holding(1) as held:
        waiter = threading.Thread(target=lambda: waited.extend(check_out_in_threads(1)))
        waiter.start()
    waiter.join()
    assert waited == held


def test_postgresql_sees_at_most_pool_size_connections_of_a_process(named_pool):
    settings, connections_named = named_pool
    reopen(settings, pool_size=3, pool_timeout_s=0.2)
    with holding(3):
        extra = check_out_in_threads(2)
        assert connections_named() == 3
    assert [type(result) for result in extra] == [MaxConnectionsExceeded] * 2


def test_idle_connections_are_closed_after_the_idle_timeout(accord_settings, accord_db):
    reopen(accord_settings, pool_size=3, idle_timeout_s=0.5)
    with holding(2) as connections:
        pass
    assert not any(is_closed(c) for c in connections)
    assert eventually(lambda: all(is_closed(c) for c in connections))


def test_postgresql_no_longer_sees_idle_connections_after_the_idle_timeout(named_pool):
    settings, connections_named = named_pool
    reopen(settings, pool_size=3, idle_timeout_s=1)
    with holding(2):
        pass
    assert connections_named() == 2
    assert eventually(lambda: connections_named() == 0)


def test_each_process_names_itself_to_postgresql(accord_settings, accord_host, accord_db):
    if accord_settings.is_sqlite:
        pytest.skip("PostgreSQL only")
    create_app(accord_settings, accord_host)
    with database.connection_context():
        assert database.execute_sql("SHOW application_name").fetchone()[0] == "accord-serve"


def test_a_request_that_finds_the_pool_exhausted_gets_the_busy_page(
    accord_settings, accord_host, accord_db
):
    from starlette.testclient import TestClient

    accord_settings.data["database"].update(pool_size=1, pool_timeout_s=0.2)
    client = TestClient(create_app(accord_settings, accord_host), raise_server_exceptions=False)
    with holding(1):
        response = client.get("/login")
    assert response.status_code == 503
    assert BUSY_MESSAGE in response.text
    assert response.headers["Retry-After"] == "5"
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("value", [0, -1, "many", 2.5])
def test_a_pool_size_that_is_not_a_positive_whole_number_is_a_clear_error(accord_settings, value):
    with pytest.raises(ConfigError, match=r"\[database\] pool_size must be a"):
        reopen(accord_settings, pool_size=value)
