"""Work done away from requests: retrying reporters' emails, following the catalogue's changes."""

from __future__ import annotations

import logging
from typing import Any

from accord import Organisation, database
from accord.models import PluginEnablement
from accord.plugins.catalogue.models import Service

from . import escalation, mail, sla
from .choices import OPEN
from .models import Incident
from .workflow import record

log = logging.getLogger("accord.plugins.incidents")


def organisations() -> list[Organisation]:
    """Organisations where incidents is enabled (a periodic task acts for these only)."""
    return list(
        Organisation.select()
        .join(PluginEnablement, on=(PluginEnablement.org == Organisation.id))
        .where((PluginEnablement.plugin == "incidents") & PluginEnablement.enabled)
        .order_by(Organisation.id)
    )


def send_due_emails() -> int:
    """Retry every organisation's pending emails that are due; the worker runs it each minute."""
    sent = 0
    with database.connection_context():
        mail.release_stuck()
        for org in organisations():
            try:
                sent += mail.deliver(org)
            except Exception:  # one organisation's trouble must not stop the others'
                log.exception("delivering incidents email for %s failed", org.slug)
    return sent


def escalate() -> int:
    """Every organisation's SLA alerts and escalations, then their emails; each minute."""
    count = 0
    with database.connection_context():
        for org in organisations():
            try:
                count += escalation.run(org)
                mail.deliver(org)
            except Exception:  # one organisation's trouble must not stop the others'
                log.exception("escalating incidents of %s failed", org.slug)
    return count


def follow_catalogue(org: Organisation, event: str, payload: dict[str, Any]) -> int:
    """Recompute the open incidents whose service levels or calendar changed; count them."""
    open_ = Incident.in_org(org).where(Incident.status.in_(OPEN))
    if event == "catalogue.levels_changed":
        affected = open_.where(Incident.service == payload.get("service_id"))
        words = "the service's agreed levels changed"
    elif event == "catalogue.calendar_changed":
        services = Service.select(Service.id).where(Service.calendar == payload.get("calendar_id"))
        affected = open_.where(Incident.service.in_(services))
        words = "the service's business hours changed"
    else:
        return 0
    count = 0
    with database.atomic():
        for incident in affected:
            record(incident, "sla", words, data={"event": event})
            sla.recompute(incident)
            count += 1
    return count
