"""Demo service desk: four teams and about 150 incidents over the last 60 days.

Incidents are replayed through the real workflow at their own times (logged,
assigned, started, pended, resolved, closed), so their timelines, clocks and
ledgers are what they would have been; some breach, some are open now.
"""

from __future__ import annotations

import datetime as dt
import random

from accord import DemoContext, User, notify, utcnow
from accord.plugins.catalogue.models import Service
from accord.plugins.contacts.models import Person

from . import escalation, links, reporters, sla, watching, workflow
from .choices import CATEGORIES, CHANNELS, PENDING_REASONS, RESOLUTION_CODES
from .models import CannedReply, Incident, SavedView, Team, TeamMember

COUNT = 150
DEMO_REPLY = "Thanks for letting us know: we are looking at it and will update you here."
DAYS = 60

TEAMS = [
    (
        "Service Desk",
        1,
        "manager",
        ("agent", "manager"),
        "First line: calls, emails and the portal.",
    ),
    ("Infrastructure", 2, "admin", ("admin",), "Servers, network, storage and identity."),
    (
        "Applications",
        2,
        "manager",
        ("manager", "agent"),
        "Business applications and Microsoft 365.",
    ),
    (
        "Vendor escalations",
        3,
        "manager",
        ("manager",),
        "Faults handed to suppliers under contract.",
    ),
]

CANNED = [
    (
        "Password reset",
        "Hello {reporter_first_name},\n\nWe have reset your password. You will be "
        "asked to choose a new one when you next sign in.\n\nReference: {reference}",
    ),
    (
        "Need more information",
        "Hello {reporter_first_name},\n\nTo look into {reference} we need a "
        "little more: when did it start, and what do you see on screen? A screenshot helps.",
    ),
    (
        "Engineer visit booked",
        "Hello {reporter_first_name},\n\nAn engineer will visit you about "
        "{reference}. We will confirm the time by phone.",
    ),
    (
        "Fixed, please confirm",
        "Hello {reporter_first_name},\n\nWe believe {reference} is fixed. "
        "Please reply if it still happens; otherwise we will close it in a few days.",
    ),
]

# Per service code: (title, category, team index) — what actually goes wrong.
PROBLEMS = {
    "EMAIL": [
        ("Outlook keeps asking for my password", "email", 0),
        ("Shared mailbox not showing in Outlook", "email", 2),
        ("Emails to a supplier bounce back", "email", 2),
        ("Calendar invites arrive a day late", "email", 2),
    ],
    "IAM": [
        ("Account locked after password change", "access", 0),
        ("New starter has no access to the finance share", "access", 1),
        ("MFA prompt never arrives on my phone", "access", 1),
    ],
    "LAPTOP": [
        ("Laptop will not start after update", "hardware", 0),
        ("Docking station screens stay black", "hardware", 0),
        ("BitLocker recovery key requested at every boot", "security", 1),
        ("Battery drains within an hour", "hardware", 3),
    ],
    "NET": [
        ("Wi-Fi drops on the second floor", "network", 1),
        ("Meeting room screen cannot reach the network", "network", 1),
        ("Very slow network in the east wing", "network", 3),
    ],
    "VPN": [
        ("VPN disconnects every ten minutes", "network", 1),
        ("Cannot connect to VPN from home", "network", 0),
    ],
    "PAYROLL": [
        ("Payroll report runs out of time", "software", 2),
        ("Cannot open payslips in the payroll system", "software", 2),
        ("Payroll export file is empty", "data", 3),
    ],
    "DESK": [
        ("Phone queue message is out of date", "other", 0),
        ("Portal form will not submit", "software", 2),
    ],
}


def _teams(demo: DemoContext) -> list[Team]:
    org = demo.org
    teams = []
    for name, tier, lead_role, roles, description in TEAMS:
        lead = demo.users.get(lead_role)
        team = Team.create(org=org, name=name, tier=tier, lead=lead, description=description)
        members = {u.id: u for r in roles if (u := demo.users.get(r)) is not None}
        for user in members.values():
            TeamMember.create(org=org, team=team, user=user)
        teams.append(team)
    return teams


def _people(demo: DemoContext) -> list[Person]:
    people = list(Person.in_org(demo.org).where(Person.status == "active").order_by(Person.id))
    if people:
        return people
    names = [("Ana", "Lima"), ("Ben", "Okafor"), ("Chloe", "Martin"), ("Dev", "Patel")]
    return [
        reporters.create(
            demo.org,
            {
                "first_name": f,
                "last_name": last,
                "email": f"{f.lower()}.{last.lower()}@example.org",
            },
        )
        for f, last in names
    ]


def _members(team: Team) -> list[User]:
    ids = [m.user_id for m in TeamMember.select().where(TeamMember.team == team.id)]
    return list(User.select().where(User.id.in_(ids))) if ids else []


def _logged_at(rng: random.Random, now: dt.datetime) -> dt.datetime:
    """Mostly in office hours on weekdays, some at night and weekends (monitoring never sleeps)."""
    day = (now - dt.timedelta(days=rng.uniform(0, DAYS))).date()
    if rng.random() < 0.85:
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        minute = rng.randint(8 * 60, 17 * 60 + 30)
    else:
        minute = rng.randint(0, 24 * 60 - 1)
    return min(
        dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute),
        now - dt.timedelta(minutes=5),
    )


def _stage(rng: random.Random, age: dt.timedelta) -> str:
    """How far an incident of this age got: recent ones are still being worked."""
    if age < dt.timedelta(days=4):
        stages, weights = ("new", "assigned", "in_progress", "pending", "resolved"), (2, 3, 3, 3, 1)
    elif age < dt.timedelta(days=10):
        stages, weights = ("in_progress", "pending", "resolved", "closed"), (1, 1, 3, 3)
    else:
        stages, weights = ("resolved", "closed"), (1, 9)
    return rng.choices(stages, weights=weights)[0]


def _replay(incident: Incident, rng: random.Random, team: Team, now: dt.datetime) -> None:
    """Take the incident as far as its stage, at plausible times, never past the present."""
    stage = _stage(rng, now - incident.created_at)
    hours = sla.hours_for(incident)
    slow = rng.random() < 0.08  # the tail that breaches
    people = _members(team)
    agent = rng.choice(people) if people else None

    def when_counted(at: dt.datetime, clock: int, share: float) -> dt.datetime:
        """The moment ``share`` of the clock's target will have counted (at least 5 min on)."""
        found = sla.clocks(incident, at)[clock]
        target = found.target.duration if found.target else dt.timedelta(hours=8)
        return hours.add(at, max(target * share - found.elapsed, dt.timedelta(minutes=5)))

    at = incident.created_at + dt.timedelta(minutes=rng.uniform(1, 10))
    if stage == "new" or at >= now:
        return
    alone = stage == "assigned" and rng.random() < 0.5  # left in the team's queue
    workflow.assign(
        incident,
        incident.version,
        team=team,
        assignee=None if alone else agent,
        user=agent,
        now=at,
        quiet=True,
    )
    at = when_counted(at, 0, rng.uniform(1.1, 1.6) if slow else rng.uniform(0.2, 0.8))
    if stage == "assigned" or at >= now:
        return
    # The first reply to the reporter is what meets the response target by default.
    workflow.note(incident, DEMO_REPLY, public=True, user=agent, now=at, quiet=True)
    workflow.start(incident, incident.version, user=agent, now=at, quiet=True)
    if stage == "pending" or rng.random() < 0.2:
        at = when_counted(at, 1, rng.uniform(0.1, 0.3))
        if at >= now:
            return
        reason = rng.choice(list(PENDING_REASONS)[:4])
        workflow.pend(incident, incident.version, reason, user=agent, now=at, quiet=True)
        at += dt.timedelta(minutes=rng.uniform(120, 2 * 24 * 60))
        if stage == "pending" or at >= now:
            return
        workflow.resume(incident, incident.version, user=agent, now=at, quiet=True)
    at = when_counted(at, 1, rng.uniform(1.1, 2.5) if slow else rng.uniform(0.35, 0.9))
    if stage == "in_progress" or at >= now:
        return
    code = rng.choice(list(RESOLUTION_CODES)[:6])
    workflow.resolve(
        incident,
        incident.version,
        code,
        "Checked with the reporter; working again.",
        user=agent,
        now=at,
        quiet=True,
    )
    at += dt.timedelta(minutes=rng.uniform(24 * 60, 4 * 24 * 60))
    if stage == "resolved" or at >= now:
        return
    workflow.close(incident, incident.version, user=agent, now=at, quiet=True)


def add_demo_service_desk(demo: DemoContext) -> None:
    org = demo.org
    rng = random.Random(20250301)
    now = utcnow()
    teams = _teams(demo)
    for title, body in CANNED:
        CannedReply.create(org=org, title=title, body=body)
    services = [
        s
        for s in Service.in_org(org).where(Service.status == "live").order_by(Service.id)
        if s.code in PROBLEMS
    ]
    people = _people(demo)
    desk_user = demo.users.get("agent")
    if not services:
        return
    logged = sorted(_logged_at(rng, now) for _ in range(COUNT))
    for at in logged:
        service = rng.choice(services)
        title, category, team_index = rng.choice(PROBLEMS[service.code])
        reporter = rng.choice(people)
        channel = rng.choices(list(CHANNELS), weights=(5, 4, 3, 1, 1))[0]
        incident = workflow.log(
            org,
            {
                "title": title,
                "description": f"{reporter.first_name} reports: {title.lower()}.",
                "reporter": reporter.id,
                "customer": reporter.organisation_id,
                "service": service.id,
                "category": category if category in CATEGORIES else "other",
                "channel": channel,
                "impact": rng.choices((1, 2, 3, 4), weights=(1, 3, 5, 6))[0],
                "urgency": rng.choices((1, 2, 3, 4), weights=(1, 3, 6, 4))[0],
            },
            user=desk_user,
            now=at,
            quiet=True,
        )
        _replay(incident, rng, teams[team_index], now)
        sla.recompute(Incident.get_by_id(incident.id), now)
    _major_and_duplicates(demo, services, people, teams, now)
    if desk_user is not None:
        SavedView.create(
            org=org, user=desk_user, queue="all", name="Breached", query="sla=breached"
        )
    # What the worker would have done by now: SLA alerts and escalations by the default rules.
    escalation.run(org, now)
    _demo_notifications(demo, now)


def _demo_notifications(demo: DemoContext, now: dt.datetime) -> None:
    """What the desk agent's bell would show: colleagues' changes to incidents they watch."""
    desk_user = demo.users.get("agent")
    colleague = demo.users.get("manager")
    if desk_user is None or colleague is None:
        return
    recent = list(
        Incident.in_org(demo.org)
        .where(Incident.status.in_(("assigned", "in_progress", "pending")))
        .order_by(Incident.created_at.desc())
        .limit(4)
    )
    changes = ("priority changed from P3 Medium to P2 High", "work started", "set pending")
    for minutes, (incident, what) in enumerate(zip(recent, changes, strict=False)):
        watching.watch(incident, desk_user)
        notify(
            demo.org,
            [desk_user],
            f"{incident.reference} {incident.title}: {what} by {colleague.name}",
            watching.incident_path(incident),
            kind="incidents.demo",
            now=now - dt.timedelta(minutes=20 * (minutes + 1)),
        )


def _major_and_duplicates(
    demo: DemoContext,
    services: list[Service],
    people: list[Person],
    teams: list[Team],
    now: dt.datetime,
) -> None:
    """An outage reported by several people (a major incident) and a duplicate merged away."""
    org, agent = demo.org, demo.users.get("agent")
    service = services[0]

    def log(title: str, reporter: Person, minutes_ago: int, impact: int = 3) -> Incident:
        return workflow.log(
            org,
            {
                "title": title,
                "description": f"{reporter.first_name} reports: {title.lower()}.",
                "reporter": reporter.id,
                "customer": reporter.organisation_id,
                "service": service.id,
                "category": "network",
                "channel": "phone",
                "impact": impact,
                "urgency": 1 if impact == 1 else 2,
                "team": teams[0].id,
            },
            user=agent,
            now=now - dt.timedelta(minutes=minutes_ago),
            quiet=True,
        )

    outage = log(f"{service.name} is down at the main office", people[0], 95, impact=1)
    links.mark_major(outage, outage.version, True, user=agent, now=now - dt.timedelta(minutes=90))
    for position, person in enumerate(people[1:4]):
        child = log(f"Cannot reach {service.name}", person, 90 - 10 * position)
        links.link_child(
            outage, child, user=agent, now=now - dt.timedelta(minutes=85 - 10 * position)
        )
    if len(people) > 4:
        first = log(f"{service.name} very slow since this morning", people[4], 240)
        again = log(f"{service.name} still slow", people[4], 200)
        links.merge(first, again, user=agent, now=now - dt.timedelta(minutes=190), quiet=True)
