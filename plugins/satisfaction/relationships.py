"""Satisfaction in contacts' shared work: people merged, and a customer's relationship health."""

from __future__ import annotations

import datetime as dt

from peewee import fn

from accord import Organisation, RequestContext, utcnow
from accord.plugins.contacts.health import HealthFactor
from accord.plugins.contacts.models import CustomerOrganisation, Person
from accord.plugins.incidents.models import Incident

from .models import Survey

HEALTH_DAYS = 180


def merge_people(org: Organisation, survivor: Person, duplicate: Person) -> dict[str, int]:
    moved = (
        Survey.update(person=survivor.id)
        .where((Survey.org == org.id) & (Survey.person == duplicate.id))
        .execute()
    )
    return {"satisfaction surveys": moved}


def health(
    ctx: RequestContext, customer: CustomerOrganisation, now: dt.datetime | None = None
) -> list[HealthFactor]:
    """The customer's reporters' average score in the last six months, 1 → 0 and 5 → 100."""
    since = (now or utcnow()) - dt.timedelta(days=HEALTH_DAYS)
    count, average = (
        Survey.in_org(ctx.org, fn.COUNT(Survey.id), fn.AVG(Survey.score))
        .join(Incident, on=(Survey.incident == Incident.id))
        .where(
            (Incident.customer == customer.id)
            & (Survey.answered_at >= since)
            & Survey.score.is_null(False)
        )
        .tuples()
        .get()
    )
    if not count:
        return []
    average = float(average)
    answers = f"{count} answer{'s' if count != 1 else ''}"
    detail = f"Average {average:.1f} of 5 from {answers} in the last six months"
    return [HealthFactor("Satisfaction", round((average - 1) * 25), weight=1.5, detail=detail)]
