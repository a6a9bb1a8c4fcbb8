"""Complaints by service and cause over a period: counts for the report page and its CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import fn

from accord import Organisation, Period

from . import related
from .choices import CAUSES
from .models import Complaint
from .tables import acknowledgement_where

NO_SERVICE = "(no service)"


@dataclass
class Grid:
    """Rows are services, columns causes; ``counts[(service_id, cause)]``."""

    services: list[tuple[int | None, str]]
    causes: list[tuple[str, str]]
    counts: dict[tuple[int | None, str], int] = field(default_factory=dict)

    def count(self, service_id: int | None, cause: str) -> int:
        return self.counts.get((service_id, cause), 0)

    def row_total(self, service_id: int | None) -> int:
        return sum(n for (s, _), n in self.counts.items() if s == service_id)

    def column_total(self, cause: str) -> int:
        return sum(n for (_, c), n in self.counts.items() if c == cause)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def by_service_and_cause(org: Organisation, period: Period) -> Grid:
    """Complaints received in ``period``, counted per service × cause."""
    rows = (
        Complaint.in_org(org, Complaint.service_id, Complaint.cause, fn.COUNT(Complaint.id))
        .where(period.where(Complaint.received_at))
        .group_by(Complaint.service_id, Complaint.cause)
        .tuples()
    )
    counts = {(service_id, cause): int(n) for service_id, cause, n in rows}
    names = related.service_names(org, [s for s, _ in counts])
    services = sorted(
        {s for s, _ in counts},
        key=lambda s: (s is None, names.get(s, f"Service {s}") if s else ""),
    )
    used = {c for _, c in counts}
    causes = [(key, label) for key, label in CAUSES.items() if key in used]
    causes += [(c, c) for c in sorted(used - set(CAUSES))]
    return Grid(
        services=[(s, names.get(s, f"Service {s}") if s else NO_SERVICE) for s in services],
        causes=causes,
        counts=counts,
    )


@dataclass(frozen=True)
class Acknowledgement:
    """How complaints received in a period were acknowledged against their target."""

    on_time: int
    late: int
    overdue: int  # not acknowledged, past the target
    waiting: int  # not acknowledged, still in time

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue + self.waiting

    @property
    def on_time_percent(self) -> int | None:
        due = self.on_time + self.late + self.overdue
        return round(100 * self.on_time / due) if due else None


def acknowledgement(
    org: Organisation, period: Period, now: dt.datetime | None = None
) -> Acknowledgement:
    """Counted with the complaints list's own filter, so each figure links to its complaints."""
    received = Complaint.in_org(org).where(period.where(Complaint.received_at))
    counts = {
        state: received.where(acknowledgement_where(state, now)).count()
        for state in ("on_time", "late", "overdue", "waiting")
    }
    return Acknowledgement(**counts)
