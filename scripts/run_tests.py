"""Run the whole test suite on SQLite and on PostgreSQL, both passes side by side.

Usage: python scripts/run_tests.py [--only sqlite|postgres] [pytest args...]

PostgreSQL is the database named by ACCORD_TEST_POSTGRES, or else a fresh
accord_test_<pid> on postgresql://postgres@127.0.0.1:5432, dropped afterwards.
With CI=true a database or browser that cannot be reached fails the run
instead of being skipped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlparse

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/accord_test"


def drop_postgres_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    conn = psycopg2.connect(parts._replace(path="/postgres").geturl(), connect_timeout=5)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    conn.close()


def ensure_postgres_database(url: str) -> str | None:
    """Create the test database if needed; return why PostgreSQL is unusable, or None."""
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        conn = psycopg2.connect(admin, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        return str(exc).strip()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
        # A throwaway database: waiting for each commit to reach the disk
        # (about 1.6 ms here) would be a tenth of the PostgreSQL pass.
        cur.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    conn.close()
    return None


def start(label: str, database_url: str | None, pytest_args: list[str], log: Path) -> Run:
    env = dict(os.environ)
    env.pop("ACCORD_TEST_DATABASE_URL", None)
    if database_url:
        env["ACCORD_TEST_DATABASE_URL"] = database_url
    # Each pass keeps its own pytest cache and temp folders, so both can run at once.
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args]
    handle = log.open("w")
    process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
    return Run(label, process, log, handle, time.monotonic())


@dataclass
class Run:
    label: str
    process: subprocess.Popen[bytes]
    log: Path
    handle: IO[str]
    started: float

    def finish(self) -> int:
        code = self.process.wait()
        self.handle.close()
        print(f"\n=== tests on {self.label} ===", flush=True)
        print(self.log.read_text(), end="", flush=True)
        print(f"=== {self.label}: exit {code} in {time.monotonic() - self.started:.0f}s ===")
        return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args, pytest_args = parser.parse_known_args()
    in_ci = os.environ.get("CI", "").lower() == "true"
    results: dict[str, int] = {}
    runs: list[Run] = []
    url = None
    with tempfile.TemporaryDirectory(prefix="accord-tests-") as logs:
        # The two passes share nothing, so they run side by side: the suite
        # takes as long as its slower pass, not the sum of both.
        if args.only in (None, "sqlite"):
            runs.append(start("SQLite", None, pytest_args, Path(logs) / "sqlite.log"))
        if args.only in (None, "postgres"):
            # A database of this run's own, so two runs on one server never collide.
            url = os.environ.get("ACCORD_TEST_POSTGRES") or f"{DEFAULT_POSTGRES}_{os.getpid()}"
            problem = ensure_postgres_database(url)
            if problem:
                print(f"PostgreSQL unavailable at {url}: {problem}", flush=True)
                results["PostgreSQL"] = 1 if in_ci else 0
                if not in_ci:
                    print("(skipped outside CI; set CI=true to make this a failure)")
                url = None
            else:
                runs.append(start("PostgreSQL", url, pytest_args, Path(logs) / "postgres.log"))
        try:
            for run in runs:
                results[run.label] = run.finish()
        finally:
            if url and not os.environ.get("ACCORD_TEST_POSTGRES"):
                drop_postgres_database(url)
    print("\n" + ", ".join(f"{k}: {'passed' if v == 0 else 'FAILED'}" for k, v in results.items()))
    return 0 if all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
