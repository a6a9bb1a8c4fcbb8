"""What happens to an incident: logging it (``intake``), and every move from new to closed.

Each function changes the incident (checked against the version the user
saw: ``StaleEdit`` when someone changed it since), writes its timeline entry,
recomputes the SLA clocks, queues the reporter's email and announces the
event. ``quiet=True`` (demo data, test factories) does neither of the last two.
Call them inside a transaction; views are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord import User, save_versioned, utcnow

from . import mail, response, sla, watching
from .choices import MOVES, OPEN, PENDING_REASONS, PRIORITIES, RESOLUTION_CODES, priority_label
from .intake import announce, edit, log, next_number, note, record
from .models import Incident, Team
from .watching import by

__all__ = [
    "ChildrenNotClosed",
    "NotAllowed",
    "assign",
    "close",
    "edit",
    "log",
    "next_number",
    "note",
    "open_children",
    "pend",
    "record",
    "reprioritise",
    "reopen",
    "reopen_deadline",
    "resolve",
    "resume",
    "start",
    "unclosed_children",
]


class NotAllowed(ValueError):
    """The move is not possible from the incident's status; the message says why."""


def _check(incident: Incident, action: str, verb: str) -> None:
    if incident.status not in MOVES[action]:
        raise NotAllowed(f"A {incident.status_label.lower()} incident cannot be {verb}.")


def _tell(incident: Incident, what: str, *, user: User | None, kind: str, quiet: bool) -> None:
    if not quiet:
        watching.tell(incident, what, actor=user, kind=kind)


def _move(
    incident: Incident,
    version: Any,
    status: str,
    *,
    user: User | None,
    now: dt.datetime,
    quiet: bool,
    body: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Incident:
    before = incident.status
    save_versioned(incident, version, {"status": status, "updated_at": now, **(changes or {})})
    if before != status:
        record(
            incident,
            "status",
            body,
            user=user,
            at=now,
            data={"from": before, "to": status, **(data or {})},
        )
    sla.recompute(incident, now)
    if not quiet and before != status:
        mail.queue(incident, "resolved" if status == "resolved" else "status_changed")
        announce(incident, "status_changed", **{"from": before, "to": status})
        if status == "resolved":
            announce(incident, "resolved", resolution_code=incident.resolution_code)
    return incident


def assign(
    incident: Incident,
    version: Any,
    *,
    team: Team | None,
    assignee: User | None,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
    reason: str = "",
) -> Incident:
    """Give the incident to a team and/or a person; a move to a higher tier is an escalation.

    ``reason`` (the escalation rules' words) marks it as an escalation and says why.
    """
    _check(incident, "assign", "assigned")
    now = now or utcnow()
    old_team = Team.get_or_none(Team.id == incident.team_id) if incident.team_id else None
    old_tier = int(old_team.tier) if old_team else 0
    status = incident.status
    if status == "new" or (
        status == "in_progress"
        and assignee is not None
        and assignee.id != incident.assignee_id
        and (user is None or assignee.id != user.id)
    ):
        status = "assigned"
    changes: dict[str, Any] = {
        "team": team.id if team else None,
        "assignee": assignee.id if assignee else None,
    }
    words = " and ".join(str(x) for x in (team, assignee) if x is not None) or "nobody"
    escalated = team is not None and (
        bool(reason) or (old_team is not None and int(team.tier) > old_tier)
    )
    moved = {**changes, "escalated_at": now} if escalated else changes
    _move(incident, version, status, user=user, now=now, quiet=quiet, changes=moved)
    kind = "escalation" if escalated else "assignment"
    if escalated and team is not None:
        source = f"from {old_team} ({old_team.tier_label}) " if old_team else ""
        body = f"Escalated {source}to {team} ({team.tier_label})" + (
            f": {reason}" if reason else ""
        )
    else:
        body = f"Assigned to {words}"
    record(incident, kind, body, user=user, at=now, data=changes)
    watching.watch(incident, assignee)
    if escalated and team is not None:
        what = f"escalated to {team} ({team.tier_label}){by(user)}"
    else:
        what = f"assigned to {words}{by(user)}"
    _tell(incident, what, user=user, kind=kind, quiet=quiet)
    return incident


def start(
    incident: Incident,
    version: Any,
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Incident:
    _check(incident, "start", "started")
    now = now or utcnow()
    changes = response.changes(incident, "start", now)
    if incident.assignee_id is None and user is not None:
        changes["assignee"] = user.id
        watching.watch(incident, user)
    _move(
        incident,
        version,
        "in_progress",
        user=user,
        now=now,
        quiet=quiet,
        changes=changes,
        body="Work started",
    )
    _tell(incident, f"work started{by(user)}", user=user, kind="status", quiet=quiet)
    return incident


def pend(
    incident: Incident,
    version: Any,
    reason: str,
    note: str = "",
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Incident:
    """Wait for someone else: the resolution clock stops counting until it resumes."""
    _check(incident, "pend", "set pending")
    now = now or utcnow()
    label = PENDING_REASONS.get(reason, reason)
    changes = {
        "pending_reason": reason,
        "pending_note": note,
        # Setting it pending is working on it: it counts as the start of work.
        **response.changes(incident, "start", now),
    }
    _move(
        incident,
        version,
        "pending",
        user=user,
        now=now,
        quiet=quiet,
        changes=changes,
        body=f"Pending: {label}" + (f" ({note})" if note else ""),
        data={"reason": reason, "note": note},
    )
    what = f"set pending ({label.lower()}){by(user)}"
    _tell(incident, what, user=user, kind="status", quiet=quiet)
    return incident


def resume(
    incident: Incident,
    version: Any,
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Incident:
    _check(incident, "resume", "resumed")
    _move(
        incident,
        version,
        "in_progress",
        user=user,
        now=now or utcnow(),
        quiet=quiet,
        changes={"pending_reason": "", "pending_note": ""},
        body="Work resumed",
    )
    _tell(incident, f"work resumed{by(user)}", user=user, kind="status", quiet=quiet)
    return incident


def resolve(
    incident: Incident,
    version: Any,
    code: str,
    notes: str,
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
    parent_reference: str = "",
) -> Incident:
    """Resolve with a code and notes; a major incident resolves its open children alike."""
    _check(incident, "resolve", "resolved")
    if code not in RESOLUTION_CODES or not notes.strip():
        raise NotAllowed("A resolution needs a resolution code and notes.")
    now = now or utcnow()
    changes = {
        "resolution_code": code,
        "resolution_notes": notes.strip(),
        "resolved_at": now,
        **response.changes(incident, "resolution", now),
        "pending_reason": "",
        "pending_note": "",
    }
    if incident.assignee_id is None and user is not None:
        changes["assignee"] = user.id
        watching.watch(incident, user)
    via = f" with major incident {parent_reference}" if parent_reference else ""
    _move(
        incident,
        version,
        "resolved",
        user=user,
        now=now,
        quiet=quiet,
        changes=changes,
        body=f"Resolved{via}: {RESOLUTION_CODES[code]}. {notes.strip()}",
        data={"code": code},
    )
    what = f"resolved{via}{by(user)}: {RESOLUTION_CODES[code]}"
    _tell(incident, what, user=user, kind="status", quiet=quiet)
    if incident.is_major:
        # The children are the same failure: fixed with it, and their reporters told.
        for child in open_children(incident):
            resolve(
                child,
                child.version,
                code,
                notes,
                user=user,
                now=now,
                quiet=quiet,
                parent_reference=str(incident.reference),
            )
    return incident


def reprioritise(
    incident: Incident,
    version: Any,
    priority: int,
    *,
    user: User | None,
    now: dt.datetime | None = None,
) -> Incident:
    """Set the priority directly (the queues' bulk change), overriding the matrix.

    Its clocks follow the new priority's service levels. Editing impact or urgency later
    gives it the matrix's priority again.
    """
    if incident.status not in OPEN:
        raise NotAllowed(f"A {incident.status_label.lower()} incident keeps its priority.")
    if priority not in PRIORITIES:
        raise NotAllowed("Choose a priority from P1 to P4.")
    before = int(incident.priority)
    if before == priority:
        raise NotAllowed(f"It is already {priority_label(priority)}.")
    now = now or utcnow()
    save_versioned(incident, version, {"priority": priority, "updated_at": now})
    record(
        incident,
        "priority",
        sla.priority_marker(before, priority),
        user=user,
        at=now,
        data={"from": before, "to": priority},
    )
    sla.recompute(incident, now)
    what = f"priority changed from {priority_label(before)} to {priority_label(priority)}{by(user)}"
    watching.tell(incident, what, actor=user, kind="priority")
    return incident


def open_children(incident: Incident) -> list[Incident]:
    """A major incident's children still being worked on."""
    return list(
        Incident.select()
        .where((Incident.parent == incident.id) & Incident.status.in_(OPEN))
        .order_by(Incident.number)
    )


def unclosed_children(incident: Incident) -> list[Incident]:
    """A major incident's children that are not closed yet (open or resolved)."""
    return list(
        Incident.select()
        .where((Incident.parent == incident.id) & (Incident.status != "closed"))
        .order_by(Incident.number)
    )


class ChildrenNotClosed(NotAllowed):
    """A major incident's children are not all closed; ``children`` lists them."""

    def __init__(self, children: list[Incident]) -> None:
        refs = ", ".join(str(c.reference) for c in children)
        super().__init__(f"Its child incidents are not closed yet: {refs}.")
        self.children = children


def close(
    incident: Incident,
    version: Any,
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
    close_children: bool = False,
    body: str = "Closed",
) -> Incident:
    """Close a resolved incident; a major one only with its children (``close_children``)."""
    _check(incident, "close", "closed")
    now = now or utcnow()
    children = unclosed_children(incident) if incident.is_major else []
    if children and not close_children:
        raise ChildrenNotClosed(children)
    for child in children:
        if child.status in OPEN:
            resolve(
                child,
                child.version,
                str(incident.resolution_code),
                str(incident.resolution_notes),
                user=user,
                now=now,
                quiet=quiet,
                parent_reference=str(incident.reference),
            )
        close(child, child.version, user=user, now=now, quiet=quiet)
    _move(
        incident,
        version,
        "closed",
        user=user,
        now=now,
        quiet=quiet,
        changes={"closed_at": now},
        body=body,
    )
    _tell(incident, f"closed{by(user)}", user=user, kind="status", quiet=quiet)
    return incident


def reopen_deadline(incident: Incident, window_days: int) -> dt.datetime | None:
    if incident.resolved_at is None:
        return None
    return incident.resolved_at + dt.timedelta(days=window_days)


def reopen(
    incident: Incident,
    version: Any,
    reason: str,
    *,
    window_days: int,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Incident:
    """Reopen a resolved incident within ``window_days`` of its resolution."""
    if incident.merged_into_id:
        survivor = Incident.get_by_id(incident.merged_into_id)
        raise NotAllowed(
            f"It was merged into {survivor.reference} as a duplicate: its history is there, "
            f"so work on {survivor.reference} instead."
        )
    _check(incident, "reopen", "reopened")
    now = now or utcnow()
    deadline = reopen_deadline(incident, window_days)
    if deadline is None or now > deadline:
        raise NotAllowed(
            f"It was resolved more than {window_days} days ago: log a new incident instead."
        )
    status = "assigned" if incident.assignee_id or incident.team_id else "new"
    changes = {
        "resolved_at": None,
        "resolution_code": "",
        "reopen_count": incident.reopen_count + 1,
    }
    _move(
        incident,
        version,
        status,
        user=user,
        now=now,
        quiet=quiet,
        changes=changes,
        body=f"Reopened: {reason.strip()}",
    )
    _tell(incident, f"reopened{by(user)}: {reason.strip()}", user=user, kind="status", quiet=quiet)
    return incident
