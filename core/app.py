"""``create_app()``: settings, database, plugins and routes composed into one Starlette app."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from . import db, plugin_settings
from .db import MaxConnectionsExceeded, database
from .host import PluginHost, build_host
from .jobs import QueueUnavailable, make_queue
from .metrics import MetricsMiddleware, count_jobs
from .middleware import AnsweredErrorsMiddleware, SecurityHeadersMiddleware
from .permissions import PermissionTable
from .routing import DatabaseUnavailable, build_routes
from .schema import PendingMigrationsError, pending
from .settings import Settings, load_settings, require_shared_secret_key
from .settings import use as use_settings
from .supervision import die_with_parent
from .templating import build_environment, web_dir

log = logging.getLogger("accord.app")

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is nothing here. The page or record does not exist, or it is not yours to see.",
    405: "That action is not possible on this page.",
    409: "Someone else changed this record while you were editing it.",
    422: "Some of the information entered is not valid.",
    429: "Too many attempts. Wait a few minutes and try again.",
    500: "Something went wrong on our side. It has been logged; please try again.",
    503: "The database is not answering. Accord will work again as soon as it is back.",
}
BUSY_MESSAGE = "Accord is busy right now. Please try again in a moment."


@dataclass
class AppState:
    """Process-wide, read-only after start-up: safe to share between threads."""

    settings: Settings
    host: PluginHost
    permissions: PermissionTable
    templates: jinja2.Environment
    routes_by_name: dict[str, Route] = field(default_factory=dict)
    queue: Any = None  # the job queue pages enqueue background tasks on (accord.jobs)

    @property
    def secure_cookies(self) -> bool:
        return bool(self.settings.get("server", "https", False))


def error_response(request: Request, status_code: int, message: str | None = None) -> Response:
    state: AppState = request.app.state.accord
    text = message or MESSAGES.get(status_code, "Something went wrong.")
    response = state.host.hook.render_error(request=request, status_code=status_code, message=text)
    return response or PlainTextResponse(text, status_code=status_code)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail and exc.detail != _default_phrase(exc.status_code) else None
    response = error_response(request, exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _default_phrase(status_code: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status_code).phrase


async def _unavailable(request: Request, exc: Exception) -> Response:
    log.error("database unavailable: %s", exc)
    response = error_response(request, 503)
    response.headers["Retry-After"] = "30"
    return response


async def _busy(request: Request, exc: Exception) -> Response:
    # Every connection of this process's pool stayed in use for pool_timeout_s.
    log.warning("database pool exhausted: %s", exc)
    response = error_response(request, 503, BUSY_MESSAGE)
    response.headers["Retry-After"] = "5"
    return response


async def _queue_unavailable(request: Request, exc: Exception) -> Response:
    log.error("job queue unavailable: %s", exc)
    response = error_response(
        request,
        503,
        "The background queue is not answering, so the work could not be started. "
        "Nothing was lost: what you saved is kept. Try again in a few minutes.",
    )
    response.headers["Retry-After"] = "30"
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500)


def _static_mounts(host: PluginHost) -> list[BaseRoute]:
    mounts: list[BaseRoute] = [
        Mount(f"/static/{pid}", StaticFiles(directory=str(folder)), name=f"static:{pid}")
        for pid, folder in host.impls_by_plugin("register_static_dir")
    ]
    mounts.append(Mount("/static", StaticFiles(directory=str(web_dir() / "static")), name="static"))
    return mounts


class _Accord(Starlette):
    """Starlette with metrics and security headers outside its server-error layer.

    Middleware given to Starlette sits inside the layer that makes 500 pages,
    so those pages would go out without the headers and uncounted.
    """

    def build_middleware_stack(self) -> ASGIApp:
        inner = AnsweredErrorsMiddleware(super().build_middleware_stack())
        https = self.state.accord.secure_cookies
        # Metrics outermost: the time includes every other layer.
        return MetricsMiddleware(SecurityHeadersMiddleware(inner, https=https))


def create_app(
    settings: Settings | None = None,
    host: PluginHost | None = None,
    *,
    require_migrated: bool = True,
) -> Starlette:
    """The ASGI application. Refuses to start while migrations are pending."""
    settings = settings or load_settings()
    require_shared_secret_key(settings)
    use_settings(settings)
    db.open_database(settings, role="serve")
    host = host or build_host(settings)
    plugin_settings.bind(settings, host)
    if require_migrated:
        with database.connection_context():
            todo = pending(host)
        if todo:
            raise PendingMigrationsError(todo)
    host.hook.startup(settings=settings)
    state = AppState(
        settings=settings,
        host=host,
        permissions=PermissionTable(host),
        templates=build_environment(
            host, reload=bool(settings.get("server", "reload_templates", False))
        ),
    )
    handlers: dict[Any, Any] = {
        HTTPException: _http_error,
        DatabaseUnavailable: _unavailable,
        MaxConnectionsExceeded: _busy,
        QueueUnavailable: _queue_unavailable,
        Exception: _server_error,
    }
    state.queue = make_queue(settings, host)
    count_jobs(state.queue)  # tasks run here in immediate mode (tests, one-off commands)
    routes = build_routes(state)
    state.routes_by_name = {route.name: route for route in routes}
    app = _Accord(routes=[*routes, *_static_mounts(host)], exception_handlers=handlers)
    app.state.accord = state
    return app


def asgi() -> Starlette:
    """Entry point for ``uvicorn --factory accord.app:asgi`` (one app per worker)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    die_with_parent()  # a worker of ``accord serve --workers N`` must not outlive it
    return create_app()


__all__ = ["AppState", "asgi", "create_app", "error_response"]
