"""Dashboard and global search pages."""

from __future__ import annotations

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response

from accord import (
    RequestContext,
    SearchResult,
    Widget,
    flash,
    plugin_settings,
    redirect,
    render,
)
from accord.models import Membership

from . import setup

SEARCH_LIMIT = 10


def organisation_widget(ctx: RequestContext) -> Widget:
    members = Membership.select().where(Membership.org == ctx.org).count()
    optional = len(ctx.enabled - ctx.request.app.state.accord.host.always_on)
    html = Markup(
        '<div class="cluster"><div class="stat">{}<span class="stat-label">{}</span></div>'
        '<div class="stat">{}<span class="stat-label">{}</span></div></div>'
        '<p class="muted">You are signed in as {} ({}).</p>'
    ).format(
        members,
        "member" if members == 1 else "members",
        optional,
        "plugin enabled" if optional == 1 else "plugins enabled",
        escape(ctx.user.name),
        escape(ctx.role),
    )
    return Widget(title=str(ctx.org.name), html=html, order=0)


def index(request: Request) -> Response:
    ctx = request.state.ctx
    widgets = [w for batch in ctx.hooks.register_dashboard_widgets(ctx=ctx) for w in batch or []]
    widgets.sort(key=lambda w: (w.order, w.title))
    context = {"widgets": widgets, "title": "Dashboard", "checklist": setup.checklist(ctx)}
    return render(request, "dashboard/index.html", context)


def hide_getting_started(request: Request) -> Response:
    """Hide the Getting started card for the whole organisation (a setting of this plugin)."""
    ctx = request.state.ctx
    state = request.app.state.accord
    manifest = state.host.manifest("dashboard")
    plugin_settings.save(state.settings.secret_key, manifest, ctx.org, {setup.HIDE: True})
    flash(
        request,
        "The Getting started card is hidden for everyone. "
        "Settings › Plugins › Dashboard shows it again.",
    )
    return redirect(request, ctx.url("dashboard:index"))


def search(request: Request) -> Response:
    ctx = request.state.ctx
    query = request.query_params.get("q", "").strip()[:200]
    results: list[SearchResult] = []
    if query:
        batches = ctx.hooks.search(ctx=ctx, query=query, limit=SEARCH_LIMIT)
        results = [r for batch in batches for r in batch or []]
        results.sort(key=lambda r: -r.score)
    return render(
        request,
        "dashboard/search.html",
        {"query": query, "results": results, "title": "Search"},
        block="results",
    )
