"""Factories for tests of incidents and of plugins that build on it.

    from accord.plugins.incidents.testing import make_incident, make_team

    desk = make_team(org, "Service Desk", tier=1, members=[agent])
    incident = make_incident(org, service=email, impact=2, urgency=2, at=monday_9am)

They go through the same workflow as the pages (reference, priority from the
matrix, clocks), quietly: no emails, no events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from accord import Organisation, User

from . import reporters, workflow
from .models import Incident, Team, TeamMember


def make_team(
    org: Organisation,
    name: str = "Service Desk",
    *,
    tier: int = 1,
    members: Iterable[User] = (),
    lead: User | None = None,
) -> Team:
    team = Team.create(org=org, name=name, tier=tier, lead=lead)
    for user in {u.id: u for u in [*members, *([lead] if lead else [])]}.values():
        TeamMember.create(org=org, team=team, user=user)
    return team


def make_reporter(
    org: Organisation,
    first_name: str = "Ana",
    last_name: str = "Lima",
    email: str | None = "ana.lima@example.org",
) -> Any:
    return reporters.create(
        org, {"first_name": first_name, "last_name": last_name, "email": email, "phone": None}
    )


def make_incident(
    org: Organisation,
    title: str = "Outlook keeps asking for my password",
    *,
    reporter: Any = None,
    service: Any = None,
    at: dt.datetime | None = None,
    user: User | None = None,
    **values: Any,
) -> Incident:
    """An incident logged at ``at`` (default now) by ``user``; ``values`` as the log form's."""
    reporter = reporter or make_reporter(org)
    fields = {
        "title": title,
        "description": values.pop("description", ""),
        "reporter": reporter.id,
        "customer": reporter.organisation_id,
        "service": service.id if service is not None else None,
        "category": "other",
        "channel": "phone",
        "impact": 3,
        "urgency": 3,
        **values,
    }
    return workflow.log(org, fields, user=user, now=at, quiet=True)


def reload(incident: Incident) -> Incident:
    return Incident.get_by_id(incident.id)
