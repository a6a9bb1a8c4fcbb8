"""Probes and metrics: ``/healthz`` (liveness), ``/readyz`` (readiness), ``/metrics``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from accord import Page, hookimpl
from accord.readiness import readiness

NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: Request) -> JSONResponse:
    # Liveness only: the process answers. A database outage must not get every
    # server restarted by its orchestrator; /readyz reports dependencies.
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


def readyz(request: Request) -> JSONResponse:
    state = request.app.state.accord
    ready, report = readiness(state.settings, state.queue)
    return JSONResponse(report, status_code=200 if ready else 503, headers=NO_STORE)


def metrics(request: Request) -> Response:
    # Imported here: prometheus_client must first be imported after ``accord serve``
    # has named the folder its processes share (see accord.metrics).
    from accord.metrics import metrics_endpoint

    return metrics_endpoint(request)


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/healthz", healthz, name="healthz", scope="public", bare=True),
        Page("/readyz", readyz, name="readyz", scope="public", bare=True),
        Page("/metrics", metrics, name="metrics", scope="public", bare=True),
    ]
