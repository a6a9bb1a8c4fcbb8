"""Automatic escalation: when an SLA clock warns or breaches, record it once and act on the rules.

The periodic task ``incidents.escalate`` (each minute, in ``accord worker``)
calls ``run(org)`` for every organisation. An incident carries ``alert_at``,
the next instant one of its running clocks warns or breaches without an alert
yet (``sla.next_alert``, kept by every recompute), behind a partial index of
only such incidents: the task reads those due, never the million others.

Each alert is a ``SlaAlert`` row, unique per incident, clock, state and round
(reopening starts a new round), and the incident's ``alert_at`` is claimed
with a conditional UPDATE first: running the task twice, or in two workers at
once, alerts and escalates once.

What follows an alert is the organisation's rule for the incident's priority
and the trigger (``warning``: at risk; ``breach``): hand it to the lowest team
of a higher tier, email the team's lead, email the organisation's managers.
Every step is on the incident's timeline.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from accord import Organisation, database, local_time, members_of, utcnow
from accord.settings import current as current_settings

from . import mail, sla, watching
from .choices import PRIORITIES, SLA_STATES, priority_label
from .intake import record
from .models import EscalationRule, Incident, SlaAlert, Team
from .workflow import assign

log = logging.getLogger("accord.plugins.incidents.escalation")

TRIGGERS = {"warning": "When a clock is at risk", "breach": "When a clock is breached"}
STATE_TRIGGER = {"at_risk": "warning", "breached": "breach"}
ACTIONS = {
    "next_tier": "Escalate to the next tier's team",
    "notify_lead": "Email the team lead",
    "notify_manager": "Email the managers",
}
BATCH = 500


@dataclass(frozen=True)
class Rule:
    next_tier: bool = False
    notify_lead: bool = False
    notify_manager: bool = False

    @property
    def actions(self) -> list[str]:
        return [name for name in ACTIONS if getattr(self, name)]


# Critical and high incidents move before they breach; the rest tell people when they do.
DEFAULT_RULES = {
    (1, "warning"): Rule(next_tier=True, notify_lead=True),
    (1, "breach"): Rule(notify_lead=True, notify_manager=True),
    (2, "warning"): Rule(notify_lead=True),
    (2, "breach"): Rule(next_tier=True, notify_manager=True),
    (3, "warning"): Rule(),
    (3, "breach"): Rule(notify_lead=True),
    (4, "warning"): Rule(),
    (4, "breach"): Rule(notify_lead=True),
}


def rules_for(org: Organisation) -> dict[tuple[int, str], Rule]:
    """The organisation's rule for each priority and trigger (its own, else the default)."""
    rules = dict(DEFAULT_RULES)
    for row in EscalationRule.in_org(org):
        rules[(int(row.priority), str(row.trigger))] = Rule(
            bool(row.next_tier), bool(row.notify_lead), bool(row.notify_manager)
        )
    return rules


def save_rules(org: Organisation, wanted: dict[tuple[int, str], Rule]) -> int:
    """Store every rule that differs from the default (and drop the others); count changes."""
    current = rules_for(org)
    changed = sum(1 for key, rule in wanted.items() if current.get(key) != rule)
    EscalationRule.delete().where(EscalationRule.org == org).execute()
    rows = [
        {
            "org": org.id,
            "priority": priority,
            "trigger": trigger,
            "next_tier": rule.next_tier,
            "notify_lead": rule.notify_lead,
            "notify_manager": rule.notify_manager,
        }
        for (priority, trigger), rule in wanted.items()
        if DEFAULT_RULES.get((priority, trigger)) != rule
    ]
    if rows:
        EscalationRule.insert_many(rows).execute()
    return changed


def all_keys() -> list[tuple[int, str]]:
    return [(p, t) for p in PRIORITIES for t in TRIGGERS]


# --- The periodic run --------------------------------------------------------------------------


def run(org: Organisation, now: dt.datetime | None = None) -> int:
    """Alert and escalate ``org``'s incidents whose clocks warned or breached; count alerts."""
    now = now or utcnow()
    due = list(
        Incident.in_org(org, Incident.id, Incident.alert_at)
        .where(Incident.alert_at.is_null(False) & (Incident.alert_at <= now))
        .order_by(Incident.alert_at)
        .limit(BATCH)
    )
    rules = rules_for(org) if due else {}
    count = 0
    for row in due:
        try:
            with database.atomic():
                count += _check(row.id, row.alert_at, rules, now)
        except Exception:  # one incident's trouble must not stop the others'
            log.exception("escalating incident %s failed", row.id)
    return count


def _check(incident_id: int, seen: dt.datetime, rules: dict, now: dt.datetime) -> int:
    # Claim: only the run that clears the alert time it saw goes on.
    claimed = (
        Incident.update(alert_at=None)
        .where((Incident.id == incident_id) & (Incident.alert_at == seen))
        .execute()
    )
    if not claimed:
        return 0
    incident = Incident.get_by_id(incident_id)
    done = sla.alerted(incident)
    alerts = 0
    for clock, warn, due in sla.running_clocks(incident):
        reached = [
            state
            for state, moment in (("at_risk", warn), ("breached", due))
            if moment is not None and moment <= now and (clock, state) not in done
        ]
        if not reached:
            continue
        for state in reached:
            SlaAlert.create(
                org=incident.org_id,
                incident=incident.id,
                clock=clock,
                state=state,
                round=incident.reopen_count,
                at=now,
            )
        # Late (the worker was down): the worst state counts; the milder one is only noted.
        state = reached[-1]
        moment = due if state == "breached" else warn
        words = f"{clock.capitalize()} clock {SLA_STATES[state].lower()}"
        when = f"due {local_time(incident.org, due)}" if due else ""
        record(
            incident,
            "sla_alert",
            f"{words} ({when})" if when else words,
            at=now,
            data={"clock": clock, "state": state, "at": moment.isoformat() if moment else None},
        )
        rule = rules.get((int(incident.priority), STATE_TRIGGER[state]), Rule())
        _escalate(incident, rule, f"{priority_label(incident.priority)}, {words.lower()}", now)
        alerts += 1
    Incident.update(alert_at=sla.next_alert(incident)).where(Incident.id == incident.id).execute()
    return alerts


def next_tier_team(incident: Incident) -> Team | None:
    """The lowest team of a higher tier than the incident's team (any team when it has none)."""
    current = Team.get_or_none(Team.id == incident.team_id) if incident.team_id else None
    tier = int(current.tier) if current else 0
    return Team.in_org(incident.org).where(Team.tier > tier).order_by(Team.tier, Team.name).first()


def _escalate(incident: Incident, rule: Rule, why: str, now: dt.datetime) -> None:
    if rule.next_tier:
        target = next_tier_team(incident)
        if target is None:
            record(
                incident, "escalation", f"No team of a higher tier to escalate to ({why})", at=now
            )
        else:
            # The person it was with belongs to the team it leaves.
            assign(
                incident,
                incident.version,
                team=target,
                assignee=None,
                user=None,
                now=now,
                quiet=True,
                reason=f"automatic, {why}",
            )
    told = []
    sent: set[str] = set()  # one message per person per event, whatever hats they wear

    def tell(address: str) -> None:
        if address.lower() not in sent:
            sent.add(address.lower())
            _tell(incident, address, why)

    if rule.notify_lead:
        team = Team.get_or_none(Team.id == incident.team_id) if incident.team_id else None
        lead = team.lead if team is not None and team.lead_id else None
        if lead is not None and lead.email:
            tell(str(lead.email))
            told.append(f"the lead of {team}, {lead.name}")
        else:
            record(incident, "escalation", f"No team lead to notify ({why})", at=now)
    if rule.notify_manager:
        managers = [m for m in members_of(incident.org, roles=("manager",)) if m.email]
        for manager in managers:
            tell(str(manager.email))
        if managers:
            told.append("the managers " + ", ".join(str(m.name) for m in managers))
        else:
            record(incident, "escalation", f"No manager to notify ({why})", at=now)
    if told:
        record(incident, "escalation", f"Notified {' and '.join(told)} ({why})", at=now)
    if rule.actions:
        Incident.update(escalated_at=now).where(Incident.id == incident.id).execute()
        incident.escalated_at = now
        moved = Team.get_or_none(Team.id == incident.team_id) if rule.next_tier else None
        where = f" to {moved} ({moved.tier_label})" if moved is not None else ""
        watching.tell(incident, f"escalated{where}: {why}", actor=None, kind="escalation")


def _tell(incident: Incident, address: str, why: str) -> None:
    subject = f"[{incident.reference}] Escalated: {incident.title} ({why})"
    body = (
        f"{incident.reference} {incident.title}\n\n"
        f"Escalated automatically: {why}.\n"
        f"Priority {priority_label(incident.priority)}, status {incident.status_label.lower()}.\n\n"
        f"Open it in Accord: {current_settings().public_url}"
        f"/o/{incident.org.slug}/incidents/{incident.id}\n"
    )
    mail.queue_to(incident, address, subject, body, kind="escalation")
