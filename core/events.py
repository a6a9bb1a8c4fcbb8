"""Domain events, delivered after the emitting transaction commits.

Inside a request the core collects events and hands them to ``handle_event``
once the view's transaction has committed; a rolled-back request delivers
nothing. Outside a collector (a script, a job) an event is delivered at once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from .host import PluginHost
from .models import Organisation

log = logging.getLogger("accord.events")


@dataclass(frozen=True)
class Event:
    org: Organisation
    name: str
    payload: dict[str, Any]


@dataclass
class _Collector:
    host: PluginHost
    events: list[Event]


_collector: ContextVar[_Collector | None] = ContextVar("accord_events", default=None)


def emit(
    org: Organisation,
    name: str,
    payload: dict[str, Any] | None = None,
    *,
    host: PluginHost | None = None,
) -> None:
    """Announce that ``name`` happened in ``org``."""
    event = Event(org, name, dict(payload or {}))
    collector = _collector.get()
    if collector is not None:
        collector.events.append(event)
    elif host is not None:
        deliver(host, [event])
    else:
        raise RuntimeError("emit() outside a request needs host=")


def deliver(host: PluginHost, events: list[Event]) -> None:
    from .enablement import enabled_plugins

    for event in events:
        hooks = host.hooks_for(enabled_plugins(host, event.org))
        for impl in reversed(hooks.handle_event.get_hookimpls()):
            try:
                impl.function(org=event.org, event=event.name, payload=event.payload)
            except Exception:  # one handler's failure must not hide the event from others
                log.exception("plugin %s failed handling %s", impl.plugin_name, event.name)


def is_collecting() -> bool:
    """Whether events emitted now wait for a commit (inside a request or a task)."""
    return _collector.get() is not None


@contextlib.contextmanager
def collecting(host: PluginHost) -> Iterator[list[Event]]:
    """Collect events emitted in the block; the caller delivers them after commit."""
    collector = _Collector(host, [])
    token = _collector.set(collector)
    try:
        yield collector.events
    finally:
        _collector.reset(token)
