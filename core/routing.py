"""Turn plugins' ``Page`` declarations into Starlette routes guarded by the core.

Every endpoint runs in a worker thread with a database connection open. The
guard resolves the session, the organisation, the plugin's enablement there
and the page's permission before the view runs, and checks CSRF on every
state-changing request, so no view can forget any of them. A form sent twice
(same submission id) runs its view once (``submissions``). Events and
background tasks the view starts go out after its transaction commits.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import peewee
from starlette.concurrency import run_in_threadpool
from starlette.convertors import IntegerConvertor, register_url_convertor
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import csrf, events, htmx, inputs, jobs, sessions, submissions
from .audit import Actor, acting_as
from .context import RequestContext
from .db import database, is_unreachable
from .enablement import enabled_plugins
from .models import Membership, Organisation
from .security import csrf_valid
from .templating import flash

if TYPE_CHECKING:
    from .app import AppState
    from .types import Page

log = logging.getLogger("accord.routing")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _IdConvertor(IntegerConvertor):
    """``{pk:int}`` in a path: at most 18 digits, so every id it lets through fits a
    BIGINT; a longer one is a 404 like any other unknown id."""

    regex = "[0-9]{1,18}"


register_url_convertor("int", _IdConvertor())


class DatabaseUnavailable(Exception):
    """The database did not answer; the user gets a 503 page."""


def form_data(request: Request) -> FormData:
    """The submitted form of a POST, parsed before the view ran."""
    return getattr(request.state, "form", None) or FormData()


def _authenticate(state: AppState, request: Request) -> RequestContext:
    ctx = RequestContext(request=request)
    ctx.session = sessions.load(state.settings, request.cookies.get(sessions.COOKIE))
    if ctx.session is not None:
        ctx.user = ctx.session.user
        ctx.memberships = list(
            Membership.select(Membership, Organisation)
            .join(Organisation)
            .where(Membership.user == ctx.user)
            .order_by(Organisation.name)
        )
    return ctx


def _enter_org(state: AppState, ctx: RequestContext, slug: str) -> None:
    membership = next((m for m in ctx.memberships if m.org.slug == slug), None)
    if membership is None:
        # Another organisation's pages do not exist for this user.
        raise HTTPException(404)
    ctx.membership, ctx.org = membership, membership.org
    ctx.enabled = enabled_plugins(state.host, ctx.org)
    ctx.hooks = state.host.hooks_for(ctx.enabled)
    ctx.permissions = state.permissions.for_role(membership.role, ctx.enabled)


def _check_csrf(state: AppState, request: Request, form_token: str | None) -> None:
    candidate = request.headers.get(htmx.CSRF_HEADER) or form_token
    if not csrf_valid(state.settings.secret_key, csrf.binding(request), candidate):
        raise HTTPException(
            403, "This form has expired or did not come from Accord. Reload the page and try again."
        )


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return htmx.redirect(request, f"/login?next={quote(target)}")


def _run_once(request: Request, page: Page) -> Response:
    """Run a state-changing view in a transaction, once per submission id it carries."""
    nonce = (
        submissions.submitted_id(form_data(request).get(submissions.FIELD)) if page.once else None
    )
    try:
        with database.atomic():
            if nonce:
                submissions.claim(nonce)
            response: Response = page.endpoint(request)
            if nonce:
                submissions.settle(nonce, response)
        return response
    except submissions.AlreadySent:
        assert nonce is not None
    # A second click, a resent form: send the browser where the first went, and say so.
    if request.state.ctx.session is not None:
        flash(request, submissions.MESSAGE, "info")
    return htmx.redirect(request, submissions.previous_location(request, nonce))


def guard(state: AppState, plugin_id: str, page: Page) -> Any:
    """Wrap ``page.endpoint`` with authentication, tenancy, permission and CSRF checks."""

    def handle(request: Request, form_token: str | None) -> Response:
        ctx = _authenticate(state, request)
        ctx.plugin = plugin_id
        request.state.ctx = ctx
        if page.scope != "public" and ctx.user is None:
            return _login_redirect(request)
        if page.scope == "org":
            _enter_org(state, ctx, request.path_params["org"])
            if plugin_id not in ctx.enabled:
                raise HTTPException(404)
            if page.permission and not ctx.can(page.permission):
                raise HTTPException(403, "Your role in this organisation does not allow this.")
        elif page.permission and not any(
            page.permission in state.permissions.for_role(m.role, state.host.always_on)
            for m in ctx.memberships
        ):
            raise HTTPException(403)
        actor = Actor(ctx.user, ctx.user.email) if ctx.user else Actor(None, "anonymous")
        with (
            acting_as(actor),
            events.collecting(state.host) as emitted,
            jobs.deferring() as queued,
        ):
            if request.method in SAFE_METHODS:
                response = page.endpoint(request)
            else:
                _check_csrf(state, request, form_token)
                response = _run_once(request, page)
        # Only now has the view's transaction committed: a worker finds what it saved.
        events.deliver(state.host, emitted)
        jobs.release(queued)
        return response

    def in_thread(request: Request, form_token: str | None) -> Response:
        try:
            with database.connection_context():
                return handle(request, form_token)
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            # The connection is closed by now whatever happened: ask the error, not the pool.
            if is_unreachable(exc):
                raise DatabaseUnavailable(str(exc)) from exc
            raise

    limit = inputs.body_limit(state.settings, uploads=page.uploads)

    async def endpoint(request: Request) -> Response:
        form_token = None
        form = None
        inputs.clean_query(request.scope)
        if "\x00" in request.url.path:
            raise HTTPException(404)
        if request.method not in SAFE_METHODS:
            if page.scope != "public" and sessions.COOKIE not in request.cookies:
                return _login_redirect(request)  # nobody signed in: the body is not read
            # Parsed here, on the event loop; views read it with ``accord.form_data``.
            form = await inputs.read_form(request, limit, uploads=page.uploads)
            request.state.form = form
            value = form.get("csrf_token")
            form_token = value if isinstance(value, str) else None
        try:
            response: Response = await run_in_threadpool(in_thread, request, form_token)
        finally:
            if form is not None:  # uploaded files' temporary files, however the view ended
                await form.close()
        if sessions.ANON_COOKIE not in request.cookies and getattr(
            request.state, "anon_token", None
        ):
            response.set_cookie(
                sessions.ANON_COOKIE,
                request.state.anon_token,
                httponly=True,
                samesite="lax",
                secure=state.secure_cookies,
            )
        return response

    return endpoint


def build_routes(state: AppState) -> list[Route]:
    routes: list[Route] = []
    for plugin_id, pages in state.host.impls_by_plugin("register_routes"):
        for page in pages:
            path = f"/o/{{org}}/{plugin_id}{page.path}" if page.scope == "org" else page.path
            if page.bare and page.scope != "public":
                raise ValueError(f"{plugin_id}:{page.name}: only a public page can be bare")
            routes.append(
                Route(
                    path,
                    page.endpoint if page.bare else guard(state, plugin_id, page),
                    methods=list(page.methods),
                    name=f"{plugin_id}:{page.name}",
                )
            )
    return routes
