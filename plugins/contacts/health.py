"""Relationship health: a score per customer organisation and stakeholder group.

The score is the weighted mean of factors, each 0–100 (100 = healthy). Contacts
contributes time since the last interaction and overdue engagement; other
plugins add factors (SLA compliance, satisfaction, complaints, campaign
engagement …) through the ``relationship_health_factors`` hook (see
``hookspecs.py``)::

    from accord.plugins.contacts.health import HealthFactor

    @hookimpl(optionalhook=True)
    def relationship_health_factors(ctx, subject):
        if not isinstance(subject, CustomerOrganisation):
            return []
        return [HealthFactor("SLA compliance", 92, weight=2.0, detail="46 of 50 met")]
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, replace
from typing import Any

from peewee import fn

from accord import RequestContext, utcnow

log = logging.getLogger("accord.plugins.contacts")


@dataclass(frozen=True)
class HealthFactor:
    """One thing that makes a relationship healthy or not.

    :param label: what is measured, shown as the factor's name ("SLA compliance").
    :param score: 0..100, 100 = healthy (values outside are clamped).
    :param weight: its weight in the weighted mean (0 leaves it out of the score).
    :param detail: the evidence in words ("3 of 40 incidents breached in 90 days").
    :param url: where the user sees the evidence, or None.
    """

    label: str
    score: int
    weight: float = 1.0
    detail: str = ""
    url: str | None = None


# Score bands: (lowest score, key, label).
BANDS = ((75, "healthy", "Healthy"), (50, "watch", "Watch"), (0, "at-risk", "At risk"))
# Contact within this many days is fully healthy; none for STALE_DAYS scores 0.
RECENT_DAYS, STALE_DAYS = 30, 180


@dataclass(frozen=True)
class Health:
    """A relationship's score (None when nothing is measured), its band and its factors."""

    score: int | None
    band: str
    band_label: str
    factors: list[HealthFactor]


def band(score: int | None) -> tuple[str, str]:
    if score is None:
        return "unknown", "Not measured"
    return next((key, label) for low, key, label in BANDS if score >= low)


def combine(factors: list[HealthFactor]) -> Health:
    """The weighted mean of ``factors`` (scores clamped to 0..100) and its band."""
    clamped = [replace(f, score=max(0, min(100, int(f.score)))) for f in factors]
    total = sum(f.weight for f in clamped if f.weight > 0)
    score = (
        round(sum(f.score * f.weight for f in clamped if f.weight > 0) / total) if total else None
    )
    return Health(score, *band(score), clamped)


def recency_score(days: int | None) -> int:
    """100 within RECENT_DAYS of contact, falling evenly to 0 at STALE_DAYS (and for never)."""
    if days is None or days >= STALE_DAYS:
        return 0
    if days <= RECENT_DAYS:
        return 100
    return round(100 * (STALE_DAYS - days) / (STALE_DAYS - RECENT_DAYS))


def relationship_health(ctx: RequestContext, subject: Any) -> Health:
    """The health of a ``CustomerOrganisation`` or ``StakeholderGroup`` of ``ctx.org``.

    Contacts' own factors come first, then every plugin's through
    ``relationship_health_factors``; a plugin that raises is logged and
    left out, and anything it returns that is not a ``HealthFactor`` is ignored.
    """
    factors = own_factors(ctx, subject)
    for impl in reversed(ctx.hooks.relationship_health_factors.get_hookimpls()):
        arguments = {"ctx": ctx, "subject": subject}
        try:
            result = impl.function(**{n: arguments[n] for n in impl.argnames})
        except Exception:  # another plugin's bug must not take the page down
            log.exception("plugin %s failed in relationship_health_factors", impl.plugin_name)
            continue
        factors.extend(f for f in result or [] if isinstance(f, HealthFactor))
    return combine(factors)


def own_factors(ctx: RequestContext, subject: Any) -> list[HealthFactor]:
    """What contacts knows: recent contact, and overdue plan activities or follow-ups."""
    from .engagement import StakeholderGroup
    from .models import CustomerOrganisation

    if isinstance(subject, StakeholderGroup):
        return _group_factors(ctx, subject)
    if isinstance(subject, CustomerOrganisation):
        return _organisation_factors(ctx, subject)
    return []


def _ago(when: datetime.datetime | None, today: datetime.date) -> int | None:
    return None if when is None else max((today - when.date()).days, 0)


def _contact_factor(days: int | None, whom: str, url: str | None) -> HealthFactor:
    if days is None:
        detail = f"No interaction with {whom} logged yet."
    elif days == 0:
        detail = f"Last interaction with {whom} today."
    else:
        detail = f"Last interaction with {whom} {days} day{'s' if days != 1 else ''} ago."
    return HealthFactor("Time since last interaction", recency_score(days), detail=detail, url=url)


def _group_factors(ctx: RequestContext, group: Any) -> list[HealthFactor]:
    from .engagement import StakeholderMember, plan_status
    from .models import Person

    today = utcnow().date()
    page = ctx.url("contacts:group", pk=group.id)
    last = (
        Person.select(fn.MAX(Person.last_contacted_at))
        .join(StakeholderMember, on=(StakeholderMember.person == Person.id))
        .where(StakeholderMember.group == group.id)
        .scalar()
    )
    if isinstance(last, str):  # SQLite gives MAX() of a datetime as text
        last = datetime.datetime.fromisoformat(last)
    factors = [_contact_factor(_ago(last, today), "any member", f"{page}#members")]
    plan = plan_status(group, today)
    if plan:
        late = sum(1 for s in plan if s.overdue)
        factors.append(
            HealthFactor(
                "Engagement plan",
                round(100 * (len(plan) - late) / len(plan)),
                detail=f"{late} of {len(plan)} planned activities overdue.",
                url=f"{page}#plan",
            )
        )
    return factors


def _organisation_factors(ctx: RequestContext, organisation: Any) -> list[HealthFactor]:
    from .derived import about_organisation
    from .models import Interaction

    today = utcnow().date()
    url = ctx.url("contacts:organisation", pk=organisation.id)
    factors = [_contact_factor(_ago(organisation.last_contacted_at, today), "anyone there", url)]
    open_follow_ups = Interaction.in_org(ctx.org).where(
        about_organisation(organisation.id)
        & Interaction.follow_up_due.is_null(False)
        & Interaction.follow_up_done_at.is_null()
    )
    total = open_follow_ups.count()
    if total:
        late = open_follow_ups.where(Interaction.follow_up_due < today).count()
        factors.append(
            HealthFactor(
                "Follow-ups",
                round(100 * (total - late) / total),
                detail=f"{late} of {total} open follow-ups overdue.",
                url=ctx.url("contacts:follow_ups_overdue"),
            )
        )
    return factors
