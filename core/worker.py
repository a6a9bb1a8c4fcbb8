"""``accord worker``: wait for the database and the queue, beat, and run huey's consumer."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from huey.consumer import Consumer

from .db import database, open_database
from .heartbeat import Heartbeat
from .host import PluginHost
from .jobs import make_queue
from .readiness import Check, check_database, check_queue
from .schema import PendingMigrationsError, pending
from .settings import Settings, require_shared_secret_key
from .supervision import die_with_parent

log = logging.getLogger("accord.worker")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
RETRY = 5.0
# Huey's own threads, polling the queue: their errors while Redis is away are one line.
HUEY_LOGGERS = ("huey.consumer", "huey.consumer.Worker", "huey.consumer.Scheduler", "huey")


class WorkerError(Exception):
    """The worker cannot start; the message says why."""


def configure_logging() -> None:
    """INFO lines with a timestamp, ``accord.*`` (one per task run) and huey's."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("accord").setLevel(logging.INFO)


class _OneLineErrors(logging.Filter):
    """A connection failure is one line, at most one per logger every few seconds.

    Huey's threads poll the queue every second or so and log each failure with its
    traceback; while Redis is away that would bury everything else.
    """

    def __init__(self) -> None:
        super().__init__()
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or not _is_connection_error(exc):
            return True
        now = time.monotonic()
        if now - self._last.get(record.name, -RETRY) < RETRY:
            return False
        self._last[record.name] = now
        quiet = f"(repeats muted for {RETRY:.0f} s)"
        record.msg = f"{record.getMessage().rstrip('.')}: {type(exc).__name__}: {exc} {quiet}"
        record.args = ()
        record.exc_info = None
        return True


def _is_connection_error(exc: BaseException) -> bool:
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is a dependency
        return isinstance(exc, ConnectionError | TimeoutError)
    return isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError)


def _wait_for(what: str, check: Callable[[], Check]) -> None:
    """Return once ``check`` passes, saying every few seconds why it does not yet."""
    waited = False
    while True:
        result = check()
        if result.ok:
            if waited:
                log.info("%s reachable", what)
            return
        log.warning("%s unreachable: %s (retrying every %.0f s)", what, result.detail, RETRY)
        waited = True
        time.sleep(RETRY)


class _Consumer(Consumer):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Huey re-executes its command line on SIGHUP; ``accord serve`` starts this
        # worker with ``python -c``, which cannot be re-executed. Stop gracefully
        # instead: a supervisor (serve, systemd) starts it again.
        self._signal_actions[signal.SIGHUP] = (False, True)


def run_worker(
    settings: Settings,
    host: PluginHost,
    *,
    scheduler: bool = True,
    metrics_port: int | None = None,
    metrics_host: str = "127.0.0.1",
    threads: int = 2,
) -> None:
    configure_logging()
    one_line = _OneLineErrors()
    for name in HUEY_LOGGERS:
        logging.getLogger(name).addFilter(one_line)
    die_with_parent()
    # The worker signs links in emails (surveys, unsubscribes) like the servers do.
    require_shared_secret_key(settings)
    open_database(settings, role="worker")
    queue = make_queue(settings, host)
    if queue.immediate:
        raise WorkerError("[jobs] immediate = true: tasks run where they are queued, not here")
    _wait_for("database", check_database)
    with database.connection_context():
        todo = pending(host)
    if todo:
        raise PendingMigrationsError(todo)
    _wait_for("job queue", lambda: check_queue(settings, queue))

    from .metrics import count_jobs

    count_jobs(queue)
    if metrics_port:
        _serve_metrics(metrics_host, metrics_port)
    beat = Heartbeat(scheduler=scheduler)
    beat.start()
    log.info(
        "worker started (%s queue, scheduler %s)",
        type(queue.storage).__name__,
        "on" if scheduler else "off",
    )
    try:
        _Consumer(queue, workers=threads, periodic=scheduler).run()
    finally:
        beat.stop()


def _serve_metrics(host: str, port: int) -> None:
    from prometheus_client import start_http_server

    try:
        start_http_server(port, addr=host)
    except OSError as exc:
        raise WorkerError(f"cannot serve metrics on {host}:{port}: {exc.strerror or exc}") from None
    log.info("metrics at http://%s:%s/metrics", host, port)
