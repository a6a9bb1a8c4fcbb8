"""Activity timelines for detail pages: what happened to a record, newest first."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..models import AuditEntry

# Bookkeeping columns people do not need to see change.
UNSHOWN = frozenset({"id", "org", "version"})


@dataclass(frozen=True)
class TimelineEntry:
    """One event: when, who, what kind, a sentence, and optionally the fields it changed."""

    when: datetime.datetime
    who: str
    kind: str
    body: Any = ""
    changes: dict[str, Any] = field(default_factory=dict)


def audit_timeline(record: Any, *, limit: int = 50) -> list[TimelineEntry]:
    """``record``'s audit entries (created, updated, deleted …) as timeline entries.

    Only updates list the fields they changed; a creation or deletion is one line.
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
    return [TimelineEntry(e.at, e.actor_label, e.action, e.summary, _shown(e)) for e in entries]


def _shown(entry: AuditEntry) -> dict[str, Any]:
    if entry.action != "update":
        return {}
    return {name: pair for name, pair in entry.changes.items() if name not in UNSHOWN}


def merge(*timelines: Iterable[TimelineEntry], limit: int | None = None) -> list[TimelineEntry]:
    """Several sources of entries (audit, comments, emails …) as one timeline, newest first."""
    entries = sorted((e for t in timelines for e in t), key=lambda e: e.when, reverse=True)
    return entries[:limit] if limit is not None else entries
