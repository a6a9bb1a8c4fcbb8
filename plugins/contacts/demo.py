"""Demo contacts: the customers of Northbridge's shared ICT service, and a season of work with them.

The records come from ``demo.toml``. Deterministic (a fixed random seed,
dates relative to today) and offline: phone numbers are in Ofcom's drama
range (0113 496 0xxx) and email addresses use the reserved ``.example``
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
from .derived import refresh_contact_dates, refresh_organisations, refresh_people, set_tags
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
    refresh_contact_dates((p.id for p in people), (o.id for o in organisations.values()))


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
