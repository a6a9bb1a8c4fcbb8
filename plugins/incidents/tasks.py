"""Work done away from requests: sending reporters' emails, following the catalogue's changes."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from accord import Organisation, StaleEdit, database, jobs, plugin_settings, utcnow
from accord.jobs import enqueue
from accord.models import PluginEnablement
from accord.plugins.catalogue.models import Service

from . import escalation, mail, sla, summaries, workflow
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


DELIVER_TASK = "incidents.deliver_emails"
# The instance's job queue, given to ``register_tasks`` when it is made: an event
# handler has no request to find it on.
_queue: Any = None


def bind_queue(queue: Any) -> None:
    global _queue
    _queue = queue


def queue_delivery(org: Organisation) -> None:
    """Have the worker send ``org``'s due emails now: no SMTP connection in a request.

    Called after the change committed (from ``handle_event``); without a queue,
    or when it does not answer, the periodic ``send_due_emails`` sends them.
    """
    if _queue is not None:
        enqueue(_queue, DELIVER_TASK, org.id)


def deliver_emails(org_id: int) -> int:
    """Send one organisation's due emails (queued after a change); count those sent."""
    with jobs.connected():
        org = Organisation.get_or_none(Organisation.id == org_id)
        # After a change: while an email waits for its retry the server is in trouble,
        # and the periodic task retries with back-off.
        return mail.deliver(org, after_change=True) if org is not None else 0


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


def close_resolved(org: Organisation, now: dt.datetime | None = None) -> int:
    """Close ``org``'s incidents resolved more than ``close_after_days`` ago; count them.

    A major incident whose children are not closed yet waits for them. The
    reporter's email is queued as for any closing; no event is announced (a
    task has no request to deliver them after).
    """
    days = int(plugin_settings.get(org, "incidents").get("close_after_days") or 0)
    if days <= 0:
        return 0
    now = now or utcnow()
    due = (
        Incident.in_org(org)
        .where(
            (Incident.status == "resolved")
            & (Incident.resolved_at <= now - dt.timedelta(days=days))
        )
        .order_by(Incident.resolved_at)
        .limit(500)
    )
    return sum(close_if_due(incident, days, now) for incident in list(due))


def close_if_due(incident: Incident, days: int, now: dt.datetime) -> bool:
    """Close one incident the automatic closing read as due; False when it is left as it is.

    Someone (or another worker's run) may have changed it since it was read: the
    edit is then stale and the incident is left for the next hour to look at again.
    """
    try:
        with database.atomic():
            workflow.close(
                incident,
                incident.version,
                user=None,
                now=now,
                quiet=True,
                body=f"Closed automatically {days} days after its resolution",
            )
            mail.queue(incident, "status_changed")
    except workflow.NotAllowed:  # a major incident's children are still open
        return False
    except StaleEdit:
        return False
    return True


def close_all_resolved() -> int:
    """Every organisation's automatic closing, then the reporters' emails; each hour."""
    closed = 0
    with database.connection_context():
        for org in organisations():
            try:
                closed += close_resolved(org)
                mail.deliver(org)
            except Exception:  # one organisation's trouble must not stop the others'
                log.exception("closing resolved incidents of %s failed", org.slug)
    return closed


def build_summaries() -> int:
    """Build the daily summaries of every organisation whose summaries are not ready:
    never built, or built in a time zone it has left. Each hour; count them.

    Until then their reports count live, so a new organisation or a new time
    zone is right at once and fast within the hour.
    """
    built = 0
    with database.connection_context():
        for org in organisations():
            if summaries.ready(org):
                continue
            try:
                summaries.rebuild(org)
                built += 1
            except Exception:  # one organisation's trouble must not stop the others'
                log.exception("building the incident summaries of %s failed", org.slug)
    return built


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
