"""Prometheus metrics: request latency by route, requests in flight, job runs, queue depth.

Several processes on one machine (``accord serve --workers N`` and its helper
worker) share one ``PROMETHEUS_MULTIPROC_DIR``, which ``serve`` sets to a fresh
folder before any of them starts: a scrape of any web worker then adds up all of
them. ``prometheus_client`` reads that variable when it is first imported, so this
module must not be imported by a process before the variable is set.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator
from typing import Any

from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .settings import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram(
    "accord_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name, method and status class.",
    ["route", "method", "status"],
)
IN_FLIGHT = Gauge(
    "accord_http_requests_in_flight",
    "HTTP requests being answered now.",
    multiprocess_mode="livesum",
)
JOB_RUNS = Counter("accord_job_runs", "Background task runs, by task name.", ["task"])
JOB_FAILURES = Counter(
    "accord_job_failures", "Background task runs that raised, by task name.", ["task"]
)

# Anything else a client could send as a method would make a label per value.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsMiddleware:
    """Time every HTTP request and label it by the route that answered, never the path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Labelled children, looked up once: ``labels()`` costs more than ``observe()``.
        # Bounded: route names x methods x status classes.
        self._timers: dict[tuple[str, str, str], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets when the app raises before answering

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        start = time.perf_counter()
        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            IN_FLIGHT.dec()
            # The router puts the matched route in the scope; the path would be unbounded.
            route = scope.get("route")
            name = getattr(route, "name", None) or ("unnamed" if route else "unmatched")
            method = scope["method"] if scope["method"] in METHODS else "other"
            key = (name, method, f"{status // 100}xx")
            timer = self._timers.get(key)
            if timer is None:
                timer = self._timers[key] = REQUEST_SECONDS.labels(*key)
            timer.observe(time.perf_counter() - start)


def count_jobs(queue: Any) -> None:
    """Count this queue's task runs and failures (in the process that runs them)."""

    @queue.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)
    def counted(signal: str, task: Any, exc: BaseException | None = None) -> None:
        JOB_RUNS.labels(task.name).inc()
        if signal == SIGNAL_ERROR:
            JOB_FAILURES.labels(task.name).inc()


class _QueueCollector:
    """The queue's depth, read from the queue itself at scrape time (one value for all)."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue

    def collect(self) -> Iterator[Metric]:
        reachable = GaugeMetricFamily("accord_queue_up", "1 when the job queue answered.")
        try:
            pending, scheduled = self.queue.pending_count(), self.queue.scheduled_count()
        except Exception:  # noqa: BLE001 - an unreachable queue is a value, not an error
            reachable.add_metric([], 0)
            yield reachable
            return
        reachable.add_metric([], 1)
        yield reachable
        yield GaugeMetricFamily("accord_queue_depth", "Tasks waiting to run.", value=pending)
        yield GaugeMetricFamily(
            "accord_queue_scheduled", "Tasks scheduled to run later.", value=scheduled
        )


class _ThisProcess:
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def exposition(queue: Any) -> bytes:
    """Every metric in the Prometheus text format: all processes' and the queue's."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())  # type: ignore[arg-type]
    if queue is not None:
        registry.register(_QueueCollector(queue))  # type: ignore[arg-type]
    return generate_latest(registry)


# Loopback and the RFC 1918 / unique-local ranges; not ``is_private``, which also
# covers documentation and reserved ranges.
INTERNAL_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "::1/128",
        "fc00::/7",
    )
)


def _is_internal(host: str | None) -> bool:
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return any(address in network for network in INTERNAL_NETWORKS)


def refusal(settings: Settings, request: Request) -> Response | None:
    """Why this request may not read the metrics, or None when it may.

    Served only when configured: a bearer token (``[metrics] token``), or
    ``[metrics] allow_internal`` for loopback and private addresses. Unconfigured,
    ``/metrics`` does not exist (404): it names routes and task names, and counts
    traffic, which is nobody's business by default.
    """
    token = str(settings.get("metrics", "token", "") or "")
    allow_internal = bool(settings.get("metrics", "allow_internal", False))
    if not token and not allow_internal:
        return PlainTextResponse("Not Found", status_code=404)
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
            return None
    if allow_internal and _is_internal(request.client.host if request.client else None):
        return None
    if not token:
        return PlainTextResponse("Not Found", status_code=404)
    return PlainTextResponse(
        "Unauthorized", status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
    )


def metrics_endpoint(request: Request) -> Response:
    """``GET /metrics`` (runs in a thread: the queue depth is read from the queue)."""
    state = request.app.state.accord
    refused = refusal(state.settings, request)
    if refused is not None:
        return refused
    return Response(
        exposition(state.queue),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )
