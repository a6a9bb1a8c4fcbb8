"""Times and durations as agents and reporters read them."""

from __future__ import annotations

import datetime as dt

from accord import Organisation


def span(delta: dt.timedelta | None) -> str:
    """``"3 d 2 h"``, ``"2 h 15 min"``, ``"40 min"``; negative spans read as overdue amounts."""
    if delta is None:
        return ""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if minutes and not days:
        parts.append(f"{minutes} min")
    return " ".join(parts) or "0 min"


def business_span(minutes: int | None) -> str:
    """Business minutes as a target reads: ``"4 business hours"``, ``"1 h 30 min"``."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if hours and not rest:
        return f"{hours} business hour" + ("" if hours == 1 else "s")
    if not hours:
        return f"{rest} business minute" + ("" if rest == 1 else "s")
    return f"{hours} h {rest} min of business time"


def short_time(org: Organisation, moment: dt.datetime | None) -> str:
    """``moment`` (naive UTC) in the organisation's zone, briefly: ``"Fri 07 Mar 18:00"``.

    For the SLA ledger, whose caption names the zone; elsewhere ``accord.local_time``.
    """
    if moment is None:
        return ""
    return moment.replace(tzinfo=dt.UTC).astimezone(org.zone).strftime("%a %d %b %H:%M")
