"""Complaints in the global search by who made them: "complaint from Priya Raman".

The people come from contacts' published ``matching_people`` (name, any email
address or phone number, typos in the name).
"""

from __future__ import annotations

from accord import RequestContext, SearchResult
from accord.plugins.contacts.api import matching_people

from .models import Complaint

MAX_PEOPLE = 10
OPEN_SCORE, CLOSED_SCORE = 1.2, 0.8  # below the person themselves and exact references


def made_by(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    """The complaints of the people matching ``query``, newest first, saying whose they are."""
    people = {m.id: m.name for m in matching_people(ctx.org, query, limit=MAX_PEOPLE)}
    if not people:
        return []
    complaints = (
        Complaint.in_org(ctx.org)
        .where(Complaint.person.in_(list(people)))
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(limit)
    )
    return [
        SearchResult(
            title=f"{c.reference} {c.summary}",
            url=ctx.url("complaints:detail", pk=c.id),
            kind=f"Complaint · {c.status_label} · {c.cause_label}",
            snippet=f"Complaint from {people[c.person_id]}",
            score=OPEN_SCORE if c.is_open else CLOSED_SCORE,
        )
        for c in complaints
    ]
