"""A survey's life: invited on resolution, sent when due if the reporter allows it, answered once.

``invite`` runs on ``incidents.resolved``; ``send_due`` runs each minute in
the worker (and right after a resolution, for a delay of 0). Sending asks
contacts' consent first and writes the email into incidents' outbox, which
delivers it; a survey that may not be sent records why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from typing import Any

from accord import Organisation, database, plugin_settings, utcnow
from accord.models import PluginEnablement
from accord.plugins.contacts.consent import may_contact, record_contact
from accord.plugins.contacts.models import Person
from accord.plugins.incidents.mail import queue_message
from accord.plugins.incidents.models import Incident

from . import links
from .models import Survey

log = logging.getLogger("accord.plugins.satisfaction")

PLUGIN = "satisfaction"
DONE = ("resolved", "closed")
# A refusal that lifts within hours (quiet hours) postpones the survey rather than skipping it.
RETRY_PROBES = (dt.timedelta(hours=4), dt.timedelta(hours=8), dt.timedelta(hours=12))


def settings_of(org: Organisation) -> dict[str, Any]:
    return plugin_settings.get(org, PLUGIN)


def in_sample(org: Organisation, incident_id: int, share_percent: int) -> bool:
    """Whether the incident is in the surveyed share: the same answer every time (a hash)."""
    if share_percent >= 100:
        return True
    if share_percent <= 0:
        return False
    digest = hashlib.sha256(f"{int(org.id)}:{incident_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < share_percent


def invite(org: Organisation, incident_id: int, now: dt.datetime | None = None) -> Survey | None:
    """A survey of the incident just resolved, due after the delay; None if not sampled."""
    now = now or utcnow()
    incident = Incident.in_org(org).where(Incident.id == incident_id).first()
    if incident is None or incident.status not in DONE:
        return None
    settings = settings_of(org)
    if not in_sample(org, incident.id, int(settings.get("share_percent", 100))):
        return None
    # A resolution after a reopening replaces the survey not sent yet.
    Survey.update(status="cancelled", reason="The incident was resolved again.").where(
        (Survey.incident == incident.id) & (Survey.status == "pending")
    ).execute()
    return Survey.create(
        org=org,
        incident=incident.id,
        person=incident.reporter_id,
        service_id=incident.service_id,
        team_id=incident.team_id,
        agent=incident.assignee_id,
        nonce=secrets.token_hex(16),
        send_after=now + dt.timedelta(hours=max(int(settings.get("delay_hours") or 0), 0)),
    )


def cancel_for_reopened(org: Organisation, incident_id: int) -> int:
    return (
        Survey.update(status="cancelled", reason="The incident was reopened before it was sent.")
        .where(
            (Survey.org == org) & (Survey.incident == incident_id) & (Survey.status == "pending")
        )
        .execute()
    )


def organisations() -> list[Organisation]:
    """Organisations where satisfaction is enabled (the periodic task acts for these only)."""
    return list(
        Organisation.select()
        .join(PluginEnablement, on=(PluginEnablement.org == Organisation.id))
        .where((PluginEnablement.plugin == PLUGIN) & PluginEnablement.enabled)
        .order_by(Organisation.id)
    )


def send_due_everywhere(now: dt.datetime | None = None) -> int:
    sent = 0
    with database.connection_context():
        for org in organisations():
            try:
                sent += send_due(org, now)
            except Exception:  # one organisation's trouble must not stop the others'
                log.exception("sending satisfaction surveys for %s failed", org.slug)
    return sent


def send_due(org: Organisation, now: dt.datetime | None = None) -> int:
    """Send ``org``'s surveys that are due; count those sent."""
    now = now or utcnow()
    due = list(
        Survey.in_org(org)
        .where((Survey.status == "pending") & (Survey.send_after <= now))
        .order_by(Survey.send_after)
        .limit(200)
    )
    sent = 0
    for survey in due:
        with database.atomic():
            sent += _send(org, survey, now)
    return sent


def _skip(survey: Survey, reason: str, status: str = "skipped") -> int:
    Survey.update(status=status, reason=reason[:300]).where(Survey.id == survey.id).execute()
    return 0


def _send(org: Organisation, survey: Survey, now: dt.datetime) -> int:
    # Claim it first, so a request and the worker never both send it.
    claimed = (
        Survey.update(status="sending")
        .where((Survey.id == survey.id) & (Survey.status == "pending"))
        .execute()
    )
    if not claimed:
        return 0
    incident = Incident.get_by_id(survey.incident_id)
    if incident.status not in DONE:
        return _skip(survey, "The incident was reopened before it was sent.", "cancelled")
    person = Person.get_or_none(Person.id == survey.person_id) if survey.person_id else None
    if person is None:
        return _skip(survey, "The incident has no reporter in contacts.")
    decision = may_contact(person, channel="email", purpose="surveys", at=now)
    if not decision:
        later = next((now + p for p in RETRY_PROBES if may_contact(person, at=now + p)), None)
        if later is not None:
            Survey.update(status="pending", send_after=later, reason=decision.reason[:300]).where(
                Survey.id == survey.id
            ).execute()
            return 0
        return _skip(survey, decision.reason)
    days = int(settings_of(org).get("link_days") or 14)
    subject, body = compose(org, survey, incident, person, days)
    email = queue_message(incident, subject, body, kind="survey")
    if email is None:
        return _skip(survey, "Incidents does not email reporters (its settings).")
    record_contact(person, channel="email", purpose="surveys", source=PLUGIN, at=now)
    Survey.update(
        status="sent",
        sent_at=now,
        expires_at=now + dt.timedelta(days=days),
        email_id=email.id,
        reason="",
    ).where(Survey.id == survey.id).execute()
    return 1


def compose(
    org: Organisation, survey: Survey, incident: Incident, person: Person, days: int
) -> tuple[str, str]:
    """The survey email: one link per score, and one to say it is not fixed."""
    scores = "\n".join(
        f"  {n} {label}: {links.survey_url(org, survey, score=n)}"
        for n, label in SCORE_WORDS.items()
    )
    body = (
        f"Dear {person.first_name},\n\n"
        f"We resolved your incident {incident.reference} ({incident.title}). "
        "How satisfied are you with how we handled it? One click is enough:\n\n"
        f"{scores}\n\n"
        f"Not fixed after all? Tell us: {links.survey_url(org, survey, not_resolved=1)}\n\n"
        f"The links work for {days} days. Thank you.\n\n{org.name}\n"
    )
    return f"[{incident.reference}] How did we do?", body


SCORE_WORDS = {
    5: "Very satisfied",
    4: "Satisfied",
    3: "Neither",
    2: "Dissatisfied",
    1: "Very dissatisfied",
}
