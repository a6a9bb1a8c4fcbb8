"""Complaints' published functions, for other plugins (list ``complaints`` in ``depends``
or ``optional_depends`` and check it is enabled for the organisation before calling)."""

from __future__ import annotations

from typing import Any

from accord import Organisation, User

from .models import Complaint
from .workflow import receive

__all__ = ["open_complaint"]


def open_complaint(
    org: Organisation,
    *,
    person: Any,
    description: str,
    source: str,
    incident: Any = None,
    service: Any = None,
    user: User | None = None,
    cause: str = "other",
    channel: str = "email",
    severity: str = "medium",
    quiet: bool = False,
) -> Complaint:
    """Record a complaint received in ``org``, in the caller's transaction.

    :param person: the complainant, a contacts ``Person`` of ``org`` (or None).
    :param description: what they complain about, in their words.
    :param source: what opened it, shown on the complaint (``"satisfaction survey"``).
    :param incident: the incident it is about (an object with ``id``, or None); its
        service is used when ``service`` is not given.
    :param service: the catalogue service it is about (an object with ``id``, or None).
    :param user: who opened it, None for the system.

    The complaint starts ``received`` with the organisation's acknowledgement
    target; the event ``complaints.received`` is announced after the commit
    (``quiet=True``, for demo data and work outside requests, announces nothing).
    """
    service_id = getattr(service, "id", None) or getattr(incident, "service_id", None)
    customer_id = getattr(person, "organisation_id", None) or getattr(incident, "customer_id", None)
    values = {
        "person": getattr(person, "id", None),
        "customer": customer_id,
        "service_id": service_id,
        "incident_id": getattr(incident, "id", None),
        "description": description.strip(),
        "source": source[:50],
        "cause": cause,
        "channel": channel,
        "severity": severity,
    }
    return receive(org, values, user=user, quiet=quiet)
