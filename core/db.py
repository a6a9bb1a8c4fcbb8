"""The database: one proxy every model binds to, opened from the settings.

Concurrency story: peewee is used synchronously. Endpoints are plain ``def``
functions that Starlette runs in its thread pool; the core opens a connection
around each one (see ``routing.py``). SQLite runs in WAL mode with a busy
timeout, foreign keys on, and every transaction begun IMMEDIATE so that a
read-then-write transaction waits for a second writer instead of failing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import peewee
from playhouse.db_url import connect, parse

from .settings import Settings

database = peewee.DatabaseProxy()


class BaseModel(peewee.Model):
    """Base for every Accord model; binds it to the configured database."""

    class Meta:
        database = database
        legacy_table_names = False


def sqlite_pragmas(settings: Settings) -> dict[str, Any]:
    return {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": int(settings.get("database", "sqlite_busy_timeout_ms", 5000)),
        "synchronous": "normal",
    }


def open_database(settings: Settings) -> peewee.Database:
    """Create the database object for ``settings`` and bind the proxy to it."""
    url = settings.database_url
    if settings.is_sqlite:
        path = parse(url)["database"]
        pooled: dict[str, Any] = {}
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Opening a SQLite file and running its pragmas costs ~0.7 ms; a
            # pool per process reuses connections across requests.
            url = url.replace("sqlite://", "sqlite+pool://", 1)
            pooled = {
                "max_connections": 40,
                "stale_timeout": 300,
                "timeout": 10,
                "check_same_thread": False,
            }
        db = connect(url, pragmas=sqlite_pragmas(settings), lock_type="IMMEDIATE", **pooled)
    else:
        # A small pool per process: connections are reused across requests,
        # and a stale one is replaced instead of failing a request.
        pooled = url.replace("postgresql://", "postgresql+pool://", 1).replace(
            "postgres://", "postgresql+pool://", 1
        )
        db = connect(pooled, max_connections=20, stale_timeout=300, timeout=10)
    database.initialize(db)
    return db


def effective_sqlite_settings() -> dict[str, Any]:
    """Read the settings back from the open SQLite connection (``accord check``)."""

    def pragma(name: str) -> Any:
        return database.execute_sql(f"PRAGMA {name}").fetchone()[0]

    return {
        "journal_mode": pragma("journal_mode"),
        "foreign_keys": bool(pragma("foreign_keys")),
        "busy_timeout_ms": pragma("busy_timeout"),
        "synchronous": pragma("synchronous"),
        "begin": database.obj._lock_type or "DEFERRED",
    }
