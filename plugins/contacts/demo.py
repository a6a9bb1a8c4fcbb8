"""Demo contacts: the customers of Northbridge's shared ICT service, and a season of work with them.

The records come from ``demo.toml``. Deterministic (a fixed random seed,
dates relative to today) and offline: phone numbers are in Ofcom's drama
range (0113 496 0xxx, 020 7946 0xxx) and email addresses use the reserved ``.example``
domain, so none of them reaches anyone real.
"""

from __future__ import annotations

import random
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from accord import DemoContext, User, utcnow

from . import normalise
from .consent.demo import load_consent
from .derived import refresh_contact_dates, refresh_organisations, refresh_people, set_tags
from .details import Detail, set_details
from .models import Affiliation, CustomerOrganisation, Interaction, InteractionParticipant, Person

DATA = Path(__file__).with_name("demo.toml")
SEED = 4
CITY, REGION = "Northbridge", "West Yorkshire"
FIRST_PHONE = 100  # 0113 496 0100, then every seventh number


def load_demo(demo: DemoContext) -> None:
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    rng = random.Random(SEED)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    staff = [u for u in (demo.users.get(r) for r in ("manager", "agent", "admin")) if u]
    organisations = _organisations(demo, data["organisations"], staff, now)
    domains = {row["key"]: row["domain"] for row in data["organisations"]}
    people = _people(demo, data["people"], organisations, domains, staff, rng, now)
    by_name = {(p.first_name, p.last_name): p for p in people}
    for extra in data["second_roles"]:
        Affiliation.create(
            org=demo.org,
            person=by_name[extra["first"], extra["last"]],
            organisation=organisations[extra["organisation"]],
            role=extra["role"],
        )
    refresh_organisations([o.id for o in organisations.values()])
    refresh_people(p.id for p in people)
    linked = Person.select().where(Person.id.in_([p.id for p in people]))
    people = list(linked.order_by(Person.id))  # now with their primary organisation
    active = [p for p in people if p.status == "active"]
    _interactions(demo, data["work"], active, staff, rng, now)
    _stakeholder_groups(demo, by_name, staff, now)  # its interactions get dated below
    refresh_contact_dates((p.id for p in people), (o.id for o in organisations.values()))
    load_consent(demo, people, now)


def _organisations(
    demo: DemoContext, rows: list[dict[str, Any]], staff: list[User], now: datetime
) -> dict[str, CustomerOrganisation]:
    made: dict[str, CustomerOrganisation] = {}
    for row in rows:  # parents come first in the file
        made[row["key"]] = CustomerOrganisation.create(
            org=demo.org,
            name=row["name"],
            kind=row["kind"],
            industry=row["sector"],
            size=row["size"],
            parent=made[row["parent"]] if row["parent"] else None,
            postcode=row["postcode"],
            city=CITY,
            region=REGION,
            country="GB",
            account_owner=staff[0] if staff else None,
            created_at=now - timedelta(days=400),
        )
    return made


def _people(
    demo: DemoContext,
    rows: list[dict[str, Any]],
    organisations: dict[str, CustomerOrganisation],
    domains: dict[str, str],
    staff: list[User],
    rng: random.Random,
    now: datetime,
) -> list[Person]:
    people = []
    for n, row in enumerate(rows):
        archived = row.get("archived", False)
        address = f"{row['first']}.{row['last']}@{domains[row['organisation']]}"
        person = Person.create(
            org=demo.org,
            first_name=row["first"],
            last_name=row["last"],
            job_title=row["title"],
            email=normalise.email(address.lower().replace("'", "")),
            phone=normalise.phone(f"0113 496 0{FIRST_PHONE + n * 7:03d}"),
            preferred_channel=row["channel"],
            preferred_language=row["language"],
            age_band=row["age"],
            city=CITY,
            region=REGION,
            country="GB",
            tag_names=row["tags"],
            owner=staff[n % len(staff)] if staff else None,
            status="archived" if archived else "active",
            archived_at=now - timedelta(days=30) if archived else None,
            created_at=now - timedelta(days=rng.randint(120, 380)),
        )
        Affiliation.create(
            org=demo.org,
            person=person,
            organisation=organisations[row["organisation"]],
            role=row["title"],
            is_primary=True,
        )
        set_tags(person, normalise.tags(row["tags"]))
        reach = [Detail("email", person.email, primary=True), Detail("phone", person.phone)]
        if n % 4 == 1:  # a few people are reached at home too
            personal = f"{row['first']}.{row['last'][0]}@home.example".lower().replace("'", "")
            reach.append(Detail("email", normalise.email(personal), "home"))
            home = normalise.phone(f"020 7946 0{FIRST_PHONE + n * 7:03d}")  # drama range too
            reach.append(Detail("phone", home, "home"))
        set_details(person, reach)
        people.append(person)
    return people


def _interactions(
    demo: DemoContext,
    work: list[dict[str, Any]],
    people: list[Person],
    staff: list[User],
    rng: random.Random,
    now: datetime,
) -> None:
    """Up to four interactions per person over five months; most past follow-ups are done."""
    for person in people:
        colleagues = [
            p for p in people if p.organisation_id == person.organisation_id and p.id != person.id
        ]
        for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
            item = rng.choice(work)
            when = now - timedelta(days=rng.randint(1, 150), hours=rng.randint(0, 8))
            logger = rng.choice(staff) if staff else None
            due = done = None
            if item["follow_up"]:
                due = (when + timedelta(days=rng.randint(3, 21))).date()
                # Old follow-ups are mostly done; a few recent ones are late.
                overdue_days = (now.date() - due).days
                if overdue_days > 0 and rng.random() < (0.95 if overdue_days > 14 else 0.5):
                    done = when + timedelta(days=rng.randint(1, 10))
            interaction = Interaction.create(
                org=demo.org,
                kind=item["kind"],
                direction=item["direction"],
                occurred_at=when,
                duration_minutes=item.get("minutes"),
                summary=item["summary"],
                outcome=item["outcome"],
                person=person,
                organisation=person.organisation_id,
                logged_by=logger,
                created_at=when,
                follow_up_action=item["follow_up"],
                follow_up_due=due,
                follow_up_assignee=logger if due else None,
                follow_up_done_at=done,
                follow_up_done_by=logger if done else None,
            )
            present = [person]
            if item["kind"] == "meeting" and colleagues:
                present.append(rng.choice(colleagues))
            link = {"org": demo.org.id, "interaction": interaction.id}
            rows = [{**link, "person": p.id} for p in present]
            InteractionParticipant.insert_many(rows).execute()
    _planned(demo, people, staff, now)


PLANNED = {
    "meeting": "Termly service review: open incidents, the coming term's projects.",
    "call": "Check-in call about the new devices' roll-out.",
}


def _planned(demo: DemoContext, people: list[Person], staff: list[User], now: datetime) -> None:
    """A meeting or call planned in the coming three weeks for about one person in six."""
    # A generator of its own, so the interactions already drawn stay as they were.
    rng = random.Random(len(people))
    for person in rng.sample(people, k=len(people) // 6):
        kind = rng.choice(sorted(PLANNED))
        when = now + timedelta(days=rng.randint(1, 21), hours=rng.randint(1, 6))
        interaction = Interaction.create(
            org=demo.org,
            kind=kind,
            direction="outbound",
            status="planned",
            occurred_at=when.replace(minute=0, second=0, microsecond=0),
            duration_minutes=60 if kind == "meeting" else 15,
            summary=PLANNED[kind],
            person=person,
            organisation=person.organisation_id,
            logged_by=rng.choice(staff) if staff else None,
        )
        InteractionParticipant.create(org=demo.org, interaction=interaction, person=person)


# Stakeholder groups: name, communication needs, members (first, last, influence, interest)
# and the plan (title, kind, every n days); activities were planned 200 days ago.
GROUPS: list[dict[str, Any]] = [
    {
        "name": "School principals",
        "description": "Head teachers and principals of the schools and college we serve.",
        "needs": "A termly forum in person, and a short briefing by email before each term on "
        "changes that reach classrooms. They decide on school budgets: no jargon.",
        "members": [
            ("Catherine", "Holt", 5, 5),
            ("Oliver", "Grant", 5, 4),
            ("Alison", "Reeve", 4, 3),
            ("Peter", "Quinn", 3, 2),
        ],
        "plan": [
            ("Principals' forum", "meeting", 90),
            ("Termly ICT briefing", "email", 90),
            ("Site visit to each school", "visit", 60),
        ],
        # The forum met 40 days ago; the schools were last visited over 60 days ago.
        "done": [("Catherine", "Holt", "meeting", 40, ("Oliver", "Grant"))],
    },
    {
        "name": "Finance executives",
        "description": "Budget holders who approve spending on ICT services.",
        "needs": "A review of spend against budget every two months, and a monthly report. "
        "Figures first, then the story.",
        "members": [
            ("Helen", "Ashworth", 5, 3),
            ("Marion", "Greaves", 5, 2),
            ("Priya", "Shah", 4, 4),
            ("Agnieszka", "Zielinska", 2, 3),
        ],
        "plan": [
            ("Budget review", "meeting", 60),
            ("Monthly spend report", "email", 30),
        ],
        "done": [("Priya", "Shah", "email", 12, None)],
    },
    {
        "name": "IT coordinators",
        "description": "The ICT leads in each customer organisation: our day-to-day partners.",
        "needs": "Early warning of changes and outages, a monthly call, and a user group "
        "every half term. Chat and email suit them best.",
        "members": [
            ("Nadia", "Kowalczyk", 2, 5),
            ("Hassan", "Farah", 3, 5),
            ("David", "Brennan", 3, 4),
            ("Kwame", "Mensah", 2, 4),
            ("Joanne", "Whitaker", 2, 4),
            ("Dylan", "Roberts", 1, 4),
            ("Tunde", "Adeyemi", 2, 3),
        ],
        "plan": [
            ("Monthly coordinators' call", "call", 30),
            ("Half-termly user group", "meeting", 45),
        ],
        "done": [("Nadia", "Kowalczyk", "call", 9, None)],
    },
]


def _stakeholder_groups(
    demo: DemoContext,
    by_name: dict[tuple[str, str], Person],
    staff: list[User],
    now: datetime,
) -> None:
    from .engagement import EngagementActivity, StakeholderGroup, StakeholderMember

    owner = staff[0] if staff else None
    planned = now - timedelta(days=200)
    for spec in GROUPS:
        group = StakeholderGroup.create(
            org=demo.org,
            name=spec["name"],
            description=spec["description"],
            communication_needs=spec["needs"],
            owner=owner,
            created_at=planned,
        )
        for first, last, influence, interest in spec["members"]:
            if (first, last) in by_name:
                StakeholderMember.create(
                    org=demo.org,
                    group=group,
                    person=by_name[first, last],
                    influence=influence,
                    interest=interest,
                )
        for title, kind, every in spec["plan"]:
            EngagementActivity.create(
                org=demo.org,
                group=group,
                title=title,
                kind=kind,
                frequency_days=every,
                owner=owner,
                created_at=planned,
            )
        for first, last, kind, days_ago, other in spec["done"]:
            person = by_name.get((first, last))
            if person is None:
                continue
            present = [person, *([by_name[other]] if other and other in by_name else [])]
            when = now - timedelta(days=days_ago)
            interaction = Interaction.create(
                org=demo.org,
                kind=kind,
                direction="outbound",
                occurred_at=when,
                summary=next(
                    title for title, planned_kind, _ in spec["plan"] if planned_kind == kind
                ),
                person=person,
                organisation=person.organisation_id,
                logged_by=owner,
                created_at=when,
            )
            link = {"org": demo.org.id, "interaction": interaction.id}
            rows = [{**link, "person": p.id} for p in present]
            InteractionParticipant.insert_many(rows).execute()
