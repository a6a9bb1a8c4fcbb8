"""Readiness: whether this server's dependencies answer (database, queue, scheduler).

``/healthz`` (liveness) only says the process answers; ``/readyz`` runs these
checks and names the ones that fail, so a load balancer or an orchestrator can
hold traffic back while the database, Redis or the scheduling worker is missing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .clock import utcnow
from .db import database
from .heartbeat import STALE_SECONDS, newest_scheduler_beat
from .settings import Settings

# A dependency that does not answer within this many seconds is reported as failing.
TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str
    required: bool = True


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def check_database() -> Check:
    try:
        with database.connection_context():
            database.execute_sql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure is the report
        return Check(False, _one_line(exc))
    return Check(True, "SELECT 1 answered")


def check_queue(settings: Settings, queue: Any) -> Check:
    kind = type(queue.storage).__name__ if queue is not None else "none"
    try:
        if kind == "RedisStorage":
            import redis

            url = settings.get("jobs", "redis_url", "")
            # A client of its own, with timeouts: a blackholed Redis must not hang the probe.
            client = redis.Redis.from_url(
                url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
            )
            try:
                client.ping()
            finally:
                client.close()
            return Check(True, "Redis answered PING")
        if kind == "SqliteStorage":
            path = Path(queue.storage.filename)
            if not path.exists():
                return Check(False, f"queue file {path} is missing")
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=TIMEOUT_SECONDS)
            try:
                conn.execute("SELECT COUNT(*) FROM task").fetchone()
            finally:
                conn.close()
            return Check(True, f"queue file {path} readable")
    except Exception as exc:  # noqa: BLE001 - any failure is the report
        return Check(False, _one_line(exc))
    # Immediate mode (tests): tasks run inside the request, there is nothing to reach.
    return Check(True, f"{kind} queue")


def check_scheduler(settings: Settings) -> Check:
    required = bool(settings.get("health", "require_scheduler", True))
    try:
        with database.connection_context():
            beat = newest_scheduler_beat()
    except Exception as exc:  # noqa: BLE001 - any failure is the report
        return Check(False, _one_line(exc), required)
    if beat is None:
        return Check(False, "no worker running the scheduler (start `accord worker`)", required)
    age = (utcnow() - beat).total_seconds()
    if age > STALE_SECONDS:
        return Check(
            False,
            f"newest scheduler heartbeat is {age:.0f} s old (stale after {STALE_SECONDS:.0f} s)",
            required,
        )
    return Check(True, f"newest scheduler heartbeat {age:.0f} s ago", required)


def readiness(settings: Settings, queue: Any) -> tuple[bool, dict[str, Any]]:
    """``(ready, report)``: ready when every required check passes."""
    checks = {
        "database": check_database(),
        "queue": check_queue(settings, queue),
        "scheduler": check_scheduler(settings),
    }
    failing = [name for name, check in checks.items() if not check.ok and check.required]
    report = {
        "status": "fail" if failing else "ok",
        "failing": failing,
        "checks": {name: asdict(check) for name, check in checks.items()},
    }
    return not failing, report
