"""The background job queue: huey on a SQLite file by default, Redis beyond one machine.

Plugins declare tasks in ``register_tasks(queue)`` with ``name="<plugin>.<task>"``;
pages start one with ``enqueue(request, "<plugin>.<task>", *args)``. The worker
(``accord worker``) runs them. With ``[jobs] immediate = true`` (the tests) a task
runs at once, when the call that queues it would have queued it.

A task queued inside a request or a task waits, like an event, until that
request's transaction has committed or that task has returned, and is dropped
if it failed: a worker never starts on data that is not there yet. Each
periodic task runs once per period however many workers queue it (see
``periodic``), and the worker logs every run on ``accord.jobs``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from huey import Huey, crontab
from huey.api import PeriodicTask, Task
from huey.exceptions import CancelExecution
from huey.storage import RedisStorage, SqliteStorage
from redis import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import events, mail, periodic
from .db import database, refresh_statistics
from .host import PluginHost
from .settings import Settings

log = logging.getLogger("accord.jobs")

# A page must not hang on a Redis host that does not answer; the worker's blocking
# read has a timeout of its own.
REDIS_CONNECT_TIMEOUT = 5

_pending: ContextVar[list[tuple[Queue, Task]] | None] = ContextVar("accord_jobs", default=None)


class QueueUnavailable(Exception):
    """The job queue (Redis, or the SQLite jobs file) did not answer; nothing was queued."""


@contextlib.contextmanager
def _answering() -> Iterator[None]:
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError, sqlite3.OperationalError) as exc:
        raise QueueUnavailable(f"the background job queue is not answering: {exc}") from exc


class Queue(Huey):
    """Huey that queues after commit, stamps periodic tasks with their period, and says
    ``QueueUnavailable`` when its storage does not answer."""

    def enqueue(self, task: Any) -> Any:
        pending = _pending.get()
        if pending is None:
            return self.enqueue_now(task)
        # Fail while the caller's transaction can still roll back, not after it committed.
        with _answering():
            self.storage.queue_size()
        pending.append((self, task))
        return None

    def enqueue_now(self, task: Any) -> Any:
        with _answering():
            return super().enqueue(task)

    def read_periodic(self, timestamp: Any) -> list[Any]:
        # The scheduler's time, not the run's: two workers running the same period's
        # task late, a minute apart, still claim the same period. An eta in the past
        # only says "ready".
        timestamp = timestamp or self._get_timestamp()
        tasks = super().read_periodic(timestamp)
        for task in tasks:
            task.eta = periodic.period_start(timestamp)
        return tasks

    def put(self, key: str, data: Any) -> Any:
        with _answering():
            return super().put(key, data)

    def get_raw(self, key: str, peek: bool = False) -> Any:
        with _answering():
            return super().get_raw(key, peek)

    def delete(self, key: str) -> Any:
        with _answering():
            return super().delete(key)

    # A value that disappears by itself ``ttl`` seconds after it was last put, so one
    # a dead worker left behind does not stay for ever. Redis expires it; elsewhere
    # (one machine) it carries its deadline and reading it late removes it.

    def put_expiring(self, key: str, data: Any, ttl: int) -> None:
        with _answering():
            if isinstance(self.storage, RedisStorage):
                value = self.serializer.serialize(data)
                self.storage.conn.set(self._expiring_key(key), value, ex=ttl)
            else:
                super().put(key, (time.time() + ttl, data))

    def get_expiring(self, key: str) -> Any:
        """The value put with ``put_expiring``; None once it expired or was deleted."""
        with _answering():
            if isinstance(self.storage, RedisStorage):
                raw = self.storage.conn.get(self._expiring_key(key))
                return None if raw is None else self.serializer.deserialize(raw)
            kept = super().get(key, peek=True)
            if kept is None:
                return None
            deadline, data = kept
            if deadline < time.time():
                super().delete(key)
                return None
            return data

    def delete_expiring(self, key: str) -> None:
        with _answering():
            if isinstance(self.storage, RedisStorage):
                self.storage.conn.delete(self._expiring_key(key))
            else:
                super().delete(key)

    def _expiring_key(self, key: str) -> str:
        return f"huey.expiring.{self.name}.{key}"


def make_queue(settings: Settings, host: PluginHost) -> Queue:
    """The instance's queue with every loaded plugin's tasks declared on it.

    Task return values are not kept (``results=False``): nothing reads them, and in
    Redis they would pile up. The key-value store (``put``/``get``) still works.
    """
    redis_url = settings.get("jobs", "redis_url", "")
    immediate = bool(settings.get("jobs", "immediate", False))
    # Instances sharing one Redis each need a name of their own.
    name = str(settings.get("jobs", "queue_name", "accord"))
    if redis_url:
        queue = Queue(
            name,
            results=False,
            immediate=immediate,
            storage_class=RedisStorage,
            connection_pool=ConnectionPool.from_url(
                redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT
            ),
        )
    else:
        settings.home.mkdir(parents=True, exist_ok=True)
        queue = Queue(
            name,
            results=False,
            immediate=immediate,
            storage_class=SqliteStorage,
            filename=str(settings.home / "jobs.db"),
        )
    mail.register_task(queue, settings)
    _register_core_tasks(queue)
    host.hook.register_tasks(queue=queue)
    watch_runs(queue, host)
    return queue


@contextlib.contextmanager
def deferring() -> Iterator[list[tuple[Queue, Task]]]:
    """Hold tasks queued in the block; the caller releases them after its commit."""
    held: list[tuple[Queue, Task]] = []
    token = _pending.set(held)
    try:
        yield held
    finally:
        _pending.reset(token)


def release(held: list[tuple[Queue, Task]]) -> None:
    """Queue the tasks held by ``deferring`` (its transaction has committed)."""
    for queue, task in held:
        queue.enqueue_now(task)


STATISTICS_TASK = "core.refresh_statistics"


def _register_core_tasks(queue: Huey) -> None:
    # Daily, at a quiet hour: imports and merges change tables' shapes between bulk loads.
    @queue.periodic_task(crontab(minute="41", hour="4"), name=STATISTICS_TASK)
    def refresh_statistics_daily() -> None:
        with connected():
            refresh_statistics()


@contextlib.contextmanager
def connected() -> Iterator[None]:
    """A database connection for a task's body: opened here in the worker, or the caller's
    own (left open) when the task runs at once inside a request or a test."""
    opened = database.is_closed()
    if opened:
        database.connect()
    try:
        yield
    finally:
        if opened:
            database.close()


def _summary(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class _Run:
    """What the worker keeps about the task it is running, between its two hooks."""

    def __init__(self, host: PluginHost) -> None:
        self.started = time.monotonic()
        # Run at once inside a request or another task: that one delivers and releases.
        self.events = None if events.is_collecting() else events.collecting(host)
        self.emitted = self.events.__enter__() if self.events else []
        self.jobs = None if _pending.get() is not None else deferring()
        self.held = self.jobs.__enter__() if self.jobs else []

    def close(self) -> None:
        if self.jobs is not None:
            self.jobs.__exit__(None, None, None)
        if self.events is not None:
            self.events.__exit__(None, None, None)


def watch_runs(queue: Huey, host: PluginHost) -> None:
    """Add the core's hooks around every task run on ``queue``.

    A periodic task first claims its period (or is skipped); a task's events and
    the tasks it queues are let out when it returns, dropped if it raised; each
    run is logged on ``accord.jobs`` with its duration and outcome.
    """

    @queue.pre_execute(name="accord.claim_period")
    def claim_period(task: Any) -> None:
        if not isinstance(task, PeriodicTask):
            return
        start = periodic.period_start(task.eta or queue._get_timestamp())
        with connected():
            claimed = periodic.claim(task.name, start)
        if not claimed:
            log.info("%s skipped: the period from %s is claimed by another run", task.name, start)
            raise CancelExecution(retry=False)

    @queue.pre_execute(name="accord.begin_run")
    def begin(task: Any) -> None:
        _runs().append(_Run(host))

    @queue.post_execute(name="accord.end_run")
    def end(task: Any, value: Any, exception: BaseException | None) -> None:
        run = _runs().pop()
        run.close()
        ms = round((time.monotonic() - run.started) * 1000)
        if exception is not None:
            log.info("%s failed in %d ms: %s", task.name, ms, _summary(exception))
            return
        log.info("%s done in %d ms", task.name, ms)
        if run.emitted:
            with connected():
                events.deliver(host, run.emitted)
        release(run.held)


_running = threading.local()  # huey runs a task's hooks in the task's own thread


def _runs() -> list[_Run]:
    stack: list[_Run] = _running.__dict__.setdefault("stack", [])
    return stack


def task_named(queue: Huey, name: str) -> Any:
    """The task class a plugin declared with ``name=`` (huey keys them by module too)."""
    for task_class in queue._registry._registry.values():
        if task_class.__name__ == name:
            return task_class
    raise LookupError(f"no task named {name!r}: is its plugin loaded?")


def enqueue(source: Any, name: str, *args: Any, **kwargs: Any) -> None:
    """Queue the task ``name`` with these arguments; ``source`` is a request or a queue.

    Inside a request or a task it is queued once that one has committed; raises
    ``QueueUnavailable`` when the queue does not answer.
    """
    queue = source if isinstance(source, Huey) else source.app.state.accord.queue
    queue.enqueue(task_named(queue, name)(args=args, kwargs=kwargs))
