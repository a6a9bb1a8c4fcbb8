"""Problems in the global search through the people whose incidents they caused.

"Linked to INC-000123, reported by Priya Raman": the people come from
contacts' published ``matching_people`` (name, any email address or phone
number, typos in the name). Problems depend on incidents, which depend on
contacts; the search still checks contacts is on, and returns nothing if not.
"""

from __future__ import annotations

from accord import RequestContext, SearchResult

from .models import Problem, ProblemIncident

MAX_PEOPLE = 10
SCORE = 0.9  # below the person, their incidents and words of a problem


def linked_to_incidents_of(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    """Problems linked to incidents reported by the people matching ``query``."""
    if "contacts" not in ctx.enabled or "incidents" not in ctx.enabled:
        return []
    from accord.plugins.contacts.api import matching_people
    from accord.plugins.incidents.models import Incident

    people = {m.id: m.name for m in matching_people(ctx.org, query, limit=MAX_PEOPLE)}
    if not people:
        return []
    links = (
        ProblemIncident.in_org(ctx.org)
        .select(ProblemIncident.problem, Incident.reference, Incident.reporter)
        .join(Incident, on=(ProblemIncident.incident == Incident.id))
        .where(Incident.reporter.in_(list(people)) & (Incident.org == ctx.org))
        .order_by(Incident.created_at.desc(), Incident.id.desc())
        .limit(limit * 5)
    )
    why: dict[int, str] = {}
    for link in links:
        why.setdefault(
            link.problem_id,
            f"Linked to {link.incident.reference}, reported by {people[link.incident.reporter_id]}",
        )
    problems = Problem.in_org(ctx.org).where(Problem.id.in_(list(why) or [0]))
    found = sorted(problems, key=lambda p: list(why).index(p.id))[:limit]
    return [
        SearchResult(
            title=f"{p.reference} {p.title}",
            url=ctx.url("problems:detail", pk=p.id),
            kind="Known error" if p.status == "known_error" else f"Problem · {p.status_label}",
            snippet=why[p.id],
            score=SCORE,
        )
        for p in found
    ]
