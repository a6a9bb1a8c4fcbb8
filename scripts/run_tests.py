"""Run the whole test suite: once on SQLite, once on PostgreSQL.

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
import time
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
    conn.close()
    return None


def run(label: str, database_url: str | None, pytest_args: list[str]) -> int:
    env = dict(os.environ)
    env.pop("ACCORD_TEST_DATABASE_URL", None)
    if database_url:
        env["ACCORD_TEST_DATABASE_URL"] = database_url
    print(f"\n=== tests on {label} ===", flush=True)
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args], env=env)
    print(f"=== {label}: exit {code} in {time.monotonic() - started:.0f}s ===", flush=True)
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args, pytest_args = parser.parse_known_args()
    in_ci = os.environ.get("CI", "").lower() == "true"
    results: dict[str, int] = {}
    if args.only in (None, "sqlite"):
        results["SQLite"] = run("SQLite", None, pytest_args)
    if args.only in (None, "postgres"):
        # A database of this run's own, so two runs on one server never collide.
        url = os.environ.get("ACCORD_TEST_POSTGRES") or f"{DEFAULT_POSTGRES}_{os.getpid()}"
        problem = ensure_postgres_database(url)
        if problem:
            print(f"PostgreSQL unavailable at {url}: {problem}", flush=True)
            results["PostgreSQL"] = 1 if in_ci else 0
            if not in_ci:
                print("(skipped outside CI; set CI=true to make this a failure)")
        else:
            try:
                results["PostgreSQL"] = run("PostgreSQL", url, pytest_args)
            finally:
                if not os.environ.get("ACCORD_TEST_POSTGRES"):
                    drop_postgres_database(url)
    print("\n" + ", ".join(f"{k}: {'passed' if v == 0 else 'FAILED'}" for k, v in results.items()))
    return 0 if all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
