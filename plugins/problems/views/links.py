"""Linking incidents to problems: from the problem's page, and from the incident's."""

from __future__ import annotations

import re
from typing import Any

from accord import Organisation, Request, Response, flash, form_data, redirect, render
from accord.inputs import integer
from accord.plugins.incidents.models import Incident

from .. import records
from ..choices import OPEN
from ..models import Problem, ProblemIncident
from .shared import incident_or_404, problem_or_404

REFERENCE = re.compile(r"^(?:prb)?[-\s]?0*(\d{1,9})$", re.IGNORECASE)
OFFERED = 8


def link_incident(request: Request) -> Response:
    """Link the incident chosen on the problem's page (``incident`` is its id)."""
    ctx = request.state.ctx
    problem = problem_or_404(request)
    raw = form_data(request).get("incident", "")
    back = ctx.url("problems:detail", pk=problem.id)
    incident = (
        Incident.in_org(ctx.org).where(Incident.id == integer(raw)).first()
        if integer(raw) is not None
        else None
    )
    if incident is None:
        flash(request, "Choose an incident of this organisation to link.", "error")
        return redirect(request, back)
    if records.link(problem, incident, user=ctx.user):
        flash(request, f"{incident.reference} is linked to {problem.reference}.")
    return redirect(request, back)


def unlink_incident(request: Request) -> Response:
    ctx = request.state.ctx
    problem = problem_or_404(request)
    incident = incident_or_404(request)
    if records.unlink(problem, incident, user=ctx.user):
        flash(request, f"{incident.reference} is no longer linked to {problem.reference}.")
    back = form_data(request).get("back", "")
    return redirect(
        request,
        back
        if back.startswith(f"/o/{ctx.org.slug}/")
        else ctx.url("problems:detail", pk=problem.id),
    )


def find_problem(org: Organisation, text: str) -> Problem | None:
    """A problem of ``org`` by its reference (``PRB-0007``, ``7``)."""
    match = REFERENCE.match(text.strip())
    if not match:
        return None
    return Problem.in_org(org).where(Problem.number == int(match.group(1))).first()


def offered_problems(incident: Incident) -> list[Problem]:
    """Open problems worth linking ``incident`` to: its service's first, then the rest."""
    linked = ProblemIncident.select(ProblemIncident.problem).where(
        (ProblemIncident.org == incident.org_id) & (ProblemIncident.incident == incident.id)
    )
    # The open problems, newest change first: sorted here, since ordering in SQL lets a
    # planner walk every problem by update time, closed ones and all, to spare the sort.
    rows = Problem.in_org(incident.org_id).where(
        Problem.status.in_(OPEN) & Problem.id.not_in(linked)
    )

    def newest(query: Any) -> list[Problem]:
        return sorted(query, key=lambda p: (p.updated_at, p.id), reverse=True)[:OFFERED]

    if incident.service_id:
        same = newest(rows.where(Problem.service == incident.service_id))
        if same:
            return same
    return newest(rows)


def link_from_incident(request: Request) -> Response:
    """Link an incident to a problem named by its reference, or picked from open problems."""
    ctx = request.state.ctx
    incident = incident_or_404(request, "pk")
    back = ctx.url("incidents:detail", pk=incident.id)
    context = {
        "title": f"Link {incident.reference} to a problem",
        "incident": incident,
        "offered": offered_problems(incident),
        "value": "",
        "error": "",
        "back": back,
    }
    if request.method == "GET":
        return render(request, "problems/link_incident.html", context)
    data = form_data(request)
    value = (data.get("problem") or "").strip()[:40]
    problem = find_problem(ctx.org, value) if value else None
    if problem is None:
        context["value"] = value
        context["error"] = (
            f"No problem {value} here: enter a reference like PRB-0007."
            if value
            else "Enter the problem's reference, like PRB-0007, or pick one below."
        )
        return render(request, "problems/link_incident.html", context, status_code=422)
    if records.link(problem, incident, user=ctx.user):
        flash(request, f"{incident.reference} is linked to {problem.reference}.")
    else:
        flash(request, f"{incident.reference} was already linked to {problem.reference}.")
    return redirect(request, back)
