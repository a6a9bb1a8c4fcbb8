"""The background job queue: huey on a SQLite file by default, Redis beyond one machine.

Plugins declare tasks in ``register_tasks(queue)`` with ``name="<plugin>.<task>"``;
pages start one with ``enqueue(request, "<plugin>.<task>", *args)``. The worker
(``accord worker``) runs them. With ``[jobs] immediate = true`` (the tests) a task
runs at once, inside the call that enqueues it. A task may ``emit`` domain events
like a page: they are delivered when it returns, and dropped if it raised.
"""

from __future__ import annotations

import threading
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey

from . import events
from .db import database
from .host import PluginHost
from .settings import Settings

_running = threading.local()


def make_queue(settings: Settings, host: PluginHost) -> Huey:
    """The instance's queue with every loaded plugin's tasks declared on it."""
    redis_url = settings.get("jobs", "redis_url", "")
    immediate = bool(settings.get("jobs", "immediate", False))
    if redis_url:
        queue: Huey = RedisHuey("accord", url=redis_url, immediate=immediate)
    else:
        settings.home.mkdir(parents=True, exist_ok=True)
        queue = SqliteHuey("accord", filename=str(settings.home / "jobs.db"), immediate=immediate)
    host.hook.register_tasks(queue=queue)
    _deliver_events_after_tasks(queue, host)
    return queue


def _deliver_events_after_tasks(queue: Huey, host: PluginHost) -> None:
    @queue.pre_execute(name="accord.collect_events")
    def collect(task: Any) -> None:
        stack = _running.__dict__.setdefault("stack", [])
        if events.is_collecting():  # run at once inside a request: the request delivers
            stack.append(None)
            return
        context = events.collecting(host)
        stack.append((context, context.__enter__()))

    @queue.post_execute(name="accord.deliver_events")
    def deliver(task: Any, value: Any, exception: BaseException | None) -> None:
        stack = _running.__dict__.setdefault("stack", [])
        entry = stack.pop() if stack else None
        if entry is None:
            return
        context, collected = entry
        context.__exit__(None, None, None)
        if exception is not None or not collected:
            return
        opened = database.is_closed()
        if opened:
            database.connect()
        try:
            events.deliver(host, collected)
        finally:
            if opened:
                database.close()


def task_named(queue: Huey, name: str) -> Any:
    """The task class a plugin declared with ``name=`` (huey keys them by module too)."""
    for task_class in queue._registry._registry.values():
        if task_class.__name__ == name:
            return task_class
    raise LookupError(f"no task named {name!r}: is its plugin loaded?")


def enqueue(source: Any, name: str, *args: Any, **kwargs: Any) -> None:
    """Queue the task ``name`` with these arguments; ``source`` is a request or a queue."""
    queue = source if isinstance(source, Huey) else source.app.state.accord.queue
    queue.enqueue(task_named(queue, name)(args=args, kwargs=kwargs))
