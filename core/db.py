"""The database: one proxy every model binds to, opened from the settings.

Concurrency story: peewee is used synchronously. Endpoints are plain ``def``
functions that Starlette runs in its thread pool; the core opens a connection
around each one (see ``routing.py``). SQLite runs in WAL mode with a busy
timeout, foreign keys on, and every transaction begun IMMEDIATE so that a
read-then-write transaction waits for a second writer instead of failing.

Connections are bounded: each process keeps a pool of at most ``[database]
pool_size``; a request that finds them all busy waits ``pool_timeout_s`` and
then gets the 503 page; a connection unused for ``idle_timeout_s`` is closed
by a background thread, so a quiet server holds no connections.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import peewee
from playhouse.db_url import connect, parse
from playhouse.pool import (
    MaxConnectionsExceeded,
    PooledDatabase,
    PooledPostgresqlDatabase,
    PooledSqliteDatabase,
)

from .settings import ConfigError, Settings

database = peewee.DatabaseProxy()
log = logging.getLogger("accord.db")

__all__ = [
    "BaseModel",
    "MaxConnectionsExceeded",
    "database",
    "open_database",
    "refresh_statistics",
]

# Rows SQLite's ANALYZE samples per index: statistics good enough to plan with, in
# milliseconds per table instead of a read of every row of a million-row table.
SQLITE_ANALYSIS_LIMIT = 1000


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


class _ClosesIdle:
    """Pool mixin: remembers when each connection came back, to close those idle too long.

    peewee's pool checks a connection's age only when it is checked out, so a
    server that went quiet after a burst kept every connection of the burst open.
    """

    _pool_lock: threading.RLock
    _connections: list[tuple[float, int, Any]]
    _in_use: dict[int, Any]

    def __init__(self, *args: Any, idle_timeout: float = 0.0, **kwargs: Any) -> None:
        self.idle_timeout = idle_timeout
        self._returned: dict[int, float] = {}  # connection key -> when it came back
        super().__init__(*args, **kwargs)

    def _close(self, conn: Any, close_conn: bool = False) -> None:
        with self._pool_lock:
            super()._close(conn, close_conn)  # type: ignore[misc]
            self._returned[self.conn_key(conn)] = time.monotonic()  # type: ignore[attr-defined]

    def close_idle_since(self, seconds: float) -> int:
        """Close the pooled connections unused for ``seconds``; returns how many."""
        cutoff = time.monotonic() - seconds
        with self._pool_lock:
            returned = self._returned
            keep, old = [], []
            for entry in self._connections:
                key = self.conn_key(entry[2])  # type: ignore[attr-defined]
                (old if returned.get(key, 0.0) <= cutoff else keep).append(entry)
            if old:
                heapq.heapify(keep)
                self._connections = keep
                for _, _, conn in old:
                    self._close_raw(conn)  # type: ignore[attr-defined]
            live = {self.conn_key(e[2]) for e in keep} | set(self._in_use)  # type: ignore[attr-defined]
            for key in set(returned) - live:
                del returned[key]
        return len(old)


class _PooledPostgresql(_ClosesIdle, PooledPostgresqlDatabase):
    pass


class _PooledSqlite(_ClosesIdle, PooledSqliteDatabase):
    pass


class _IdleReaper:
    """One daemon thread per process closing the open pool's idle connections.

    A thread, not a check on each request: it costs requests nothing, and it
    also runs when no request comes at all, which is when closing matters.
    """

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self) -> None:
        """Start the thread if needed, and make it look at the (new) pool now."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="accord-db-idle", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            pool = database.obj
            timeout = getattr(pool, "idle_timeout", 0.0)
            if timeout > 0:
                try:
                    pool.close_idle_since(timeout)
                except Exception:  # noqa: BLE001 - the thread must outlive one bad close
                    log.exception("closing idle database connections failed")
            # Checking twice per timeout closes a connection within 1.5 timeouts of its last use.
            self._wake.wait(timeout / 2 if timeout > 0 else None)
            self._wake.clear()


_reaper = _IdleReaper()


# What drivers say when the database itself is out of reach or too busy to answer,
# as opposed to a statement it refused (which is the application's error).
_UNREACHABLE = (
    "connect",  # could not connect, connection refused / reset / already closed
    "server closed",
    "terminating connection",
    "the database system is",  # starting up, shutting down, in recovery
    "database is locked",
    "unable to open database",
    "disk i/o error",
    "timeout",
    "timed out",
)


def is_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` says the database did not answer, not that it refused a statement."""
    if isinstance(exc, peewee.InterfaceError):
        return True
    if not isinstance(exc, peewee.OperationalError):
        return False
    text = str(exc).lower()
    return any(sign in text for sign in _UNREACHABLE)


def pool_options(settings: Settings) -> dict[str, Any]:
    """``[database]`` pool_size, pool_timeout_s and idle_timeout_s, checked."""
    options = {}
    for key, default in (("pool_size", 10), ("pool_timeout_s", 10), ("idle_timeout_s", 60)):
        value = settings.get("database", key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"[database] {key} must be a number above 0, not {value!r}")
        options[key] = value
    if not float(options["pool_size"]).is_integer():
        raise ConfigError("[database] pool_size must be a whole number")
    return options


def sqlite_file(settings: Settings) -> Path | None:
    """The SQLite database's file; None for PostgreSQL or an in-memory database."""
    if not settings.is_sqlite:
        return None
    path = parse(settings.database_url)["database"]
    return Path(path) if path and path != ":memory:" else None


def open_database(settings: Settings, *, role: str = "cli") -> peewee.Database:
    """Create the database object for ``settings`` and bind the proxy to it.

    ``role`` names the process to PostgreSQL (``application_name`` ``accord-<role>``:
    serve, worker or cli), so operators see in ``pg_stat_activity`` who holds what.
    """
    options = pool_options(settings)
    pooled: dict[str, Any] = {
        "max_connections": int(options["pool_size"]),
        # The pool's own clock: how long a request waits for a free connection.
        "timeout": options["pool_timeout_s"],
        # Also replace connections older than an hour, e.g. across a PgBouncer or server restart.
        "stale_timeout": 3600,
        "idle_timeout": float(options["idle_timeout_s"]),
    }
    url = settings.database_url
    db: PooledDatabase | peewee.Database
    if settings.is_sqlite:
        path = sqlite_file(settings)
        pragmas = sqlite_pragmas(settings)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Opening a SQLite file and running its pragmas costs ~0.7 ms; a
            # pool per process reuses connections across requests.
            db = _PooledSqlite(
                str(path), pragmas=pragmas, lock_type="IMMEDIATE", check_same_thread=False, **pooled
            )
        else:
            db = connect(url, pragmas=pragmas, lock_type="IMMEDIATE")
    else:
        params = parse(url)
        params.setdefault("application_name", f"accord-{role}")  # a URL's own name wins
        db = _PooledPostgresql(**params, **pooled)
    previous = database.obj
    if isinstance(previous, PooledDatabase):
        previous.close_idle()  # a replaced pool's connections would otherwise stay open
    database.initialize(db)
    if isinstance(db, _ClosesIdle):
        _reaper.watch()
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


def refresh_statistics(tables: Iterable[str] = ()) -> None:
    """Bring the query planner's statistics up to date: after a bulk load, and daily.

    A planner without statistics guesses how many rows a condition leaves, and
    the guesses can turn a page of 50 rows into a walk over a million. Call it
    once a bulk load has committed (an import, a restore, ``accord demo``);
    the core also runs it daily (the ``core.refresh_statistics`` task).

    :param tables: the tables just loaded; none means every table. PostgreSQL
        runs ``ANALYZE`` on them. SQLite analyses them (sampling at most
        ``SQLITE_ANALYSIS_LIMIT`` rows per index), analyses everything when the
        database has no statistics yet, and otherwise runs ``PRAGMA optimize``,
        which refreshes only the tables that changed much since.
    """
    names = list(tables)
    if not isinstance(database.obj, peewee.SqliteDatabase):
        database.execute_sql("ANALYZE " + ", ".join(_quoted(t) for t in names))
        return
    database.execute_sql(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
    if names:
        for table in names:
            database.execute_sql(f"ANALYZE {_quoted(table)}")
        return
    has_statistics = database.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
    ).fetchone()
    database.execute_sql("PRAGMA optimize" if has_statistics else "ANALYZE")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
