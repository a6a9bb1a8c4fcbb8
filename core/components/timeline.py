"""Activity timelines for detail pages: what happened to a record, newest first."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..history import ACTIONS, Line, describe
from ..models import AuditEntry, Organisation

# Bookkeeping columns people do not need to see change.
UNSHOWN = frozenset({"id", "org", "version"})


@dataclass(frozen=True)
class TimelineEntry:
    """One event: when, who, what kind, a sentence, and optionally the fields it changed.

    ``changes`` is ``{label: [old, new]}`` shown as given; ``lines`` are the
    same changes in words (``accord.history``), shown instead when present.
    Audit entries keep their raw ``{field: [old, new]}`` in ``changes`` so
    a plugin can still pick fields out by name.
    """

    when: datetime.datetime
    who: str
    kind: str
    body: Any = ""
    changes: dict[str, Any] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return ACTIONS.get(self.kind, self.kind)


def audit_timeline(
    record: Any, *, limit: int = 50, hide: Iterable[str] = ()
) -> list[TimelineEntry]:
    """``record``'s audit entries (created, updated, deleted …) as timeline entries.

    Only updates list the fields they changed, in words and in the
    organisation's zone; a creation or deletion is one line. ``hide`` names
    fields not to show.
    """
    model = type(record)
    entries = (
        AuditEntry.select()
        .where(
            (AuditEntry.org == record.org_id)
            & (AuditEntry.table == model._meta.table_name)
            & (AuditEntry.record_id == str(record.get_id()))
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    entries = list(entries)
    org = Organisation.get_or_none(Organisation.id == record.org_id) if entries else None
    hidden = UNSHOWN | set(hide)
    stories = describe(entries, org, hide=hidden)
    return [
        TimelineEntry(
            e.at,
            story.who,
            e.action,
            "",  # the record's own page: its name on every line says nothing
            _shown(e, hidden),
            story.lines if e.action == "update" else [],
        )
        for e, story in zip(entries, stories, strict=True)
    ]


def _shown(entry: AuditEntry, hidden: set[str] | frozenset[str]) -> dict[str, Any]:
    if entry.action != "update" or not isinstance(entry.changes, dict):
        return {}
    return {name: pair for name, pair in entry.changes.items() if name not in hidden}


def merge(*timelines: Iterable[TimelineEntry], limit: int | None = None) -> list[TimelineEntry]:
    """Several sources of entries (audit, comments, emails …) as one timeline, newest first."""
    entries = sorted((e for t in timelines for e in t), key=lambda e: e.when, reverse=True)
    return entries[:limit] if limit is not None else entries
