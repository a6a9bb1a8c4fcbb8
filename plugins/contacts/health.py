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

from dataclasses import dataclass


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
