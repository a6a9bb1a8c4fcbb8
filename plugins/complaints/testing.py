"""Factories for tests of complaints and of plugins that build on it.

    from accord.plugins.complaints.testing import make_complaint

    complaint = make_complaint(org, person=ana, cause="slow_response", received_at=monday)

They go through the same workflow as the pages, quietly: no events.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord import Organisation, User

from . import workflow
from .models import Complaint


def make_complaint(
    org: Organisation,
    description: str = "Nobody told us about the outage.",
    *,
    person: Any = None,
    received_at: dt.datetime | None = None,
    user: User | None = None,
    **values: Any,
) -> Complaint:
    if person is None:
        from accord.plugins.contacts.testing import make_person

        person = make_person(org, "Carla", "Complainer", email="carla@example.org")
    fields = {
        "person": person.id,
        "customer": person.organisation_id,
        "description": description,
        "received_at": received_at,
        **values,
    }
    return workflow.receive(org, fields, user=user, quiet=True)


def reload(complaint: Complaint) -> Complaint:
    return Complaint.get_by_id(complaint.id)
