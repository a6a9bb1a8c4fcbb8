"""Demo answers: surveys of the demo's resolved incidents, mostly happy, a few not.

Low scores get their follow-up (a recovery task, or a complaint where the
organisation chose so), as they would have from the survey page.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from accord import DemoContext, utcnow
from accord.plugins.incidents.models import Incident

from . import answers
from .models import RecoveryTask, Survey
from .surveys import settings_of

COMMENTS = {
    5: ("Quick and friendly, thank you!", "Sorted within the hour.", ""),
    4: ("Good, though it took a couple of days.", "", "Fine."),
    3: ("OK in the end.", "", "Had to chase twice."),
    2: ("Took far too long and nobody updated me.", "Fixed, but I had to explain it three times."),
    1: ("Closed without asking me. It is still not right.", "Nobody called back."),
}
WEIGHTS = (5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1)


def add_demo_surveys(demo: DemoContext) -> None:
    org = demo.org
    rng = random.Random(f"satisfaction-{org.slug}")
    now = utcnow()
    low = int(settings_of(org).get("low_score") or 2)
    resolved = Incident.in_org(org).where(
        Incident.status.in_(("resolved", "closed")) & Incident.resolved_at.is_null(False)
    )
    for incident in resolved.order_by(Incident.resolved_at):
        sent_at = incident.resolved_at + dt.timedelta(hours=1)
        survey = Survey.create(
            org=org,
            incident=incident.id,
            person=incident.reporter_id,
            service_id=incident.service_id,
            team_id=incident.team_id,
            agent=incident.assignee_id,
            nonce=secrets.token_hex(16),
            created_at=incident.resolved_at,
            send_after=sent_at,
            status="sent" if sent_at <= now else "pending",
            sent_at=sent_at if sent_at <= now else None,
            expires_at=sent_at + dt.timedelta(days=14),
        )
        answered_at = sent_at + dt.timedelta(hours=rng.randint(1, 72))
        if survey.status != "sent" or answered_at > now or rng.random() > 0.6:
            continue
        score = rng.choice(WEIGHTS)
        comment = rng.choice(COMMENTS[score])
        Survey.update(
            status="answered",
            score=score,
            comment=comment,
            answered_at=answered_at,
            month=f"{answered_at:%Y-%m}",
        ).where(Survey.id == survey.id).execute()
        if score <= low:
            answers.follow_up(Survey.get_by_id(survey.id), quiet=True, at=answered_at)
    # Leads have worked through the older low scores.
    RecoveryTask.update(
        status="done",
        note="Called the reporter, apologised and checked it works now.",
        done_at=now - dt.timedelta(days=3),
    ).where(
        (RecoveryTask.org == org) & (RecoveryTask.created_at < now - dt.timedelta(days=10))
    ).execute()
