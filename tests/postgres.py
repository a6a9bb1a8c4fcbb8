"""Throwaway PostgreSQL databases and a throwaway PgBouncer in front of them, for tests."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

IN_CI = os.environ.get("CI", "").lower() == "true"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def postgres_under_test() -> str | None:
    """The PostgreSQL pass's database (``ACCORD_TEST_DATABASE_URL``), or None on SQLite."""
    return os.environ.get("ACCORD_TEST_DATABASE_URL") or None


def _admin(url: str) -> object:
    import psycopg2

    conn = psycopg2.connect(urlparse(url)._replace(path="/postgres").geturl(), connect_timeout=5)
    conn.autocommit = True
    return conn


@contextmanager
def throwaway_database(url: str, suffix: str) -> Iterator[str]:
    """A new, empty database beside ``url``'s, named ``<its name>_<suffix>``; dropped after."""
    parts = urlparse(url)
    name = f"{parts.path.lstrip('/')}_{suffix}"
    conn = _admin(url)
    with conn.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with conn.cursor() as cur:  # type: ignore[attr-defined]
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()  # type: ignore[attr-defined]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
