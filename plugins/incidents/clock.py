"""The SLA clock: when a target falls due in business hours, with pauses, and why.

Pure functions over the catalogue's ``BusinessHours`` (no database)::

    clock = run_clock(
        hours,                                  # business_hours_for(service)
        logged_at,
        Target(minutes=480, warning_percent=75),
        holds=[Hold(paused_at, resumed_at, "pending", "pending: awaiting the customer")],
        markers=[Marker(changed_at, "priority_changed", "priority changed from P3 to P2")],
        stop=resolved_at,                       # None while the clock runs
        now=utcnow(),
    )
    clock.due, clock.warn_at, clock.state(now)
    for entry in clock.ledger:                  # why it is due then
        print(entry.start, entry.end, entry.counted, entry.reason)

The clock counts business time from ``start`` except while held (pending, or
resolved until reopened). Its target is the one agreed now: when the priority
or the service level changes, the business time already counted counts towards
the new target, and a marker in the ledger says when and why it changed. The
ledger covers ``start`` to now (or to the stop) and, while the clock runs, on
to the due time: what the clock will count if nothing else happens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from accord.plugins.catalogue.hours import BusinessHours, Stretch

ZERO = dt.timedelta()


@dataclass(frozen=True)
class Target:
    """What is agreed: business minutes until due, and the share after which it is at risk."""

    minutes: int
    warning_percent: int = 75

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)

    @property
    def warning(self) -> dt.timedelta:
        return self.duration * self.warning_percent / 100


@dataclass(frozen=True)
class Hold:
    """Time that does not count whatever the calendar says; ``end`` None while it lasts."""

    start: dt.datetime
    end: dt.datetime | None
    kind: str  # "pending" or "resolved"
    reason: str


@dataclass(frozen=True)
class Marker:
    """A moment worth explaining: the priority or the service level changed."""

    at: dt.datetime
    kind: str
    reason: str


@dataclass(frozen=True)
class Entry:
    """One line of the ledger: a stretch that counted or not, and why.

    A marker is an entry of no length. ``projected`` entries lie after the
    moment the clock was computed; ``ongoing`` marks a hold that had not ended.
    """

    start: dt.datetime
    end: dt.datetime
    counted: bool
    kind: str
    reason: str
    projected: bool = False
    ongoing: bool = False

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start

    @property
    def is_marker(self) -> bool:
        return self.start == self.end and not self.counted


@dataclass(frozen=True)
class Clock:
    """A clock computed at ``horizon``: how much counted, when it is due, and the ledger."""

    target: Target | None
    start: dt.datetime
    horizon: dt.datetime
    elapsed: dt.timedelta
    due: dt.datetime | None
    warn_at: dt.datetime | None
    stopped: bool
    paused: bool
    ledger: tuple[Entry, ...]

    @property
    def remaining(self) -> dt.timedelta | None:
        """Business time left until due (negative once overdue), as of ``horizon``."""
        return None if self.target is None else self.target.duration - self.elapsed

    @property
    def overdue(self) -> bool:
        """More business time has counted than the target allows, or the clock ran past its
        due time: the whole target counted and it was still going after that instant (say,
        stopped a minute after the day's last business minute)."""
        if self.target is None:
            return False
        if self.elapsed > self.target.duration:
            return True
        return self.due is not None and self.horizon > self.due

    def state(self, now: dt.datetime) -> str:
        """``on_track``, ``at_risk``, ``breached``, ``met``, ``paused`` or ``none``."""
        if self.target is None:
            return "none"
        if self.stopped:
            return "breached" if self.overdue else "met"
        if self.overdue:
            return "breached"
        if self.paused:
            return "paused"
        if self.due is not None and now > self.due:
            return "breached"
        if self.warn_at is not None and now >= self.warn_at:
            return "at_risk"
        return "on_track"


def run_clock(
    hours: BusinessHours,
    start: dt.datetime,
    target: Target | None,
    *,
    holds: Sequence[Hold] = (),
    markers: Sequence[Marker] = (),
    stop: dt.datetime | None = None,
    now: dt.datetime,
) -> Clock:
    """The clock from ``start`` as it stands at ``now`` (or at ``stop``, when it stopped)."""
    stopped = stop is not None and stop <= now
    horizon = max(start, stop if stopped and stop is not None else now)
    holds = _known(holds, horizon)
    past = _ledger(hours, start, horizon, holds, markers)
    elapsed = sum((e.duration for e in past if e.counted), ZERO)
    paused = not stopped and any(h.end is None for h in holds)
    due = warn_at = None
    projected: list[Entry] = []
    if target is not None:
        due = _reached(past, target.duration)
        warn_at = _reached(past, target.warning)
        if not paused:
            if due is None:
                due = hours.add(horizon, target.duration - elapsed)
                if not stopped:
                    projected = [_entry(s, projected=True) for s in hours.intervals(horizon, due)]
            if warn_at is None:
                warn_at = hours.add(horizon, target.warning - elapsed)
    return Clock(
        target=target,
        start=start,
        horizon=horizon,
        elapsed=elapsed,
        due=due,
        warn_at=warn_at,
        stopped=stopped,
        paused=paused,
        ledger=tuple(_with_due(past + projected, due, start)),
    )


DUE = "due: the whole target has counted"


def _with_due(ledger: list[Entry], due: dt.datetime | None, start: dt.datetime) -> list[Entry]:
    """The ledger with a marker where the target was (or will be) reached, when it covers it."""
    if due is None or not ledger or due > ledger[-1].end:
        return ledger
    return _with_markers(ledger, [Marker(due, "due", DUE)], start, ledger[-1].end)


def _known(holds: Sequence[Hold], horizon: dt.datetime) -> list[Hold]:
    """Holds as known at ``horizon``: later ones do not exist yet; one not over by then is open."""
    return [
        h if h.end is None or h.end <= horizon else Hold(h.start, None, h.kind, h.reason)
        for h in holds
        if h.start <= horizon
    ]


# --- The ledger ---------------------------------------------------------------------------------


def _entry(stretch: Stretch, *, projected: bool = False) -> Entry:
    return Entry(
        stretch.start, stretch.end, stretch.counted, stretch.kind, stretch.reason, projected
    )


def _held(holds: Iterable[Hold], moment: dt.datetime, horizon: dt.datetime) -> Hold | None:
    for hold in holds:
        if hold.start <= moment < (hold.end or horizon):
            return hold
    return None


def _ledger(
    hours: BusinessHours,
    start: dt.datetime,
    horizon: dt.datetime,
    holds: Sequence[Hold],
    markers: Sequence[Marker],
) -> list[Entry]:
    """``start`` to ``horizon`` as the calendar sees it, with holds laid over it and markers in."""
    holds = sorted(holds, key=lambda h: h.start)
    cuts = {h.start for h in holds} | {h.end for h in holds if h.end is not None}
    pieces: list[Entry] = []
    for stretch in hours.intervals(start, horizon):
        points = sorted(
            {stretch.start, stretch.end} | {c for c in cuts if stretch.start < c < stretch.end}
        )
        for a, b in zip(points, points[1:], strict=False):
            hold = _held(holds, a, horizon)
            if hold is None:
                piece = Entry(a, b, stretch.counted, stretch.kind, stretch.reason)
            else:
                piece = Entry(a, b, False, hold.kind, hold.reason, ongoing=hold.end is None)
            pieces.append(piece)
    return _with_markers(_merged(pieces), markers, start, horizon)


def _merged(pieces: list[Entry]) -> list[Entry]:
    merged: list[Entry] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if last and (last.counted, last.kind, last.reason) == (
            piece.counted,
            piece.kind,
            piece.reason,
        ):
            merged[-1] = Entry(
                last.start,
                piece.end,
                last.counted,
                last.kind,
                last.reason,
                ongoing=last.ongoing or piece.ongoing,
            )
        else:
            merged.append(piece)
    return merged


def _with_markers(
    entries: list[Entry], markers: Sequence[Marker], start: dt.datetime, horizon: dt.datetime
) -> list[Entry]:
    """``entries`` split at each marker inside the span, with the marker's own entry between."""
    result = list(entries)
    for marker in sorted(markers, key=lambda m: m.at):
        if not start <= marker.at <= horizon:
            continue
        flag = Entry(marker.at, marker.at, False, marker.kind, marker.reason)
        for index, entry in enumerate(result):
            if entry.is_marker and entry.start <= marker.at:
                continue
            if entry.start >= marker.at:
                result.insert(index, flag)
                break
            if entry.start < marker.at < entry.end:
                before = replace(entry, end=marker.at, ongoing=False)
                result[index : index + 1] = [before, flag, replace(entry, start=marker.at)]
                break
        else:
            result.append(flag)
    return result


def _reached(ledger: Iterable[Entry], amount: dt.timedelta) -> dt.datetime | None:
    """The instant the counted time in ``ledger`` reaches ``amount``, if it does."""
    total = ZERO
    for entry in ledger:
        if not entry.counted:
            continue
        if total + entry.duration >= amount:
            return entry.start + (amount - total)
        total += entry.duration
    return None
