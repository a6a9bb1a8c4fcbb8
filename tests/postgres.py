"""Throwaway PostgreSQL databases and a throwaway PgBouncer in front of them, for tests."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

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


PGBOUNCER_INI = """\
[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = {server_connections}
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile =
pidfile =
"""


def _require_pgbouncer() -> None:
    if Path(PGBOUNCER).exists():
        return
    message = "Debian's pgbouncer is not installed (apt-get install pgbouncer)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def _unprivileged_user() -> list[str]:
    """PgBouncer refuses to run as root: switch to the postgres (or nobody) user then."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["-u", name]
    return []


@contextmanager
def pgbouncer(server_url: str, *, server_connections: int = 3) -> Iterator[str]:
    """A PgBouncer in transaction pool mode in front of ``server_url``'s server.

    Yields the URL of the same database through PgBouncer. It opens at most
    ``server_connections`` connections to the server per database and user,
    fewer than the clients a test sends, so that they share them.
    """
    _require_pgbouncer()
    parts = urlparse(server_url)
    listen_port = free_port()
    # Its own folder (not pytest's, which only root may enter) for the unprivileged user.
    folder = Path(tempfile.mkdtemp(prefix="accord-pgbouncer-"))
    folder.chmod(0o755)
    user = parts.username or "postgres"
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        PGBOUNCER_INI.format(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            listen_port=listen_port,
            folder=folder,
            server_connections=server_connections,
        )
    )
    log_path = folder / "pgbouncer.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [PGBOUNCER, *_unprivileged_user(), str(folder / "pgbouncer.ini")],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = parts._replace(netloc=f"{user}@127.0.0.1:{listen_port}").geturl()
    try:
        _wait_until_answering(url, process, log_path)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    import psycopg2

    deadline = time.monotonic() + 10
    while True:
        if process.poll() is not None:
            pytest.fail(f"pgbouncer exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            psycopg2.connect(url, connect_timeout=2).close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                pytest.fail(f"pgbouncer did not answer at {url}:\n{log_path.read_text()}")
            time.sleep(0.05)
