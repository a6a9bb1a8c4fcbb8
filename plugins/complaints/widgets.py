"""Complaints elsewhere: contacts' pages and the global search."""

from __future__ import annotations

import re

from markupsafe import Markup

from accord import RequestContext, SearchResult, Widget, render_to_string, utcnow

from .choices import OPEN
from .models import Complaint

REFERENCE = re.compile(r"^(?:cmp)?[-\s]?0*(\d{1,9})$", re.IGNORECASE)
SHOWN = 5


def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    """A complaint by its reference (``CMP-0012``, ``12``), by words of its description, or by
    its complainant (``people_search.py``)."""
    base = Complaint.in_org(ctx.org)
    found: list[tuple[float, Complaint]] = []
    match = REFERENCE.match(query.strip())
    if match:
        exact = base.where(Complaint.number == int(match.group(1))).first()
        if exact is not None:
            found.append((5.0, exact))
    rows = base
    for word in query.split()[:6]:
        rows = rows.where(Complaint.description.contains(word))
    for complaint in rows.order_by(Complaint.received_at.desc()).limit(limit):
        if all(complaint.id != c.id for _, c in found):
            found.append((2.0 if complaint.is_open else 1.0, complaint))
    results = [
        SearchResult(
            title=f"{c.reference} {c.summary}",
            url=ctx.url("complaints:detail", pk=c.id),
            kind=f"Complaint · {c.status_label} · {c.cause_label}",
            snippet=str(c.description)[:160],
            score=score,
        )
        for score, c in found[:limit]
    ]
    # And the complaints of the people the query names (their name, email or phone).
    from .people_search import made_by

    shown = {r.url for r in results}
    results += [r for r in made_by(ctx, query, limit) if r.url not in shown]
    return results[:limit]


def _side(ctx: RequestContext, query, heading: str, new_url: str | None) -> str:
    open_ = query.where(Complaint.status.in_(OPEN))
    return render_to_string(
        ctx.request,
        "complaints/_side.html",
        {
            "heading": heading,
            # Sorted here: ordering in SQL lets a planner walk every complaint by
            # date to spare sorting the person's or customer's few open ones.
            "open": sorted(open_, key=lambda c: (c.received_at, c.id), reverse=True)[:SHOWN],
            "open_count": open_.count(),
            "total": query.count(),
            "new_url": new_url,
        },
    )


def person_side(ctx: RequestContext, person) -> str:
    query = Complaint.in_org(ctx.org).where(Complaint.person == person.id)
    can_log = ctx.can("complaints.work")
    return _side(ctx, query, "Complaints", _new_for(ctx, person) if can_log else None)


def organisation_side(ctx: RequestContext, organisation) -> str:
    query = Complaint.in_org(ctx.org).where(Complaint.customer == organisation.id)
    return _side(ctx, query, "Complaints", None)


def _new_for(ctx: RequestContext, person) -> str:
    return ctx.url("complaints:new") + f"?person={person.id}"


def log_for_person(ctx: RequestContext, person) -> str:
    return Markup('<a class="btn btn-secondary" href="{}">Log a complaint</a>').format(
        _new_for(ctx, person)
    )


def dashboard_widget(ctx: RequestContext) -> Widget:
    base = Complaint.in_org(ctx.org)
    counts = {
        "open": base.where(Complaint.status.in_(OPEN)).count(),
        "overdue": base.where(
            (Complaint.status == "received") & (Complaint.acknowledge_due < utcnow())
        ).count(),
    }
    html = render_to_string(ctx.request, "complaints/_widget.html", {"counts": counts})
    return Widget(title="Complaints", html=html, order=25)


def incident_side(ctx: RequestContext, incident) -> str:
    """Complaints about the incident, and a link to log one for its reporter."""
    about = Complaint.in_org(ctx.org).where(Complaint.incident_id == incident.id)
    new_url = None
    if ctx.can("complaints.work"):
        new_url = ctx.url("complaints:new") + f"?incident={incident.reference}"
        if incident.reporter_id:
            new_url += f"&person={incident.reporter_id}"
    # The incident's few complaints, sorted here: ordering in SQL lets a planner walk
    # every complaint by date to spare sorting these.
    complaints = sorted(about, key=lambda c: (c.received_at, c.id), reverse=True)
    return render_to_string(
        ctx.request,
        "complaints/_incident_side.html",
        {"complaints": complaints, "new_url": new_url},
    )
