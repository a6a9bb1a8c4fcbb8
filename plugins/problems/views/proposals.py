"""Proposed problems: the detector's groups of similar incidents, to accept or dismiss."""

from __future__ import annotations

from accord import HTTPException, Request, Response, flash, get_or_404, redirect, render
from accord.plugins.catalogue.models import Service
from accord.plugins.incidents.models import Incident

from .. import proposals
from ..models import Proposal
from ..settings import detector_settings
from .shared import MANAGE, WORK

SHOWN = 50


def proposal_list(request: Request) -> Response:
    ctx = request.state.ctx
    rows = list(
        Proposal.in_org(ctx.org)
        .where(Proposal.status == "proposed")
        # Newest run first; within a run, the detector stored the largest groups first.
        .order_by(Proposal.created_at.desc(), Proposal.id)
        .limit(SHOWN)
    )
    ids = {i for p in rows for i in p.incident_ids}
    incidents = {i.id: i for i in Incident.in_org(ctx.org).where(Incident.id.in_(list(ids)))}
    service_ids = {p.service_id for p in rows if p.service_id}
    names = {s.id: s.name for s in Service.in_org(ctx.org).where(Service.id.in_(list(service_ids)))}
    groups = [
        {
            "proposal": p,
            "service": names.get(p.service_id, ""),
            "incidents": [incidents[i] for i in p.incident_ids if i in incidents],
        }
        for p in rows
    ]
    context = {
        "title": "Proposed problems",
        "groups": groups,
        "settings": detector_settings(ctx.org),
        "can_work": ctx.can(WORK),
        "can_manage": ctx.can(MANAGE),
    }
    return render(request, "problems/proposals.html", context)


def run_now(request: Request) -> Response:
    ctx = request.state.ctx
    found = proposals.refresh(ctx.org)
    flash(
        request,
        f"{len(found)} group{'s' if len(found) != 1 else ''} of recurring incidents proposed."
        if found
        else "No recurring incidents found.",
    )
    return redirect(request, ctx.url("problems:proposals"))


def _undecided(request: Request) -> Proposal:
    proposal = get_or_404(Proposal, request, request.path_params["pk"])
    if proposal.status != "proposed":
        raise HTTPException(404)
    return proposal


def accept(request: Request) -> Response:
    ctx = request.state.ctx
    problem = proposals.accept(_undecided(request), user=ctx.user)
    flash(request, f"{problem.reference} is recorded with its incidents linked.")
    return redirect(request, ctx.url("problems:detail", pk=problem.id))


def dismiss(request: Request) -> Response:
    ctx = request.state.ctx
    proposals.dismiss(_undecided(request), user=ctx.user)
    flash(request, "Dismissed: these incidents will not be proposed together again.")
    return redirect(request, ctx.url("problems:proposals"))
