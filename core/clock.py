"""One source of the current time (naive UTC, as stored) and one way to show a time to people."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Organisation


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def zone_of(org: Organisation | None) -> tzinfo:
    """The zone times are shown in: the organisation's, or UTC where there is none."""
    return org.zone if org is not None else UTC


def local(org: Organisation | None, moment: datetime) -> datetime:
    """``moment`` (naive UTC as stored, or aware) as an aware time in the organisation's zone."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone_of(org))


def local_time(org: Organisation | None, moment: datetime | date | None) -> str:
    """A time as every page, email, flash message and timeline shows it: ``2026-03-31 14:30 BST``.

    Always in the organisation's zone and always labelled with it; a date is
    ``2026-03-31``; nothing is ``""``. Templates use it as the ``datetime`` filter.
    """
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return moment.isoformat()
    shown = local(org, moment)
    return f"{shown:%Y-%m-%d %H:%M} {shown.tzname()}"


def local_iso(org: Organisation | None, moment: datetime) -> str:
    """``moment`` in the organisation's zone as ISO 8601 with its offset, for files: CSV, APIs."""
    return local(org, moment).isoformat(timespec="seconds")
