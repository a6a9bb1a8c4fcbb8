"""Watching an incident: watch, stop watching, add a colleague (members only)."""

from __future__ import annotations

from accord import Request, Response, flash, form_data, members_of, redirect

from .. import watching
from .detail import detail_page
from .shared import incident_or_404


def watch(request: Request) -> Response:
    ctx = request.state.ctx
    incident = incident_or_404(request)
    watching.watch(incident, ctx.user)
    flash(request, f"You are watching {incident.reference}: its changes show under the bell.")
    return redirect(request, ctx.url("incidents:detail", pk=incident.id) + "#watchers")


def unwatch(request: Request) -> Response:
    ctx = request.state.ctx
    incident = incident_or_404(request)
    watching.unwatch(incident, ctx.user)
    flash(request, f"You no longer watch {incident.reference}.")
    return redirect(request, ctx.url("incidents:detail", pk=incident.id) + "#watchers")


def add(request: Request) -> Response:
    """Add a colleague as a watcher: someone who may see incidents in this organisation."""
    ctx = request.state.ctx
    incident = incident_or_404(request)
    chosen = str(form_data(request).get("user") or "")
    colleague = next((m for m in members_of(ctx.org) if str(m.id) == chosen), None)
    if colleague is None:
        error = (
            "Choose a colleague from the list."
            if not chosen
            else "Choose a member of this organisation."
        )
        return detail_page(request, incident, watcher_error=error, status_code=422)
    if watching.watch(incident, colleague):
        flash(request, f"{colleague.name} now watches {incident.reference}.")
    else:
        flash(request, f"{colleague.name} already watches {incident.reference}.")
    return redirect(request, ctx.url("incidents:detail", pk=incident.id) + "#watchers")
