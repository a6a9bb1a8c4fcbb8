"""Incidents elsewhere: the dashboard, the global search, contacts' and the catalogue's pages."""

from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup

from accord import RequestContext, SearchResult, TimelineEntry, Widget, render_to_string, utcnow
from accord.plugins.contacts.health import HealthFactor
from accord.plugins.contacts.models import CustomerOrganisation, Person

from .choices import OPEN
from .models import Incident
from .queues import breaching_soon, counts

REFERENCE = re.compile(r"^(?:inc)?[-\s]?0*(\d{1,9})$", re.IGNORECASE)
SHOWN = 5


def dashboard_widget(ctx: RequestContext) -> Widget:
    html = render_to_string(ctx.request, "incidents/_widget.html", {"counts": counts(ctx)})
    return Widget(title="Incidents", html=html, order=10)


def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    """An incident by its reference (``INC-000123``, ``123``), by words of its title, or by
    its reporter (``people_search.py``)."""
    base = Incident.in_org(ctx.org)
    match = REFERENCE.match(query.strip())
    found: list[tuple[float, Incident]] = []
    if match:
        exact = base.where(Incident.number == int(match.group(1))).first()
        if exact is not None:
            found.append((5.0, exact))
    words = query.split()[:6]
    if words:
        rows = base
        for word in words:
            rows = rows.where(Incident.title.contains(word))
        for incident in rows.order_by(Incident.created_at.desc()).limit(limit):
            if all(incident.id != f.id for _, f in found):
                found.append((2.0 if incident.is_open else 1.0, incident))
    results = [
        SearchResult(
            title=f"{i.reference} {i.title}",
            url=ctx.url("incidents:detail", pk=i.id),
            kind=f"Incident · {i.status_label} · {i.priority_label}",
            snippet=i.description[:160],
            score=score,
        )
        for score, i in found[:limit]
    ]
    # And the incidents of the people the query names (their name, email or phone).
    from .people_search import reported_by

    shown = {r.url for r in results}
    results += [r for r in reported_by(ctx, query, limit) if r.url not in shown]
    return results[:limit]


def _entries(ctx: RequestContext, query, limit: int) -> list[TimelineEntry]:
    rows = query.order_by(Incident.created_at.desc()).limit(limit)
    return [
        TimelineEntry(
            i.created_at,
            "Service desk",
            "incident",
            Markup('<a href="{}">{}</a> {} <span class="badge {}">{}</span>').format(
                ctx.url("incidents:detail", pk=i.id),
                i.reference,
                i.title,
                i.status_badge,
                i.status_label,
            ),
        )
        for i in rows
    ]


def person_entries(ctx: RequestContext, person: Person, limit: int) -> list[TimelineEntry]:
    return _entries(ctx, Incident.in_org(ctx.org).where(Incident.reporter == person.id), limit)


def organisation_entries(
    ctx: RequestContext, organisation: CustomerOrganisation, limit: int
) -> list[TimelineEntry]:
    query = Incident.in_org(ctx.org).where(Incident.customer == organisation.id)
    return _entries(ctx, query, limit)


def person_side(ctx: RequestContext, person: Person) -> str:
    mine = Incident.in_org(ctx.org).where(Incident.reporter == person.id)
    return render_to_string(
        ctx.request,
        "incidents/_person_side.html",
        {
            "person": person,
            "open": list(
                mine.where(Incident.status.in_(OPEN))
                .order_by(Incident.created_at.desc())
                .limit(SHOWN)
            ),
            "total": mine.count(),
            "can_log": ctx.can("incidents.work"),
        },
    )


def organisation_side(ctx: RequestContext, organisation: CustomerOrganisation) -> str:
    theirs = Incident.in_org(ctx.org).where(Incident.customer == organisation.id)
    open_ = theirs.where(Incident.status.in_(OPEN))
    return render_to_string(
        ctx.request,
        "incidents/_organisation_side.html",
        {
            "organisation": organisation,
            "open": list(open_.order_by(Incident.created_at.desc()).limit(SHOWN)),
            "open_count": open_.count(),
            "total": theirs.count(),
        },
    )


def log_for_person(ctx: RequestContext, person: Person) -> str:
    url = ctx.url("incidents:new") + f"?reporter={person.id}"
    return Markup('<a class="btn btn-secondary" href="{}">Log incident</a>').format(url)


def service_side(ctx: RequestContext, service) -> str:
    base = Incident.in_org(ctx.org).where(Incident.service == service.id)
    open_ = base.where(Incident.status.in_(OPEN))
    return render_to_string(
        ctx.request,
        "incidents/_service_side.html",
        {
            "service": service,
            "open": open_.count(),
            "breaching": base.where(breaching_soon()).count(),
            "breached": open_.where(
                Incident.resolution_breached | Incident.response_breached
            ).count(),
        },
    )


# --- Relationship health (contacts) --------------------------------------------------------------

HEALTH_DAYS = 90


def sla_health(
    ctx: RequestContext, customer: CustomerOrganisation, now: dt.datetime | None = None
) -> list[HealthFactor]:
    """SLA compliance of a customer organisation's incidents logged in the last 90 days."""
    now = now or utcnow()
    recent = Incident.in_org(ctx.org).where(
        (Incident.customer == customer.id)
        & (Incident.created_at >= now - dt.timedelta(days=HEALTH_DAYS))
        & Incident.has_target
    )
    total = recent.count()
    if not total:
        return []
    running_late = Incident.status.in_(("new", "assigned", "in_progress")) & (Incident.due_at < now)
    breached = recent.where(
        Incident.response_breached | Incident.resolution_breached | running_late
    ).count()
    within = total - breached
    detail = (
        f"{within} of {total} incident{'s' if total != 1 else ''} logged in the last "
        f"{HEALTH_DAYS} days within their SLA" + (f"; {breached} breached" if breached else "")
    )
    return [HealthFactor("SLA compliance", round(100 * within / total), weight=2.0, detail=detail)]
