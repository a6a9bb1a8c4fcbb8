"""A complaint's timeline: its changes, notes, files and correspondence, newest first.

It can be narrowed to one kind of entry (``?show=notes``, ``correspondence``,
``changes``, ``files``), as contacts' timelines can.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord import TimelineEntry, User, audit_timeline, merge_timelines

from .choices import DELIVERY
from .models import Attachment, Complaint, Correspondence, Note

LIMIT = 100
# What the timeline can be narrowed to, as (value, label).
KINDS = [
    ("notes", "Notes"),
    ("correspondence", "Correspondence"),
    ("changes", "Status and changes"),
    ("files", "Files"),
]


@dataclass(frozen=True)
class Entry(TimelineEntry):
    """A timeline entry of complaints; ``complaints/_timeline.html`` shows each kind in full."""

    label: str = ""
    note: Note | None = None
    message: Correspondence | None = None
    attachment: Attachment | None = None
    state: str = ""  # an emailed message: queued, sent, not delivered …
    technical: str = ""  # why the server refused it, with host and port: administrators only

    @property
    def kind_label(self) -> str:
        return self.label or super().kind_label


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    kinds: list[tuple[str, str]] = field(default_factory=lambda: list(KINDS))
    show: str = ""


def complaint_timeline(complaint: Complaint, show: str = "") -> Timeline:
    """What happened to ``complaint``, newest first; ``show`` narrows it to one kind."""
    show = show if show in dict(KINDS) else ""
    names = _names(complaint)
    parts: list[list[Any]] = []
    if show in ("", "notes"):
        parts.append(_notes(complaint, names))
    if show in ("", "correspondence"):
        parts.append(_correspondence(complaint, names))
    if show in ("", "changes"):
        parts.append(_changes(complaint))
    if show in ("", "files"):
        parts.append(_files(complaint, names))
    return Timeline(merge_timelines(*parts, limit=LIMIT), show=show)


def _names(complaint: Complaint) -> dict[int, str]:
    """Names of the staff who wrote, sent or filed anything on ``complaint`` (one query)."""
    ids: set[int] = set()
    for model, columns in (
        (Note, (Note.author,)),
        (Correspondence, (Correspondence.recorded_by,)),
        (Attachment, (Attachment.uploaded_by, Attachment.deleted_by)),
    ):
        for row in model.select(*columns).where(model.complaint == complaint.id).tuples():
            ids.update(i for i in row if i)
    if not ids:
        return {}
    return dict(User.select(User.id, User.name).where(User.id.in_(ids)).tuples())


def _who(names: dict[int, str], user_id: int | None) -> str:
    return names.get(user_id, "") if user_id else "Someone"


def _notes(complaint: Complaint, names: dict[int, str]) -> list[Entry]:
    notes = Note.select().where(Note.complaint == complaint.id).order_by(Note.created_at.desc())
    return [
        Entry(n.created_at, _who(names, n.author_id), "note", label="Internal note", note=n)
        for n in notes.limit(LIMIT)
    ]


def _correspondence(complaint: Complaint, names: dict[int, str]) -> list[Entry]:
    rows = (
        Correspondence.select()
        .where(Correspondence.complaint == complaint.id)
        .order_by(Correspondence.occurred_at.desc())
        .limit(LIMIT)
    )
    entries = []
    for message in rows:
        state = technical = ""
        if message.delivery:
            state = DELIVERY.get(message.delivery, message.delivery)
            if message.last_error and message.delivery != "sent":
                # Only sent through incidents' mail settings, so incidents is there.
                from accord.plugins.incidents.mail import public_error

                said = public_error(str(message.last_error))
                state += f": {said}"
                technical = "" if said == message.last_error else str(message.last_error)
        entries.append(
            Entry(
                message.occurred_at,
                _who(names, message.recorded_by_id),
                "correspondence",
                label=message.label,
                message=message,
                state=state,
                technical=technical,
            )
        )
    return entries


def _changes(complaint: Complaint) -> list[Entry]:
    """The audit trail; a change of status is labelled as such."""
    entries = []
    for e in audit_timeline(complaint, limit=LIMIT):
        label = "Status changed" if "status" in e.changes else ""
        entries.append(Entry(e.when, e.who, e.kind, e.body, e.changes, e.lines, label=label))
    return entries


def _files(complaint: Complaint, names: dict[int, str]) -> list[Entry]:
    rows = (
        Attachment.select()
        .where(Attachment.complaint == complaint.id)
        .order_by(Attachment.uploaded_at.desc())
        .limit(LIMIT)
    )
    entries = []
    for a in rows:
        entries.append(
            Entry(
                a.uploaded_at,
                _who(names, a.uploaded_by_id),
                "file",
                label="File added",
                attachment=a,
            )
        )
        if a.deleted_at is not None:
            entries.append(
                Entry(
                    a.deleted_at,
                    _who(names, a.deleted_by_id),
                    "file",
                    label="File deleted",
                    attachment=a,
                )
            )
    return entries
