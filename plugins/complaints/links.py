"""Complaints in contacts' shared work: people merged, and a customer's relationship health."""

from __future__ import annotations

import datetime as dt

from accord import Organisation, RequestContext, utcnow
from accord.plugins.contacts.health import HealthFactor
from accord.plugins.contacts.models import CustomerOrganisation, Person

from .models import Complaint

HEALTH_DAYS = 180
OPEN = ("received", "acknowledged", "investigating")


def merge_people(org: Organisation, survivor: Person, duplicate: Person) -> dict[str, int]:
    moved = (
        Complaint.update(person=survivor.id)
        .where((Complaint.org == org.id) & (Complaint.person == duplicate.id))
        .execute()
    )
    return {"complaints": moved}


def health(
    ctx: RequestContext, customer: CustomerOrganisation, now: dt.datetime | None = None
) -> list[HealthFactor]:
    """Complaints from the customer in the last six months: none is healthy, each costs."""
    since = (now or utcnow()) - dt.timedelta(days=HEALTH_DAYS)
    recent = Complaint.in_org(ctx.org).where(
        (Complaint.customer == customer.id) & (Complaint.received_at >= since)
    )
    total = recent.count()
    still_open = recent.where(Complaint.status.in_(OPEN)).count()
    # One complaint in six months is a warning; four or more put the relationship at risk.
    score = max(0, 100 - 25 * total - 10 * still_open)
    if total:
        detail = f"{total} complaint{'s' if total != 1 else ''} in the last six months"
        detail += f", {still_open} still open" if still_open else ", all answered"
    else:
        detail = "No complaints in the last six months"
    return [HealthFactor("Complaints", score, weight=1.5, detail=detail)]
