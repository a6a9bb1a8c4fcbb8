"""Plugin administration and the audit log."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from accord import flash, redirect, render
from accord.enablement import EnablementError, disable as disable_plugin, enable as enable_plugin
from accord.models import AuditEntry

AUDIT_PAGE_SIZE = 50


def _host(request: Request):
    return request.app.state.accord.host


def plugin_list(request: Request) -> Response:
    ctx = request.state.ctx
    host = _host(request)
    rows = [
        {
            "manifest": host.manifest(pid),
            "enabled": pid in ctx.enabled,
            "dependents": [d for d in host.dependents(pid) if d in ctx.enabled],
            "source": host.plugins[pid].source,
        }
        for pid in host.optional()
    ]
    return render(
        request,
        "settings/plugins.html",
        {"rows": rows, "quarantined": host.quarantined(), "title": "Plugins"},
        block="plugin_table",
    )


def _optional_plugin(request: Request) -> str:
    plugin_id = request.path_params["plugin"]
    if plugin_id not in _host(request).optional():
        raise HTTPException(404)
    return plugin_id


def enable(request: Request) -> Response:
    plugin_id = _optional_plugin(request)
    ctx = request.state.ctx
    added = enable_plugin(_host(request), ctx.org, plugin_id)
    extra = [pid for pid in added if pid != plugin_id]
    message = f"{_host(request).manifest(plugin_id).title} is enabled."
    if extra:
        message += f" Also enabled, because it needs them: {', '.join(extra)}."
    flash(request, message)
    return redirect(request, ctx.url("settings:plugins"))


def disable(request: Request) -> Response:
    plugin_id = _optional_plugin(request)
    ctx = request.state.ctx
    host = _host(request)
    manifest = host.manifest(plugin_id)
    if request.method == "GET":
        return render(request, "settings/disable.html", {"manifest": manifest, "title": "Disable plugin"})
    try:
        disable_plugin(host, ctx.org, plugin_id)
    except EnablementError as exc:
        flash(request, f"{manifest.title} was not disabled: {exc}.", "error")
    else:
        flash(request, f"{manifest.title} is disabled. Its data is kept and returns when you enable it again.")
    return redirect(request, ctx.url("settings:plugins"))


def audit_log(request: Request) -> Response:
    ctx = request.state.ctx
    params = request.query_params
    filters = {key: params.get(key, "").strip() for key in ("plugin", "action", "actor")}
    query = AuditEntry.select().where(AuditEntry.org == ctx.org)
    if filters["plugin"]:
        query = query.where(AuditEntry.plugin == filters["plugin"])
    if filters["action"]:
        query = query.where(AuditEntry.action == filters["action"])
    if filters["actor"]:
        query = query.where(AuditEntry.actor_label.contains(filters["actor"]))
    before = params.get("before", "")
    if before.isdigit():
        query = query.where(AuditEntry.id < int(before))
    # Keyset pagination: one row more than a page tells whether there is a next page.
    entries = list(query.order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE_SIZE + 1))
    has_more = len(entries) > AUDIT_PAGE_SIZE
    entries = entries[:AUDIT_PAGE_SIZE]
    next_params = None
    if has_more:
        next_params = {**{k: v for k, v in filters.items() if v}, "before": entries[-1].id}
    return render(
        request,
        "settings/audit.html",
        {"entries": entries, "filters": filters, "next_params": next_params, "title": "Audit log"},
        block="audit_rows",
    )
