"""What complaints shows of the optional plugins it links to: services and incidents.

Catalogue and incidents may be off for the organisation (or not installed),
so their models are imported only when the plugin is enabled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accord import Organisation, RequestContext, members_of

WORKING_ROLES = ("admin", "manager", "agent")


def has(ctx: RequestContext, plugin: str) -> bool:
    return plugin in ctx.enabled


def services(org: Organisation) -> list[tuple[int, str]]:
    """The organisation's live services, for the picker."""
    from accord.plugins.catalogue import live_services

    return [(s.id, str(s.name)) for s in live_services(org)]


def service_names(org: Organisation, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    try:
        from accord.plugins.catalogue.models import Service
    except ImportError:  # the catalogue is not installed: ids are all we have
        return {}
    rows = Service.in_org(org, Service.id, Service.name).where(Service.id.in_(wanted))
    return {s.id: str(s.name) for s in rows}


def incident(org: Organisation, incident_id: int | None) -> Any:
    if not incident_id:
        return None
    try:
        from accord.plugins.incidents.models import Incident
    except ImportError:
        return None
    return Incident.in_org(org).where(Incident.id == incident_id).first()


def staff(org: Organisation) -> list[tuple[int, str]]:
    return [(u.id, str(u.name)) for u in members_of(org, roles=WORKING_ROLES)]
