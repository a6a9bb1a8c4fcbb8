"""What happens to a complaint: received, acknowledged, investigated, responded to, closed.

Each move is checked against the version the user saw (``StaleEdit`` when
someone changed it since), recorded in the audit trail (the complaint's
timeline) and announced as an event after the transaction commits. Call them
inside a transaction; views are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peewee import JOIN, IntegrityError

from accord import (
    Organisation,
    User,
    database,
    emit,
    plugin_settings,
    save_versioned,
    utcnow,
)
from accord.models import AuditEntry

from .choices import MOVES, STATUSES
from .models import Complaint, Counter, format_reference

PLUGIN = "complaints"


class NotAllowed(ValueError):
    """The move is not possible now; the message says why."""


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """``start`` moved on by ``days`` working days (Monday to Friday), same time of day."""
    moment = start
    left = max(days, 0)
    while left:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


def acknowledge_due(org: Organisation, received_at: dt.datetime) -> dt.datetime:
    days = plugin_settings.get(org, PLUGIN).get("acknowledge_days")
    return add_business_days(received_at, 2 if days is None else int(days))


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


def _announce(complaint: Complaint, name: str, **payload: Any) -> None:
    emit(
        complaint.org,
        f"complaints.{name}",
        {"complaint_id": complaint.id, "reference": complaint.reference, **payload},
    )


def receive(
    org: Organisation,
    values: dict[str, Any],
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Complaint:
    """Record a new complaint: its reference and the date by which to acknowledge it."""
    received_at = values.pop("received_at", None) or now or utcnow()
    number = next_number(org)
    complaint = Complaint.create(
        org=org,
        number=number,
        reference=format_reference(number),
        received_at=received_at,
        acknowledge_due=acknowledge_due(org, received_at),
        logged_by=user.id if user else None,
        **values,
    )
    if not quiet:
        _announce(complaint, "received", source=complaint.source)
    return complaint


# How each status reads after "This complaint was already …".
DONE = {
    "acknowledged": "acknowledged",
    "investigating": "put under investigation",
    "responded": "responded to",
    "closed": "closed",
}


def _order(status: str) -> int:
    return list(STATUSES).index(status)


def already(complaint: Complaint) -> str:
    """What happened to ``complaint`` last, in words: who moved it to its status, and when.

    For a person whose page was out of date: "This complaint was already
    acknowledged by Alex Agent at 2026-12-07 14:05 GMT."
    """
    status = str(complaint.status)
    if status not in DONE:
        return f"This complaint is {complaint.status_label.lower()}."
    moved = None
    for entry in _status_entries(complaint):
        if entry.changes.get("status", [None, None])[1] == status:
            moved = entry
            break
    if moved is None:
        return f"This complaint was already {DONE[status]}."
    who = moved.actor.name if moved.actor_id and moved.actor.name else moved.actor_label
    zone = Organisation.get_by_id(complaint.org_id).zone
    local = moved.at.replace(tzinfo=dt.UTC).astimezone(zone)
    return (
        f"This complaint was already {DONE[status]} by {who} "
        f"at {local:%Y-%m-%d %H:%M} {local.tzname()}."
    )


def _status_entries(complaint: Complaint) -> list[AuditEntry]:
    """The complaint's latest audited changes, newest first, with who made them."""
    return list(
        AuditEntry.select(AuditEntry, User)
        .join(User, JOIN.LEFT_OUTER, on=(AuditEntry.actor == User.id))
        .where(
            (AuditEntry.table == Complaint._meta.table_name)
            & (AuditEntry.record_id == str(complaint.id))
            & (AuditEntry.action == "update")
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(20)
    )


def refusal(complaint: Complaint, action: str) -> str:
    """Why ``action`` cannot be applied to ``complaint`` now, in words."""
    _, target = MOVES[action]
    if _order(str(complaint.status)) >= _order(target):
        return already(complaint)
    needed = {"respond": "acknowledged", "close": "responded to"}.get(action, "received")
    return f"This complaint must be {needed} before it can be {DONE[target]}."


def moves_from(status: str) -> list[str]:
    return [name for name, (sources, _) in MOVES.items() if status in sources]


def move(
    complaint: Complaint,
    version: Any,
    action: str,
    *,
    user: User | None,
    values: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Complaint:
    """Apply ``action`` (acknowledge, investigate, respond, close) with what it needs."""
    sources, target = MOVES[action]
    if complaint.status not in sources:
        raise NotAllowed(refusal(complaint, action))
    now = now or utcnow()
    values = values or {}
    changes: dict[str, Any] = {"status": target}
    if action in ("acknowledge", "investigate", "respond") and complaint.acknowledged_at is None:
        changes["acknowledged_at"] = now
    if action == "respond":
        response = (values.get("response") or "").strip()
        if not response:
            raise NotAllowed("Write the response the complainant was given.")
        changes.update(response=response, responded_at=now)
    if action == "close":
        lesson = (values.get("lesson") or "").strip()
        improvement = (values.get("improvement") or "").strip()
        if not lesson or not improvement:
            raise NotAllowed(
                "A complaint is closed with the lesson learned and the improvement it led to."
            )
        changes.update(lesson=lesson, improvement=improvement, closed_at=now)
    before = complaint.status
    save_versioned(complaint, version, changes)
    if not quiet:
        _announce(complaint, "status_changed", **{"from": before, "to": target})
        if target == "closed":
            _announce(complaint, "closed")
    return complaint


def edit(complaint: Complaint, version: Any, values: dict[str, Any]) -> Complaint:
    """Change what the complaint is about (not its status or dates)."""
    return save_versioned(complaint, version, values)
