"""Running the detector for an organisation and deciding on what it proposes.

The detector sees the incidents logged in the window that no problem holds
yet. Each group becomes a proposal; a proposal still undecided is refreshed
(the same incidents keep the same proposal, a group that changed replaces
it), and a group within one that was dismissed is not proposed again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter as Tally

import peewee

from accord import Organisation, User, database, utcnow
from accord.plugins.incidents.models import Incident

from . import records
from .detector import Group, IncidentText, find_groups, similarity
from .models import Problem, ProblemIncident, Proposal
from .settings import detector_settings

DESCRIPTION_CHARS = 1000


def recent_incidents(
    org: Organisation, since: dt.datetime, *, of: Problem | None = None
) -> list[IncidentText]:
    """Incidents logged since ``since`` that are not linked to a problem (of ``of``'s kind)."""
    linked = ProblemIncident.select(ProblemIncident.incident).where(ProblemIncident.org == org)
    rows = (
        Incident.in_org(
            org,
            Incident.id,
            Incident.service,
            Incident.category,
            Incident.title,
            Incident.description,
            Incident.created_at,
        )
        .where((Incident.created_at >= since) & Incident.id.not_in(linked))
        .order_by(Incident.created_at)
    )
    if of is not None:
        same_service = (
            Incident.service.is_null()
            if of.service_id is None
            else Incident.service == of.service_id
        )
        rows = rows.where(same_service & (Incident.category == of.category))
    return [
        IncidentText(
            id=i.id,
            service_id=i.service_id,
            category=str(i.category),
            title=str(i.title),
            description=str(i.description)[:DESCRIPTION_CHARS],
            created_at=i.created_at,
        )
        for i in rows
    ]


def similar_incidents(problem: Problem, limit: int = 10) -> list[Incident]:
    """Recent unlinked incidents of the problem's service and category that read like it."""
    settings = detector_settings(problem.org)
    since = utcnow() - dt.timedelta(days=settings.window_days)
    about = [problem.title, f"{problem.title} {problem.symptoms}"]
    alike = [
        text.id
        for text in recent_incidents(problem.org, since, of=problem)
        if max(similarity(f"{text.title} {text.description}", a) for a in about)
        >= settings.similarity_threshold
    ]
    if not alike:
        return []
    rows = Incident.in_org(problem.org_id).where(Incident.id.in_(alike[-limit:]))
    return list(rows.order_by(Incident.created_at.desc()))


def _dismissed(org: Organisation) -> list[frozenset[int]]:
    rows = Proposal.in_org(org, Proposal.incident_ids).where(Proposal.status == "dismissed")
    return [frozenset(p.incident_ids) for p in rows]


def refresh(org: Organisation, now: dt.datetime | None = None) -> list[Proposal]:
    """Look for recurring incidents now; the organisation's undecided proposals afterwards."""
    now = now or utcnow()
    settings = detector_settings(org)
    since = now - dt.timedelta(days=settings.window_days)
    groups = find_groups(
        recent_incidents(org, since),
        threshold=settings.similarity_threshold,
        min_size=settings.min_group_size,
    )
    dismissed = _dismissed(org)
    wanted = {g.key: g for g in groups if not any(set(g.incident_ids) <= d for d in dismissed)}
    undecided = Proposal.in_org(org).where(Proposal.status == "proposed")
    for proposal in undecided:
        group = wanted.pop(proposal.incident_key, None)
        if group is None:
            proposal.delete_instance()
        elif group.similarity != proposal.similarity:
            proposal.similarity = group.similarity
            proposal.save()
    for group in wanted.values():
        propose(org, group, now)
    return list(undecided.order_by(Proposal.created_at.desc(), Proposal.id.desc()))


def propose(org: Organisation, group: Group, now: dt.datetime) -> Proposal | None:
    """Propose ``group``; None when another run proposed it meanwhile (it is done)."""
    try:
        with database.atomic():
            return Proposal.create(
                org=org,
                service=group.service_id,
                category=group.category,
                title=group.title[:200],
                incident_ids=sorted(group.incident_ids),
                incident_key=group.key,
                incident_digest=digest(group.key),
                similarity=group.similarity,
                created_at=now,
            )
    except peewee.IntegrityError:  # the undecided proposal's unique digest
        return None


def digest(incident_key: str) -> str:
    return hashlib.sha256(incident_key.encode()).hexdigest()


def incidents_of(proposal: Proposal) -> list[Incident]:
    return list(
        Incident.in_org(proposal.org_id)
        .where(Incident.id.in_(proposal.incident_ids))
        .order_by(Incident.created_at)
    )


def accept(proposal: Proposal, *, user: User | None, quiet: bool = False) -> Problem:
    """A new problem from ``proposal`` with its incidents (those that still exist) linked."""
    now = utcnow()
    incidents = incidents_of(proposal)
    priority = min((int(i.priority) for i in incidents), default=3)
    titles = Tally(str(i.title) for i in incidents)
    symptoms = "\n".join(f"{title} ({count}×)" for title, count in titles.most_common())
    problem = records.create(
        proposal.org,
        {
            "title": proposal.title,
            "service": proposal.service_id,
            "category": proposal.category,
            "priority": priority,
            "symptoms": f"Recurring incidents:\n{symptoms}",
            "owner": user,
        },
        user=user,
        now=now,
        quiet=quiet,
    )
    records.note(
        problem,
        "proposal",
        f"Proposed by the recurring-incident detector from {len(incidents)} similar incidents "
        f"(similarity {proposal.similarity}%).",
        user=user,
        at=now,
    )
    for incident in incidents:
        records.link(problem, incident, user=user, now=now, quiet=quiet)
    _decide(proposal, "accepted", user, now, problem)
    return problem


def dismiss(proposal: Proposal, *, user: User | None) -> None:
    _decide(proposal, "dismissed", user, utcnow(), None)


def _decide(
    proposal: Proposal, status: str, user: User | None, now: dt.datetime, problem: Problem | None
) -> None:
    proposal.status, proposal.decided_at, proposal.decided_by = status, now, user
    proposal.problem = problem
    proposal.save()
