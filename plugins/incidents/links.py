"""Incidents tied to others: a major incident and its children, a duplicate merged into another.

Like ``workflow``: call inside a transaction; each change goes through
``save_versioned`` (the audit log records it) and writes a timeline entry on
both incidents. ``NotAllowed`` says why a link or merge is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord import User, save_versioned, utcnow

from . import mail, response, sla
from .choices import DONE
from .intake import announce, record
from .models import Attachment, Incident
from .workflow import NotAllowed

__all__ = ["children", "link_child", "mark_major", "merge", "merged_ids", "unlink_child"]


def children(incident: Incident) -> list[Incident]:
    """A major incident's children, oldest first."""
    return list(Incident.select().where(Incident.parent == incident.id).order_by(Incident.number))


def mark_major(
    incident: Incident,
    version: Any,
    major: bool,
    *,
    user: User | None,
    now: dt.datetime | None = None,
) -> Incident:
    """Mark an open incident as major (children can be linked to it), or no longer major."""
    now = now or utcnow()
    if major:
        if not incident.is_open:
            raise NotAllowed("Only an open incident can become a major incident.")
        if incident.parent_id:
            raise NotAllowed("A child of a major incident cannot be a major incident itself.")
    elif children(incident):
        raise NotAllowed("Unlink its child incidents first.")
    if bool(incident.is_major) == major:
        return incident
    save_versioned(incident, version, {"is_major": major, "updated_at": now})
    words = "Marked as a major incident" if major else "No longer a major incident"
    record(incident, "link", words, user=user, at=now, data={"major": major})
    return incident


def link_child(
    parent: Incident,
    child: Incident,
    *,
    user: User | None,
    now: dt.datetime | None = None,
) -> Incident:
    """Make ``child`` one of major incident ``parent``'s children."""
    now = now or utcnow()
    if parent.org_id != child.org_id or parent.id == child.id:
        raise NotAllowed("An incident cannot be linked to itself.")
    if not parent.is_major:
        raise NotAllowed(f"{parent.reference} is not a major incident.")
    if parent.status == "closed":
        raise NotAllowed(f"{parent.reference} is closed.")
    if child.is_major:
        raise NotAllowed(f"{child.reference} is a major incident itself.")
    if child.status == "closed":
        raise NotAllowed(f"{child.reference} is closed.")
    if child.parent_id == parent.id:
        return child
    if child.parent_id:
        current = Incident.get_by_id(child.parent_id)
        raise NotAllowed(f"{child.reference} is already a child of {current.reference}.")
    save_versioned(child, child.version, {"parent": parent.id, "updated_at": now})
    record(
        child,
        "link",
        f"Linked to major incident {parent.reference} {parent.title}",
        user=user,
        at=now,
        data={"parent": parent.id},
    )
    record(
        parent,
        "link",
        f"Child incident {child.reference} {child.title} linked",
        user=user,
        at=now,
        data={"child": child.id},
    )
    return child


def unlink_child(child: Incident, *, user: User | None, now: dt.datetime | None = None) -> None:
    """Take ``child`` away from its major incident."""
    if not child.parent_id:
        return
    now = now or utcnow()
    parent = Incident.get_by_id(child.parent_id)
    save_versioned(child, child.version, {"parent": None, "updated_at": now})
    record(child, "link", f"Unlinked from major incident {parent.reference}", user=user, at=now)
    record(parent, "link", f"Child incident {child.reference} unlinked", user=user, at=now)


def merged_ids(incident: Incident) -> list[int]:
    """The incidents merged into ``incident``: their timelines and files are shown on it."""
    query = Incident.select(Incident.id).where(Incident.merged_into == incident.id)
    return [row.id for row in query]


def merge(
    survivor: Incident,
    duplicate: Incident,
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Incident:
    """Merge ``duplicate`` into ``survivor``: closed as a duplicate, its history shown on the other.

    The duplicate's timeline and attachments stay its own rows and appear on
    the survivor's timeline (so nothing is copied and its own page still tells
    what happened); incidents merged into it earlier now point at the survivor.
    Its reporter is emailed; a merged incident cannot be reopened.
    """
    now = now or utcnow()
    if survivor.org_id != duplicate.org_id or survivor.id == duplicate.id:
        raise NotAllowed("An incident cannot be merged into itself.")
    if survivor.merged_into_id:
        raise NotAllowed(f"{survivor.reference} was itself merged into another incident.")
    if survivor.status == "closed":
        raise NotAllowed(f"{survivor.reference} is closed: keep an incident that is not.")
    if duplicate.status == "closed":
        raise NotAllowed(f"{duplicate.reference} is closed already.")
    if duplicate.is_major and children(duplicate):
        raise NotAllowed(f"{duplicate.reference} is a major incident with children.")
    if duplicate.id == survivor.parent_id:
        raise NotAllowed(f"{duplicate.reference} is the major incident of {survivor.reference}.")
    notes = f"Duplicate of {survivor.reference} {survivor.title}"
    before = duplicate.status
    changes = {
        "status": "closed",
        "merged_into": survivor.id,
        "resolution_code": "duplicate",
        "resolution_notes": notes,
        "resolved_at": duplicate.resolved_at if before in DONE else now,
        **response.changes(duplicate, "resolution", now),
        "closed_at": now,
        "pending_reason": "",
        "pending_note": "",
        "parent": None,
        "updated_at": now,
    }
    save_versioned(duplicate, duplicate.version, changes)
    Incident.update(merged_into=survivor.id).where(Incident.merged_into == duplicate.id).execute()
    files = Attachment.select().where(Attachment.incident == duplicate.id).count()
    record(
        duplicate,
        "merge",
        f"Merged into {survivor.reference} {survivor.title} and closed as a duplicate",
        user=user,
        at=now,
        data={"into": survivor.id, "from": before, "to": "closed"},
    )
    record(
        survivor,
        "merge",
        f"{duplicate.reference} {duplicate.title} merged into this incident"
        + (f" with {files} attachment{'s' if files != 1 else ''}" if files else ""),
        user=user,
        at=now,
        data={"merged": duplicate.id},
    )
    # The duplicate's clock stops as a closed incident's does.
    sla.recompute(duplicate, now)
    if not quiet:
        mail.queue(duplicate, "merged")
        announce(duplicate, "status_changed", **{"from": before, "to": "closed"})
        announce(duplicate, "merged", into_id=survivor.id)
    return survivor
