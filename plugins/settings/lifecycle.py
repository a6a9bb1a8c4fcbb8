"""Purging a disabled plugin's data from the organisation, after a dry run."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from accord import flash, redirect, render
from accord.lifecycle import LifecycleError, describe, purge_refusal
from accord.lifecycle import purge as purge_plugin


def purge(request: Request) -> Response:
    """GET: the rows per table that would go, and the button. POST: delete them."""
    host = request.app.state.accord.host
    plugin_id = request.path_params["plugin"]
    if plugin_id not in host.optional():
        raise HTTPException(404)
    ctx = request.state.ctx
    manifest = host.manifest(plugin_id)
    if request.method == "POST":
        try:
            counts = purge_plugin(host, ctx.org, plugin_id, dry_run=False)
        except LifecycleError as exc:
            flash(request, f"{manifest.title}'s data was not purged: {exc}.", "error")
        else:
            flash(request, f"Purged {manifest.title} from {ctx.org.name}: {describe(counts)}.")
        return redirect(request, ctx.url("settings:plugins"))
    try:
        counts = purge_plugin(host, ctx.org, plugin_id, dry_run=True)
        refusal = purge_refusal(host, ctx.org, plugin_id)
    except LifecycleError as exc:  # its tables are not all its own: nothing is counted
        counts, refusal = {}, str(exc)
    context = {
        "manifest": manifest,
        "counts": counts,
        "total": sum(counts.values()),
        "refusal": refusal,
        "title": f"Purge {manifest.title}",
    }
    return render(request, "settings/purge.html", context)
