"""Demo problems: known errors with workarounds, a resolved and an investigated problem, all
linked to incidents' demo incidents, and a run of the detector so proposals are waiting.

Runs after incidents' demo (dependency order). Three printing incidents logged
here, alike in wording but not in title, give the detector a group of its own
whatever incidents' demo happens to contain.
"""

from __future__ import annotations

import datetime as dt

from accord import DemoContext, utcnow
from accord.plugins.catalogue.models import Service
from accord.plugins.contacts.models import Person
from accord.plugins.incidents import workflow
from accord.plugins.incidents.models import Incident

from . import proposals, records

# (service code, the incident title it explains, values beyond the title, status)
PROBLEMS = [
    (
        "EMAIL",
        "Outlook keeps asking for my password",
        {
            "title": "Outlook prompts for the password again and again after the mailbox move",
            "category": "email",
            "priority": 2,
            "symptoms": "Outlook on Windows asks for the password every few minutes; "
            "webmail works. Only people whose mailbox moved to the new tenant.",
            "root_cause": "Outlook keeps the old autodiscover answer cached.",
            "workaround": "Close Outlook, open Credential Manager, remove every entry "
            "starting with MicrosoftOffice16, then start Outlook and sign in once.",
        },
        "known_error",
    ),
    (
        "VPN",
        "VPN disconnects every ten minutes",
        {
            "title": "VPN drops every ten minutes on the 5.2 client",
            "category": "network",
            "priority": 2,
            "symptoms": "The VPN client disconnects about every ten minutes and reconnects.",
            "workaround": "Switch the client to the SSL (TCP 443) profile under Settings → "
            "Connection until the 5.3 client is rolled out.",
        },
        "known_error",
    ),
    (
        "LAPTOP",
        "Laptop will not start after update",
        {
            "title": "Laptops stop at a black screen after the March firmware update",
            "category": "hardware",
            "priority": 1,
            "symptoms": "After the update the laptop shows the maker's logo, then a black screen.",
            "root_cause": "The firmware update switched off the legacy graphics mode the "
            "docking stations need.",
            "workaround": "Hold the power button for 15 seconds, undock, and start again.",
            "fix_change": "CHG-1042",
            "fix_description": "Firmware 1.18 pushed to every laptop; docking mode restored.",
        },
        "resolved",
    ),
    (
        "NET",
        "Wi-Fi drops on the second floor",
        {
            "title": "Wi-Fi on the second floor drops several times a day",
            "category": "network",
            "priority": 3,
            "symptoms": "Laptops lose the Wi-Fi for a minute or two, mostly around the "
            "meeting rooms.",
        },
        "investigating",
    ),
]

PRINTING = [
    ("Printer on floor 3 jams on every job", "The floor 3 printer jams on every print job."),
    ("Floor 3 printer jams", "Paper jams in the printer on floor 3 on every print job."),
    ("Printing jams on floor 3 printer", "Every job jams the printer on floor 3."),
]


def add_demo_problems(demo: DemoContext) -> None:
    org = demo.org
    user = demo.users.get("manager") or demo.users.get("admin")
    now = utcnow()
    services = {s.code: s for s in Service.in_org(org)}
    for code, incident_title, values, status in PROBLEMS:
        service = services.get(code)
        incidents = list(
            Incident.in_org(org)
            .where(Incident.title == incident_title)
            .order_by(Incident.created_at)
        )
        if service is None or not incidents:
            continue
        started = incidents[0].created_at + dt.timedelta(hours=4)
        problem = records.create(
            org,
            {**values, "service": service.id, "owner": user},
            user=user,
            now=started,
            quiet=True,
        )
        for incident in incidents:
            records.link(
                problem, incident, user=user, now=max(started, incident.created_at), quiet=True
            )
        _move_to(problem, status, user, started)
    _printing_incidents(demo, services.get("DESK"), now)
    proposals.refresh(org, now)


def _move_to(problem, status: str, user, started: dt.datetime) -> None:
    path = {
        "investigating": ["investigate"],
        "known_error": ["investigate", "known_error"],
        "resolved": ["investigate", "known_error", "resolve"],
    }[status]
    for step, name in enumerate(path, start=1):
        records.move(
            problem,
            name,
            problem.version,
            {},
            user=user,
            now=started + dt.timedelta(days=step),
            quiet=True,
        )


def _printing_incidents(demo: DemoContext, service, now: dt.datetime) -> None:
    person = Person.in_org(demo.org).order_by(Person.id).first()
    if person is None:
        return
    for days_ago, (title, description) in zip((9, 5, 2), PRINTING, strict=True):
        workflow.log(
            demo.org,
            {
                "title": title,
                "description": description,
                "reporter": person.id,
                "customer": person.organisation_id,
                "service": service.id if service else None,
                "category": "printing",
                "channel": "phone",
                "impact": 3,
                "urgency": 3,
            },
            user=demo.users.get("agent"),
            now=now - dt.timedelta(days=days_ago),
            quiet=True,
        )
