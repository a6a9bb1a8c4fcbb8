"""An incident's timeline: notes, replies, status changes, assignments, SLA events, emails."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .choices import ACTIVITY_KINDS, STATUSES
from .mail import public_error
from .models import Activity, Incident, OutboundEmail

EMAIL_STATES = {
    "pending": "queued",
    "sending": "sending",
    "sent": "sent",
    "failed": "not delivered",
    "skipped": "not sent",
}


@dataclass(frozen=True)
class Item:
    """One line of the timeline, newest first; ``kind`` picks its look."""

    when: dt.datetime
    kind: str
    label: str
    who: str
    body: str = ""
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _activity(a: Activity, sources: dict[int, str]) -> Item:
    data = a.data or {}
    detail = ""
    if a.kind == "status":
        before, after = data.get("from"), data.get("to")
        if before:
            detail = f"{STATUSES.get(before, before)} → {STATUSES.get(after, after)}"
    extra: dict[str, Any] = {"incident_id": a.incident_id, "source": sources.get(a.incident_id)}
    if a.kind == "attachment":
        extra["attachment_id"] = data["attachment_id"]
    return Item(
        a.at, a.kind, ACTIVITY_KINDS.get(a.kind, a.kind), a.author_label, a.body, detail, extra
    )


def _email(e: OutboundEmail, sources: dict[int, str]) -> Item:
    state = EMAIL_STATES.get(e.status, e.status)
    technical = ""
    if e.last_error and e.status != "sent":
        state += f": {public_error(str(e.last_error))}"
        # The server's own words, with host and port: shown to administrators only.
        technical = "" if public_error(str(e.last_error)) == e.last_error else str(e.last_error)
    detail = f"To {e.to_address}: “{e.subject}” ({state})"
    extra = {"status": e.status, "source": sources.get(e.incident_id), "technical": technical}
    return Item(e.sent_at or e.created_at, "email", "Email", "Accord", "", detail, extra)


def incident_timeline(incident: Incident) -> list[Item]:
    """Everything that happened to ``incident`` and to the duplicates merged into it, newest first.

    A merged duplicate's entries say which incident they came from (``extra["source"]``).
    """
    merged = Incident.select(Incident.id, Incident.reference).where(
        Incident.merged_into == incident.id
    )
    sources = {row.id: str(row.reference) for row in merged}
    ids = [incident.id, *sources]
    activities = Activity.select().where(Activity.incident.in_(ids))
    emails = OutboundEmail.select().where(OutboundEmail.incident.in_(ids))
    items = [_activity(a, sources) for a in activities]
    items += [_email(e, sources) for e in emails]
    # Ties (a status change and its email) keep a stable, readable order.
    order = {"status": 0, "assignment": 1, "escalation": 1, "priority": 2, "sla": 2, "sla_alert": 0}
    items.sort(key=lambda i: (i.when, -order.get(i.kind, 3)), reverse=True)
    return items
