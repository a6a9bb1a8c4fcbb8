"""A reporter's answer: a score with a comment, or "it is not resolved"; accepted once.

The link's GET only shows the form (mail scanners fetch links; a fetch must
not answer), and the POST records the answer with a conditional UPDATE on
``status = 'sent'``, so a second use, even at the same instant, is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from accord import Organisation, plugin_settings, utcnow
from accord.models import PluginEnablement
from accord.plugins.incidents import workflow
from accord.plugins.incidents.models import Incident, Team

from . import links
from .models import RecoveryTask, Survey
from .surveys import PLUGIN, settings_of


@dataclass(frozen=True)
class Found:
    """What a link leads to: the survey, or why it cannot be used (``problem``)."""

    survey: Survey | None
    problem: str = ""  # "invalid", "closed", "answered", "expired"


def enabled(org_id: int, plugin: str) -> bool:
    return (
        PluginEnablement.select()
        .where(
            (PluginEnablement.org == org_id)
            & (PluginEnablement.plugin == plugin)
            & PluginEnablement.enabled
        )
        .exists()
    )


def find(token: str, now: dt.datetime | None = None) -> Found:
    read = links.read(token)
    if read is None:
        return Found(None, "invalid")
    survey = Survey.get_or_none(Survey.id == read[0])
    if survey is None or survey.nonce != read[1] or not enabled(survey.org_id, PLUGIN):
        return Found(None, "invalid")
    if survey.status == "answered":
        return Found(survey, "answered")
    if survey.status != "sent":
        return Found(survey, "closed")
    if survey.expires_at is not None and (now or utcnow()) > survey.expires_at:
        return Found(survey, "expired")
    return Found(survey)


def _claim(survey: Survey, now: dt.datetime, values: dict[str, Any]) -> bool:
    updated = (
        Survey.update(status="answered", answered_at=now, month=f"{now:%Y-%m}", **values)
        .where((Survey.id == survey.id) & (Survey.status == "sent"))
        .execute()
    )
    return bool(updated)


def rate(survey: Survey, score: int, comment: str, now: dt.datetime | None = None) -> bool:
    """Record ``score`` (1–5); False when the survey was answered meanwhile."""
    now = now or utcnow()
    if not _claim(survey, now, {"score": score, "comment": comment.strip()[:5000]}):
        return False
    survey = Survey.get_by_id(survey.id)
    threshold = int(settings_of(survey.org).get("low_score") or 2)
    if score <= threshold:
        follow_up(survey)
    return True


def not_resolved(survey: Survey, comment: str, now: dt.datetime | None = None) -> str | None:
    """Reopen the incident; None when answered meanwhile, else a sentence for the reporter."""
    now = now or utcnow()
    comment = comment.strip()[:5000]
    if not _claim(survey, now, {"not_resolved": True, "comment": comment}):
        return None
    incident = Incident.get_by_id(survey.incident_id)
    window = int(plugin_settings.get(incident.org, "incidents").get("reopen_days") or 7)
    reason = "The reporter said in the satisfaction survey that it is not resolved."
    if comment:
        reason += f" “{comment}”"
    contact = (
        f"Please contact the service desk, quoting {incident.reference}, "
        "and we will look at it again."
    )
    if incident.status not in ("resolved", "closed"):
        return f"Thank you. We are already working on {incident.reference} again."
    if incident.status == "closed":
        return f"{incident.reference} can no longer be reopened: it has been closed. {contact}"
    try:
        workflow.reopen(incident, incident.version, reason, window_days=window, user=None, now=now)
    except workflow.NotAllowed:
        return (
            f"{incident.reference} can no longer be reopened: it was resolved more than "
            f"{window} days ago. {contact}"
        )
    Survey.update(reopened=True).where(Survey.id == survey.id).execute()
    return (
        f"Thank you. We have reopened {incident.reference} and will be in touch. "
        f"Please quote {incident.reference} if you contact us about it."
    )


def follow_up(survey: Survey, *, quiet: bool = False, at: dt.datetime | None = None) -> None:
    """A low score: a complaint or a recovery task, as the organisation chose.

    ``quiet`` and ``at`` (demo data): no event for the complaint; when the task was opened.
    """
    org: Organisation = survey.org
    incident = Incident.get_by_id(survey.incident_id)
    choice = settings_of(org).get("on_low_score") or "recovery_task"
    if choice == "complaint" and enabled(org.id, "complaints"):
        from accord.plugins.complaints.api import open_complaint  # complaints is optional
        from accord.plugins.contacts.models import Person

        person = Person.get_or_none(Person.id == survey.person_id) if survey.person_id else None
        words = f"Satisfaction survey for {incident.reference} ({incident.title}): "
        words += f"scored {survey.score} out of 5."
        if survey.comment:
            words += f"\n\n“{survey.comment}”"
        complaint = open_complaint(
            org,
            person=person,
            description=words,
            source="satisfaction survey",
            incident=incident,
            channel="survey",
            quiet=quiet,
        )
        Survey.update(follow_up=f"complaint:{complaint.id}").where(Survey.id == survey.id).execute()
        return
    team = Team.get_or_none(Team.id == survey.team_id) if survey.team_id else None
    task = RecoveryTask.create(
        org=org,
        survey=survey.id,
        incident=incident.id,
        assignee=team.lead_id if team is not None else None,
        created_at=at or utcnow(),
    )
    Survey.update(follow_up=f"task:{task.id}").where(Survey.id == survey.id).execute()
