"""Demo complaints: a dozen over the last 90 days, at every stage, some acknowledged late.

Some were acknowledged by a letter, some have an internal note and a call from the
complainant on their timeline.
"""

from __future__ import annotations

import datetime as dt
import random

from accord import DemoContext, utcnow
from accord.plugins.contacts.models import Person

from . import correspondence, workflow
from .models import Note

COMPLAINTS = [
    (
        "service_failure",
        "high",
        "Email was down for most of the morning before our board meeting, and nobody told us.",
    ),
    ("slow_response", "medium", "My laptop fault took nine days to fix; we were promised three."),
    (
        "staff_conduct",
        "medium",
        "The engineer who visited was dismissive and left without explaining what he had done.",
    ),
    (
        "communication",
        "low",
        "We were not told about the planned network outage until it had started.",
    ),
    (
        "quality",
        "high",
        "The same printer fault has been 'fixed' four times this term and is back again.",
    ),
    ("policy", "low", "Being made to log a ticket to get a new mouse is absurd."),
    ("charges", "medium", "We were charged for an on-site visit that was cancelled by your side."),
    (
        "slow_response",
        "high",
        "The finance system has been slow for two weeks and nobody calls us back.",
    ),
    (
        "communication",
        "medium",
        "The incident was closed without anyone checking with us that it works.",
    ),
    (
        "service_failure",
        "medium",
        "The VPN drops every hour, which makes working from home impossible.",
    ),
    ("quality", "low", "The new starter's account was set up with the wrong name, again."),
    ("other", "low", "The portal keeps signing me out while I type a long request."),
]
LESSONS = (
    "We closed work without confirming with the customer.",
    "Our change notices did not reach the people affected.",
)
IMPROVEMENTS = (
    "Resolution now needs the reporter's confirmation for priority 1 and 2.",
    "Planned work is announced to every affected contact five working days ahead.",
)


ACKNOWLEDGEMENT = (
    "Thank you for telling us. We are looking into what happened and will reply in full "
    "within ten working days."
)
NOTES = (
    "Checked the incident history: three tickets about this in a month, all closed as fixed.",
    "Spoke to the team lead; they agree the update came far too late.",
    "The customer is a key account; the relationship manager is aware.",
)


def _talk(complaint, note: str, received: dt.datetime, owner) -> None:
    """An internal note and a call from the complainant, a few hours after it came in."""
    Note.create(
        org=complaint.org_id,
        complaint=complaint.id,
        body=note,
        author=owner,
        created_at=received + dt.timedelta(hours=3),
    )
    correspondence.record(
        complaint,
        {
            "direction": "in",
            "channel": "phone",
            "occurred_at": received + dt.timedelta(hours=5),
            "summary": "They rang to ask for an update and to add that it happened again today.",
        },
        version=complaint.version,
        user=owner,
        quiet=True,
    )


def _services(demo: DemoContext) -> list[int]:
    try:
        from accord.plugins.catalogue.models import Service
    except ImportError:
        return []
    return [s.id for s in Service.in_org(demo.org, Service.id).order_by(Service.id)]


def add_demo_complaints(demo: DemoContext) -> None:
    org = demo.org
    people = list(Person.in_org(org).where(Person.status == "active").order_by(Person.id).limit(40))
    if not people:
        return
    rng = random.Random(f"complaints-{org.slug}")
    services = _services(demo)
    owner = demo.users.get("manager") or demo.users.get("admin")
    now = utcnow()
    for index, (cause, severity, text) in enumerate(COMPLAINTS):
        person = rng.choice(people)
        received = now - dt.timedelta(days=rng.randint(1, 88), hours=rng.randint(0, 8))
        complaint = workflow.receive(
            org,
            {
                "person": person.id,
                "customer": person.organisation_id,
                "service_id": rng.choice(services) if services else None,
                "cause": cause,
                "severity": severity,
                "channel": rng.choice(("email", "phone", "letter", "portal")),
                "description": text,
                "owner": owner.id if owner and index % 3 else None,
                "received_at": received,
            },
            user=demo.users.get("agent"),
            quiet=True,
        )
        age = now - received
        stage = index % 5 if age > dt.timedelta(days=6) else 0
        at = received + dt.timedelta(days=rng.choice((0.5, 1, 2, 4)))
        if stage >= 1 and index % 2:
            correspondence.record(
                complaint,
                {
                    "direction": "out",
                    "channel": "letter",
                    "occurred_at": at,
                    "subject": f"Your complaint {complaint.reference}",
                    "summary": ACKNOWLEDGEMENT,
                    "step": "acknowledge",
                },
                version=complaint.version,
                user=owner,
                quiet=True,
            )
        elif stage >= 1:
            workflow.move(
                complaint, complaint.version, "acknowledge", user=owner, now=at, quiet=True
            )
        if index % 3 == 0:
            _talk(complaint, rng.choice(NOTES), received, owner)
        if stage >= 2:
            workflow.move(
                complaint, complaint.version, "investigate", user=owner, now=at, quiet=True
            )
        if stage >= 3:
            workflow.move(
                complaint,
                complaint.version,
                "respond",
                user=owner,
                now=at + dt.timedelta(days=2),
                values={"response": "We are sorry. Here is what went wrong and what we are doing."},
                quiet=True,
            )
        if stage >= 4:
            workflow.move(
                complaint,
                complaint.version,
                "close",
                user=owner,
                now=at + dt.timedelta(days=3),
                values={"lesson": rng.choice(LESSONS), "improvement": rng.choice(IMPROVEMENTS)},
                quiet=True,
            )
