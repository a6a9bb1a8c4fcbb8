"""An incident's two SLA clocks, from its service, priority and timeline; stored for queues.

``recompute(incident)`` runs after every change that can move a clock (logging,
a status change, a new priority or service, a changed service level or
calendar). It stores each clock's due and warning instants on the incident and
rewrites its ledger, so pages and queues read them without computing anything.

The response clock stops when someone first acts for the reporter (starts the
work, replies, pends or resolves); the resolution clock stops on resolution.
Both count business time in the service's calendar, except while the incident
is pending or resolved (until reopened).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from accord import utcnow
from accord.plugins.catalogue import business_hours_for, service_level
from accord.plugins.catalogue.hours import BusinessHours, NoBusinessHours
from accord.plugins.catalogue.models import Service

from . import summaries
from .choices import DONE, OPEN, PENDING_REASONS, priority_label
from .clock import Clock, Hold, Marker, Target, run_clock
from .models import Activity, ClockLedger, Incident, SlaAlert

CLOCKS = ("response", "resolution")
MARKER_KINDS = {"priority": "priority_changed", "sla": "sla_changed"}


@dataclass(frozen=True)
class Inputs:
    holds: tuple[Hold, ...]
    markers: tuple[Marker, ...]


def hours_for(incident: Incident) -> BusinessHours:
    service = (
        Service.get_or_none(Service.id == incident.service_id) if incident.service_id else None
    )
    return business_hours_for(service) if service is not None else BusinessHours.always()


def targets_for(incident: Incident) -> tuple[Target | None, Target | None]:
    """The response and resolution targets agreed for the incident's service and priority."""
    if not incident.service_id:
        return None, None
    level = service_level(incident.service_id, incident.priority)
    if level is None:
        return None, None
    warning = int(level.warning_percent)
    return Target(int(level.response_minutes), warning), Target(
        int(level.resolution_minutes), warning
    )


def pending_words(reason: str, note: str = "") -> str:
    label = PENDING_REASONS.get(reason, reason).lower()
    return f"pending: {label}" + (f" ({note})" if note else "")


def inputs(activities: Iterable[Activity]) -> Inputs:
    """Holds and markers read from the timeline's status, priority and SLA entries, in order."""
    holds: list[Hold] = []
    markers: list[Marker] = []
    pending: tuple[dt.datetime, str] | None = None
    resolved_at: dt.datetime | None = None
    for activity in sorted(activities, key=lambda a: (a.at, a.id or 0)):
        data = activity.data or {}
        if activity.kind in MARKER_KINDS:
            markers.append(Marker(activity.at, MARKER_KINDS[activity.kind], activity.body))
        if activity.kind != "status":
            continue
        before, after = data.get("from"), data.get("to")
        if before == "pending" and pending is not None:
            holds.append(Hold(pending[0], activity.at, "pending", pending[1]))
            pending = None
        if before == "resolved" and after != "closed" and resolved_at is not None:
            holds.append(Hold(resolved_at, activity.at, "resolved", "resolved, until reopened"))
            resolved_at = None
        if after == "pending":
            pending = (activity.at, pending_words(data.get("reason", ""), data.get("note", "")))
        elif after == "resolved":
            resolved_at = activity.at
    if pending is not None:
        holds.append(Hold(pending[0], None, "pending", pending[1]))
    return Inputs(tuple(holds), tuple(markers))


def clocks(incident: Incident, now: dt.datetime | None = None) -> tuple[Clock, Clock]:
    """Both clocks of ``incident`` as they stand at ``now``, computed afresh."""
    now = now or utcnow()
    found = inputs(Activity.select().where(Activity.incident == incident.id))
    response, resolution = targets_for(incident)
    try:
        hours = hours_for(incident)
        return _both(hours, incident, found, response, resolution, now)
    except NoBusinessHours:  # a calendar that never opens: no due time can exist
        return _both(BusinessHours.always(), incident, found, None, None, now)


def _both(
    hours: BusinessHours,
    incident: Incident,
    found: Inputs,
    response: Target | None,
    resolution: Target | None,
    now: dt.datetime,
) -> tuple[Clock, Clock]:
    start = incident.created_at
    options = {"holds": found.holds, "markers": found.markers, "now": now}
    stop = incident.resolved_at if incident.status in DONE else None
    return (
        run_clock(hours, start, response, stop=incident.responded_at, **options),
        run_clock(hours, start, resolution, stop=stop, **options),
    )


def _minutes(delta: dt.timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds() // 60)


def recompute(incident: Incident, now: dt.datetime | None = None) -> tuple[Clock, Clock]:
    """Compute both clocks, store their times on ``incident`` and rewrite its ledger.

    Bookkeeping: the incident's version does not change, so an edit form
    opened before stays valid, and the audit log is not filled with it.
    """
    now = now or utcnow()
    response, resolution = clocks(incident, now)
    running = [c for c in (response, resolution) if c.target and not c.stopped and not c.paused]
    dues = [c.due for c in running if c.due is not None]
    warns = [c.warn_at for c in running if c.warn_at is not None]
    values = {
        "response_due": response.due,
        "response_warn_at": response.warn_at,
        "response_breached": response.overdue,
        "resolution_due": resolution.due,
        "resolution_warn_at": resolution.warn_at,
        "resolution_breached": resolution.overdue,
        "resolution_remaining_minutes": (
            _minutes(resolution.remaining) if resolution.paused else None
        ),
        "has_target": response.target is not None or resolution.target is not None,
        "due_at": min(dues) if dues else None,
        "warn_at": min(warns) if warns else None,
        "sla_computed_at": now,
    }
    for name, value in values.items():
        incident.__data__[name] = value
    values["alert_at"] = incident.__data__["alert_at"] = next_alert(incident)
    Incident.update({getattr(Incident, k): v for k, v in values.items()}).where(
        Incident.id == incident.id
    ).execute()
    _write_ledger(incident, {"response": response, "resolution": resolution})
    # Every change to an incident ends here, so its daily summaries follow it.
    summaries.refresh(incident.id, incident.org)
    return response, resolution


def _write_ledger(incident: Incident, found: dict[str, Clock]) -> None:
    ClockLedger.delete().where(ClockLedger.incident == incident.id).execute()
    rows = [
        {
            "org": incident.org_id,
            "incident": incident.id,
            "clock": name,
            "position": position,
            "starts_at": entry.start,
            "ends_at": entry.end,
            "counted": entry.counted,
            "kind": entry.kind,
            "reason": entry.reason[:300],
            "projected": entry.projected,
            "ongoing": entry.ongoing,
        }
        for name, clock in found.items()
        for position, entry in enumerate(clock.ledger)
    ]
    for start in range(0, len(rows), 500):
        ClockLedger.insert_many(rows[start : start + 500]).execute()


def ledger(incident: Incident, clock: str) -> list[ClockLedger]:
    return list(
        ClockLedger.select()
        .where((ClockLedger.incident == incident.id) & (ClockLedger.clock == clock))
        .order_by(ClockLedger.position)
    )


def clock_state(incident: Incident, clock: str, now: dt.datetime | None = None) -> str:
    """One clock's state from the stored times: on_track, at_risk, breached, met, paused, none."""
    now = now or utcnow()
    if not incident.has_target:
        return "none"
    if clock == "response":
        due, warn = incident.response_due, incident.response_warn_at
        breached, stopped, paused = (
            incident.response_breached,
            incident.responded_at is not None,
            False,
        )
    else:
        due, warn = incident.resolution_due, incident.resolution_warn_at
        breached, stopped = incident.resolution_breached, incident.status in DONE
        paused = incident.status == "pending"
    if stopped:
        return "breached" if breached else "met"
    if breached:
        return "breached"
    if paused:
        return "paused"
    if due is not None and now > due:
        return "breached"
    if warn is not None and now >= warn:
        return "at_risk"
    return "on_track"


def priority_marker(before: int, after: int) -> str:
    return f"priority changed from {priority_label(before)} to {priority_label(after)}"


# --- Alerts: when the escalation task must look at an incident again ------------------------------

ALERT_STATES = ("at_risk", "breached")


def running_clocks(incident: Incident) -> list[tuple[str, dt.datetime | None, dt.datetime | None]]:
    """``(clock, warn_at, due)`` of the clocks counting now, from the stored times."""
    if incident.status not in OPEN or not incident.has_target:
        return []
    found = []
    if incident.responded_at is None:
        found.append(("response", incident.response_warn_at, incident.response_due))
    if incident.status != "pending":
        found.append(("resolution", incident.resolution_warn_at, incident.resolution_due))
    return found


def alerted(incident: Incident) -> set[tuple[str, str]]:
    """The ``(clock, state)`` alerts already raised in the incident's current round."""
    query = SlaAlert.select(SlaAlert.clock, SlaAlert.state).where(
        (SlaAlert.incident == incident.id) & (SlaAlert.round == incident.reopen_count)
    )
    return {(row.clock, row.state) for row in query}


def next_alert(incident: Incident) -> dt.datetime | None:
    """The next instant a running clock warns or breaches without an alert yet, or None."""
    clocks_now = running_clocks(incident)
    if not clocks_now:
        return None
    done = alerted(incident)
    moments = [
        moment
        for clock, warn, due in clocks_now
        for state, moment in (("at_risk", warn), ("breached", due))
        if moment is not None and (clock, state) not in done
    ]
    return min(moments) if moments else None
