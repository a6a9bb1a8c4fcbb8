"""Problems elsewhere: the global search, incidents' log form and page, a service's page."""

from __future__ import annotations

import re
from typing import Any

from accord import RequestContext, SearchResult, Widget, render_to_string
from accord.plugins.incidents.models import Incident

from . import known_errors
from .choices import OPEN
from .models import Problem, ProblemIncident, Proposal
from .views.links import offered_problems
from .views.shared import WORK

REFERENCE = re.compile(r"^(?:prb)?[-\s]?0*(\d{1,9})$", re.IGNORECASE)
SHOWN = 5


def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    """A problem by its reference (``PRB-0012``), problems and known errors by their words, or
    by the people whose incidents they caused (``people_search.py``)."""
    base = Problem.in_org(ctx.org)
    found: list[tuple[float, Problem]] = []
    match = REFERENCE.match(query.strip())
    if match and query.strip().lower().startswith("prb"):
        exact = base.where(Problem.number == int(match.group(1))).first()
        if exact is not None:
            found.append((5.0, exact))
    words = query.split()[:6]
    rows = base
    for word in words:
        rows = rows.where(
            Problem.title.contains(word)
            | Problem.symptoms.contains(word)
            | Problem.workaround.contains(word)
        )
    for problem in rows.order_by(Problem.updated_at.desc()).limit(limit):
        if all(problem.id != f.id for _, f in found):
            # Known errors first: they carry a workaround the searcher can use now.
            found.append((2.5 if problem.status == "known_error" else 1.5, problem))
    results = [
        SearchResult(
            title=f"{p.reference} {p.title}",
            url=ctx.url("problems:detail", pk=p.id),
            kind="Known error" if p.status == "known_error" else f"Problem · {p.status_label}",
            snippet=(f"Workaround: {p.workaround}" if p.workaround else p.symptoms)[:160],
            score=score,
        )
        for score, p in found[:limit]
    ]
    # And the problems behind the incidents of the people the query names.
    from .people_search import linked_to_incidents_of

    shown = {r.url for r in results}
    results += [r for r in linked_to_incidents_of(ctx, query, limit) if r.url not in shown]
    return results[:limit]


def suggestions(ctx: RequestContext, service: Any, text: str) -> str | None:
    found = known_errors.suggest(ctx.org, service, text)
    if not found:
        return None
    return render_to_string(ctx.request, "problems/_suggestions.html", {"known_errors": found})


def incident_side(ctx: RequestContext, incident: Incident) -> str:
    # Led by the incident's links; sorted here, since ordering in SQL would let a
    # planner walk every problem by number to spare sorting these few.
    problems = sorted(
        Problem.within_org(ctx.org)
        .join(ProblemIncident, on=(ProblemIncident.problem == Problem.id))
        .where((ProblemIncident.org == ctx.org) & (ProblemIncident.incident == incident.id)),
        key=lambda p: p.number,
    )
    can_work = ctx.can(WORK)
    return render_to_string(
        ctx.request,
        "problems/_incident_side.html",
        {
            "incident": incident,
            "problems": problems,
            "can_work": can_work,
            "offered": offered_problems(incident)[:3] if can_work and not problems else [],
        },
    )


def service_side(ctx: RequestContext, service: Any) -> str:
    open_ = Problem.in_org(ctx.org).where(
        (Problem.service == service.id) & Problem.status.in_(OPEN)
    )
    return render_to_string(
        ctx.request,
        "problems/_service_side.html",
        {
            "service": service,
            "problems": list(open_.order_by(Problem.priority, Problem.number.desc()).limit(SHOWN)),
            "count": open_.count(),
        },
    )


def dashboard_widget(ctx: RequestContext) -> Widget:
    base = Problem.in_org(ctx.org)
    counts = {
        "open": base.where(Problem.status.in_(OPEN)).count(),
        "known_errors": base.where(Problem.status == "known_error").count(),
        "proposed": Proposal.in_org(ctx.org).where(Proposal.status == "proposed").count(),
    }
    html = render_to_string(ctx.request, "problems/_widget.html", {"counts": counts})
    return Widget(title="Problems", html=html, order=15)
