"""Incidents in the global search by who reported them: "reported by Priya Raman".

The people come from contacts' published ``matching_people`` (name, any email
address or phone number, typos in the name), so searching a person finds
their incidents too.
"""

from __future__ import annotations

from accord import RequestContext, SearchResult
from accord.plugins.contacts.api import matching_people

from .models import Incident

MAX_PEOPLE = 10
OPEN_SCORE, CLOSED_SCORE = 1.2, 0.8  # below the person themselves and exact references


def reported_by(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    """The incidents of the people matching ``query``, newest first, saying who reported them."""
    people = {m.id: m.name for m in matching_people(ctx.org, query, limit=MAX_PEOPLE)}
    if not people:
        return []
    incidents = (
        Incident.in_org(ctx.org)
        .where(Incident.reporter.in_(list(people)))
        .order_by(Incident.created_at.desc(), Incident.id.desc())
        .limit(limit)
    )
    return [
        SearchResult(
            title=f"{i.reference} {i.title}",
            url=ctx.url("incidents:detail", pk=i.id),
            kind=f"Incident · {i.status_label} · {i.priority_label}",
            snippet=f"Reported by {people[i.reporter_id]}",
            score=OPEN_SCORE if i.is_open else CLOSED_SCORE,
        )
        for i in incidents
    ]
