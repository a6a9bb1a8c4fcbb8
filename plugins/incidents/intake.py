"""Logging an incident, and what is added to it without moving it on: notes, replies, edits.

Like ``workflow``: call inside a transaction; ``quiet=True`` sends no email and
announces nothing. ``workflow`` re-exports these, so callers need only it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peewee import IntegrityError

from accord import Organisation, User, database, emit, save_versioned, utcnow

from . import mail, response, sla, watching
from .choices import priority_label
from .matrix import priority_for
from .models import Activity, Counter, Incident, format_reference


def next_number(org: Organisation) -> int:
    """The organisation's next reference number; the row lock serialises concurrent logging."""
    if Counter.update(value=Counter.value + 1).where(Counter.org == org).execute():
        return int(Counter.get(Counter.org == org).value)
    try:
        with database.atomic():  # a savepoint: a concurrent first insert may win
            Counter.insert(org=org, value=1).execute()
        return 1
    except IntegrityError:
        return next_number(org)


def record(
    incident: Incident,
    kind: str,
    body: str = "",
    *,
    user: User | None = None,
    at: dt.datetime | None = None,
    public: bool = False,
    data: dict[str, Any] | None = None,
) -> Activity:
    """Add an entry to the incident's timeline."""
    return Activity.create(
        org=incident.org_id,
        incident=incident.id,
        at=at or utcnow(),
        kind=kind,
        author=user,
        author_label=str(user.name) if user else "Accord",
        body=body,
        public=public,
        data=data or {},
    )


def announce(incident: Incident, name: str, **payload: Any) -> None:
    emit(incident.org, f"incidents.{name}", {"incident_id": incident.id, **payload})


def log(
    org: Organisation,
    values: dict[str, Any],
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Incident:
    """Log a new incident: its reference, priority from the matrix, clocks, email, event."""
    now = now or utcnow()
    number = next_number(org)
    values = dict(values)
    values["priority"] = priority_for(org, values.get("impact", 3), values.get("urgency", 3))
    status = "assigned" if values.get("team") or values.get("assignee") else "new"
    incident = Incident.create(
        org=org,
        number=number,
        reference=format_reference(number),
        status=status,
        logged_by=user,
        created_at=now,
        updated_at=now,
        **values,
    )
    record(
        incident,
        "status",
        f"Logged from {incident.channel_label.lower()}",
        user=user,
        at=now,
        data={"from": None, "to": status},
    )
    if status == "assigned":
        names = [str(x.name) for x in (incident.team, incident.assignee) if x is not None]
        data = {"team": incident.team_id, "assignee": incident.assignee_id}
        record(
            incident,
            "assignment",
            f"Assigned to {' and '.join(names)}",
            user=user,
            at=now,
            data=data,
        )
    sla.recompute(incident, now)
    # Whoever logged it and whoever has it hear about its changes.
    watching.watch(incident, user)
    watching.watch(incident, incident.assignee_id)
    if not quiet:
        mail.queue(incident, "created")
        announce(
            incident,
            "created",
            reference=incident.reference,
            priority=incident.priority,
            service_id=incident.service_id,
            reporter_id=incident.reporter_id,
        )
    return incident


def note(
    incident: Incident,
    body: str,
    *,
    public: bool,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Activity:
    """An internal note, or a reply the reporter is emailed (which counts as a response)."""
    now = now or utcnow()
    activity = record(
        incident, "reply" if public else "note", body.strip(), user=user, at=now, public=public
    )
    if public:
        found = response.changes(incident, "reply", now)
        if found:
            Incident.update({**found, "updated_at": now}).where(
                Incident.id == incident.id
            ).execute()
            for name, value in found.items():
                setattr(incident, name, value)
            if "responded_at" in found:
                sla.recompute(incident, now)
        if not quiet:
            mail.queue(incident, "reply", message=body.strip())
            announce(incident, "replied", activity_id=activity.id)
    if not quiet:
        who = str(user.name) if user is not None else "Accord"
        what = f"{who} replied to the reporter" if public else f"{who} added an internal note"
        watching.tell(incident, what, actor=user, kind="reply" if public else "note")
    return activity


def edit(
    incident: Incident,
    version: Any,
    values: dict[str, Any],
    *,
    user: User | None,
    now: dt.datetime | None = None,
) -> Incident:
    """Change what the incident is about; a new priority or service moves its clocks."""
    now = now or utcnow()
    values = dict(values)
    before_priority, before_service = incident.priority, incident.service_id
    values["priority"] = priority_for(incident.org, values["impact"], values["urgency"])
    save_versioned(incident, version, {**values, "updated_at": now})
    if incident.priority != before_priority:
        record(
            incident,
            "priority",
            sla.priority_marker(before_priority, incident.priority),
            user=user,
            at=now,
            data={"from": before_priority, "to": incident.priority},
        )
        what = (
            f"priority changed from {priority_label(before_priority)} to "
            f"{priority_label(incident.priority)}{watching.by(user)}"
        )
        watching.tell(incident, what, actor=user, kind="priority")
    if incident.service_id != before_service:
        record(
            incident,
            "sla",
            "service changed, so its service levels and hours apply",
            user=user,
            at=now,
            data={"from": before_service, "to": incident.service_id},
        )
    sla.recompute(incident, now)
    return incident
