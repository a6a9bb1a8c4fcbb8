#!/usr/bin/env python3
"""Contacts at scale: p50/p95 of the people list, search and detail pages.

Builds a throwaway instance (ACCORD_HOME in a temporary folder, SQLite there
unless ``--database`` names an empty PostgreSQL database), migrates it, and
bulk-loads one organisation with ``--people`` people (default 1,000,000) in
``--customers`` customer organisations, their tags and affiliations, and about
``--interactions`` interactions (default 5,000,000) with their participants
and follow-ups. Rows are written the way the plugin writes them (normalised
details, the derived search line and contact dates) but with executemany on
SQLite and COPY on PostgreSQL, not through the ORM. It then runs ANALYZE and
times GETs through the whole application in process (Starlette's
TestClient: routing, session, tenancy guard, queries, templates), interleaving
the scenarios in rounds so drift affects them all alike, and prints the median
and 95th percentile of each.

    .venv/bin/python bench/contacts.py                                  # 1M / 5M on SQLite
    .venv/bin/python bench/contacts.py --people 100000 --interactions 500000
    .venv/bin/python bench/contacts.py --database postgresql://postgres@127.0.0.1:5432/accord_bench

Deterministic (``--seed``); no network; every loop is bounded by the arguments.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

SECRET = "bench-secret-key-not-for-production"
PASSWORD = "correct horse battery"
SLUG = "bench"
BATCH = 20_000


def words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


FIRST = words(
    "Aaliyah Aaron Abigail Adam Aisha Alan Alex Alice Amelia Amir Amy Andrew Anna Arjun Ava Ben "
    "Bethan Callum Carl Caroline Catherine Charlie Chloe Chris Claire Connor Daniel David Deborah "
    "Dylan Eleanor Elijah Ella Emily Emma Ethan Fatima Finn Freya Gareth George Grace Hannah Harry "
    "Hassan Helen Imran Isaac Isla Jack Jacob James Jane Jasmine Joanne John Joseph Josh Karen "
    "Kate Kwame Laura Leo Liam Lily Lucy Mark Martha Mary Matthew Maya Mia Michael Mohammed Nadia "
    "Neil "
    "Noah Olivia Oscar Paul Peter Priya Rachel Ravi Rebecca Richard Rose Ruby Ruth Ryan Samuel "
    "Sarah Sian Sophie Stephen Thomas Tomasz Victoria William Zara Zoe"
)
LAST = words(
    "Adams Ahmed Ali Allen Anderson Armstrong Ashworth Atkinson Bailey Baker Barker Barnes Bell "
    "Bennett Berry Brennan Brooks Brown Butler Campbell Carter Chapman Clark Clarke Cole Collins "
    "Cook Cooper Cox Davies Davis Dawson Dixon Doyle Edwards Ellis Evans Farah Fisher Fleming "
    "Foster Fox Gibson Graham Grant Gray Green Griffiths Hall Harris Harrison Hart Hill Holmes "
    "Hughes Hunt Hussain Jackson James Jenkins Johnson Jones Kaur Kelly Kennedy Khan King Knight "
    "Kowalski Lee Lewis Lloyd Marshall Martin Mason Matthews Mensah Miller Mills Mitchell Moore "
    "Morgan Morris Murphy Murray Nowak Okafor Owen Palmer Parker Patel Pearson Phillips Price "
    "Quinn Reid Reynolds Richards Roberts Robinson Rogers Russell Scott Shah Shaw Simpson Singh "
    "Smith Stevens Stewart Sutcliffe Taylor Thomas Thompson Turner Walker Ward Watson White "
    "Whitaker Wilkinson Williams Wilson Wood Wright Young"
)
TOWNS = words(
    "Ashford Barnsley Bedford Bolton Bradford Bristol Burnley Cardiff Carlisle Chester Colchester "
    "Coventry Crewe Darlington Derby Doncaster Dudley Durham Exeter Gateshead Gloucester Halifax "
    "Harrogate Hull Ipswich Kendal Lancaster Leeds Leicester Lincoln Luton Newport Northampton "
    "Norwich Nottingham Oldham Oxford Preston Reading Rochdale Salford Sheffield Stockport Swansea "
    "Swindon Telford Wakefield Warrington Wigan Worcester York"
)
KINDS = [
    ("council", "Council"),
    ("department", "Highways"),
    ("department", "Adult Social Care"),
    ("school", "Primary School"),
    ("school", "Academy"),
    ("college", "College"),
    ("agency", "Fire and Rescue"),
    ("health", "Health Centre"),
    ("charity", "Housing Trust"),
    ("company", "Services Ltd"),
]
TITLES = words(
    "Head Teacher|School Business Manager|Network Manager|Finance Officer|Team Manager|"
    "Service Manager|Director|IT Technician|Data Manager|Administrator|Receptionist|"
    "Operations Manager|Project Officer|Business Partner|Head of Service|Caretaker",
    "|",
)
TAGS = [
    "VIP", "Budget holder", "ICT lead", "Governor", "Head teacher", "Newsletter", "Super user",
    "Data protection lead", "Board member", "Key contact", "Escalation contact", "Supplier liaison",
]  # fmt: skip
KIND_OF_WORK = ["call", "call", "call", "email", "email", "meeting", "chat", "visit", "note"]
SUMMARIES = [
    "Reported that the case system logs users out after ten minutes.",
    "Quarterly service review: SLA performance and next quarter's changes.",
    "Asked for a quote for replacement laptops.",
    "Wi-Fi coverage survey in the staff room.",
    "Password resets for new starters.",
    "Discussed the Microsoft 365 licence renewal.",
    "Printer jams on double-sided printing.",
]


# ---------------------------------------------------------------------------
# Building the instance
# ---------------------------------------------------------------------------


def open_instance(home: Path, database_url: str | None, *, fresh: bool = True) -> tuple[Any, Any]:
    from accord.db import database, open_database
    from accord.host import build_host
    from accord.schema import migrate
    from accord.settings import load_settings

    environ = {
        "ACCORD_HOME": str(home),
        "ACCORD_SECRET_KEY": SECRET,
        "ACCORD_DATABASE_URL": database_url or f"sqlite:///{home / 'accord.db'}",
    }
    settings = load_settings(environ)
    host = build_host(settings, entry_points=False)  # contacts is built in
    open_database(settings)
    with database.connection_context():
        if fresh and not settings.is_sqlite:
            database.execute_sql("DROP SCHEMA public CASCADE")
            database.execute_sql("CREATE SCHEMA public")
        migrate(host)
    return settings, host


class Writer:
    """Appends rows to one table in large batches: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, table: str, columns: list[str], *, parents: tuple[Writer, ...] = ()) -> None:
        from accord.db import database

        self.parents = parents  # written first, so foreign keys always find their rows
        self.database = database
        self.table, self.columns = table, columns
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0
        self.sqlite = "sqlite" in type(database.obj).__name__.lower()

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for parent in self.parents:
            parent.flush()
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        self.count += len(rows)
        names = ", ".join(f'"{c}"' for c in self.columns)
        with self.database.atomic():
            if self.sqlite:
                marks = ", ".join("?" for _ in self.columns)
                sql = f'INSERT INTO "{self.table}" ({names}) VALUES ({marks})'
                self.database.connection().executemany(sql, rows)
            else:
                cursor = self.database.cursor()
                text = io.StringIO("".join(_copy_line(row) for row in rows))
                cursor.copy_expert(f'COPY "{self.table}" ({names}) FROM STDIN', text)


def _copy_value(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_line(row: tuple[Any, ...]) -> str:
    return "\t".join(_copy_value(v) for v in row) + "\n"


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def load(org: Any, staff: list[int], args: argparse.Namespace) -> dict[str, Any]:
    """Write every row; return what the timings need to pick realistic requests."""
    from accord.plugins.contacts.normalise import phone_search_forms, search_text

    rng = random.Random(args.seed)
    now = datetime.now().replace(microsecond=0)
    today = now.date()
    customers = Writer(
        "contacts_organisation",
        ["id", "org_id", "version", "name", "kind", "industry", "size", "parent_id",
         "account_owner_id", "notes", "status", "archived_at", "created_at", "updated_at",
         "search_text", "last_contacted_at", "next_planned_on", "address", "postcode", "city",
         "region", "country"],
    )  # fmt: skip
    names: list[str] = []
    places: list[str] = []
    for n in range(1, args.customers + 1):
        kind, word = KINDS[n % len(KINDS)]
        town = TOWNS[(n // len(KINDS)) % len(TOWNS)]
        name = f"{town} {word} {n}"
        names.append(name)
        places.append(town)
        created = _stamp(now - timedelta(days=800))
        customers.add(
            (n, org.id, 1, name, kind, "Public sector", "50-249", None, staff[n % len(staff)],
             "", "active", None, created, created,
             search_text([name, "Public sector", town]), None, None, "", "", town, "", "GB")
        )  # fmt: skip
    customers.flush()

    tags = Writer("contacts_tag", ["id", "org_id", "name", "created_at"])
    for n, tag in enumerate(TAGS, 1):
        tags.add((n, org.id, tag, _stamp(now)))
    tags.flush()

    people = Writer(
        "contacts_person",
        ["id", "org_id", "version", "first_name", "last_name", "job_title", "email", "phone",
         "date_of_birth", "age_band", "preferred_language", "preferred_channel", "owner_id",
         "notes", "status", "archived_at", "created_at", "updated_at", "tag_names",
         "organisation_id", "search_text", "last_contacted_at", "next_planned_on", "address",
         "postcode", "city", "region", "country"],
    )  # fmt: skip
    person_tags = Writer(
        "contacts_person_tag", ["org_id", "person_id", "tag_id"], parents=(people,)
    )
    affiliations = Writer(
        "contacts_affiliation",
        ["org_id", "person_id", "organisation_id", "role", "is_primary", "created_at"],
        parents=(people,),
    )
    interactions = Writer(
        "contacts_interaction",
        ["id", "org_id", "version", "kind", "direction", "occurred_at", "duration_minutes",
         "summary", "outcome", "person_id", "organisation_id", "logged_by_id", "created_at",
         "follow_up_action", "follow_up_due", "follow_up_assignee_id", "follow_up_done_at",
         "follow_up_done_by_id"],
        parents=(people,),
    )  # fmt: skip
    participants = Writer(
        "contacts_interaction_participant",
        ["org_id", "interaction_id", "person_id"],
        parents=(interactions,),
    )
    audit = Writer(
        "accord_audit_entry",
        ["org_id", "at", "actor_id", "actor_label", "action", "plugin", "table", "record_id",
         "summary", "changes"],
    )  # fmt: skip
    per_person = args.interactions / args.people
    middle = max(1, args.people // 2)
    interaction_id = 0
    last_in_customer: dict[int, int] = {}
    samples: dict[str, list[Any]] = {"people": [], "customers": list(range(1, args.customers + 1))}
    customer_last: dict[int, datetime] = {}
    started = time.monotonic()
    for pid in range(1, args.people + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        customer = rng.randint(1, args.customers)
        email = f"{first}.{last}{pid}@{places[customer - 1].lower()}.example".lower()
        phone = f"+44113{pid:07d}"
        chosen = rng.sample(range(1, len(TAGS) + 1), rng.choice((0, 0, 1, 1, 2, 3)))
        tag_names = ", ".join(TAGS[t - 1] for t in chosen)
        title = rng.choice(TITLES)
        # Interactions are drawn first (the person row carries their dates) and written after it.
        # int() of an exponential draw averages half an interaction less than its mean.
        count = min(int(rng.expovariate(1 / (per_person + 0.5))), 200) if per_person else 0
        if pid == middle:
            count = 0  # the "person 500,000 of 1,000,000, no interactions"
        last_contact = next_planned = None
        drawn: list[tuple[Any, ...]] = []
        for _ in range(count):
            interaction_id += 1
            kind = rng.choice(KIND_OF_WORK)
            when = now - timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60))
            due = done = assignee = None
            action = ""
            if rng.random() < 0.2:
                action = "Call back with an update"
                due = (when + timedelta(days=rng.randint(2, 30))).date()
                assignee = rng.choice(staff)
                if due < today and rng.random() < 0.9:
                    done = when + timedelta(days=1)
            if kind != "note" and (last_contact is None or when > last_contact):
                last_contact = when
            if due and not done and (next_planned is None or due < next_planned):
                next_planned = due
            logger = rng.choice(staff)
            drawn.append(
                (interaction_id, org.id, 1, kind, "" if kind == "note" else "inbound",
                 _stamp(when), rng.choice((None, 5, 10, 30, 60)), rng.choice(SUMMARIES), "",
                 pid, customer, logger, _stamp(when), action, due, assignee, _stamp(done),
                 logger if done else None)
            )  # fmt: skip
        if last_contact and (
            customer not in customer_last or last_contact > customer_last[customer]
        ):
            customer_last[customer] = last_contact
        created = _stamp(now - timedelta(days=rng.randint(1, 900)))
        text = search_text(
            [first, last, email, *phone_search_forms(phone), title, tag_names, names[customer - 1]]
        )
        people.add(
            (pid, org.id, 1, first, last, title, email, phone, None,
             rng.choice(("", "25-34", "35-44")), "en", rng.choice(("email", "phone", "")),
             rng.choice(staff), "", "active", None,
             created, created, tag_names, customer, text, _stamp(last_contact), next_planned, "",
             "", places[customer - 1], "", "GB")
        )  # fmt: skip
        for tag in chosen:
            person_tags.add((org.id, pid, tag))
        # Each person's history as the audit log holds it: created, then edited now and then.
        for n in range(args.audit_per_person):
            audit.add(
                (org.id, _stamp(now - timedelta(minutes=rng.randint(1, 900 * 24 * 60))),
                 staff[n % len(staff)], "Staff", "create" if n == 0 else "update", "contacts",
                 "contacts_person", str(pid), f"updated Person {first} {last}",
                 json.dumps({"job_title": ["", title]}))
            )  # fmt: skip
        affiliations.add((org.id, pid, customer, title, True, created))
        colleague = last_in_customer.get(customer)
        for row in drawn:
            interactions.add(row)
            participants.add((org.id, row[0], pid))
            if row[3] == "meeting" and colleague:
                participants.add((org.id, row[0], colleague))
        last_in_customer[customer] = pid
        if len(samples["people"]) < 2000 and rng.random() < 2000 / args.people:
            samples["people"].append((pid, last, email, phone))
        if pid % 100_000 == 0:
            rate = pid / (time.monotonic() - started)
            print(f"  {pid:,} people, {interaction_id:,} interactions ({rate:,.0f} people/s)",
                  flush=True)  # fmt: skip
    for writer in (people, person_tags, affiliations, interactions, participants, audit):
        writer.flush()
    from accord.db import database

    with database.atomic():
        for customer, moment in customer_last.items():
            database.execute_sql(
                f"UPDATE contacts_organisation SET last_contacted_at = {database.param} "
                f"WHERE id = {database.param}",
                (_stamp(moment), customer),
            )
    samples["totals"] = {
        "people": people.count,
        "interactions": interactions.count,
        "participants": participants.count,
        "customers": customers.count,
    }
    samples["totals"]["audit entries"] = audit.count
    samples["names"] = names
    samples["towns"] = sorted(set(places))
    samples["middle"] = middle
    return samples


def samples_from(args: argparse.Namespace) -> dict[str, Any]:
    """What ``load`` returns, read back from a database it filled earlier (``--reuse``)."""
    from accord.plugins.contacts.models import (
        CustomerOrganisation,
        Interaction,
        InteractionParticipant,
        Person,
    )

    rng = random.Random(args.seed)
    top = Person.select(Person.id).order_by(Person.id.desc()).first().id
    wanted = sorted(rng.sample(range(1, top + 1), min(2000, top)))
    people = Person.select(Person.id, Person.last_name, Person.email, Person.phone)
    customers = CustomerOrganisation.select(CustomerOrganisation.id, CustomerOrganisation.name)
    return {
        "people": [
            (p.id, p.last_name, p.email, p.phone) for p in people.where(Person.id.in_(wanted))
        ],
        "customers": [c.id for c in customers],
        "names": [c.name for c in customers],
        "towns": TOWNS,
        "middle": max(1, top // 2),
        "totals": {
            "people": top,
            "customers": customers.count(),
            "interactions": Interaction.select().count(),
            "participants": InteractionParticipant.select().count(),
        },
    }


def finish_load(settings: Any, *, analyze: bool = True) -> None:
    from accord.db import database

    if settings.is_sqlite:
        if analyze:
            database.execute_sql("ANALYZE")
        return
    for table in (
        "contacts_organisation",
        "contacts_person",
        "contacts_tag",
        "contacts_interaction",
    ):
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )
    if analyze:
        database.execute_sql("ANALYZE")


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


def scenarios(samples: dict[str, Any], rng: random.Random) -> dict[str, Callable[[], str]]:
    base = f"/o/{SLUG}/contacts"
    people = samples["people"]

    def person() -> tuple[Any, ...]:
        return rng.choice(people)

    def national(phone: str) -> str:
        return "0" + phone[3:6] + " " + phone[6:]  # +44113… -> 0113 …

    def deep_page() -> str:
        from accord.plugins.contacts.tables import PEOPLE

        pid, last, *_ = person()

        class Row:  # what Keyset.encode reads
            __data__ = {"last_name": last}

            @staticmethod
            def get_id() -> int:
                return pid

        return f"{base}/people/?after={PEOPLE.default.encode(Row())}"

    return {
        "list: first page": lambda: f"{base}/people/",
        "list: a page deep in the list (cursor)": deep_page,
        "list: sorted by last contacted": lambda: f"{base}/people/?sort=-last_contacted_at",
        "list: filtered by tag and town": lambda: (
            f"{base}/people/?tag={rng.randint(1, len(TAGS))}&city={rng.choice(samples['towns'])}"
        ),
        "list: not contacted in 90 days": lambda: f"{base}/people/?contacted=90",
        "search: surname": lambda: f"{base}/people/?q={quote(person()[1])}",
        "search: absent surname": lambda: f"{base}/people/?q={ABSENT}",
        "search: email": lambda: f"{base}/people/?q={quote(person()[2])}",
        "search: phone as typed": lambda: f"{base}/people/?q={quote(national(person()[3]))}",
        "search: organisation name": lambda: (
            f"{base}/people/?q={quote(rng.choice(samples['names']))}"
        ),
        "global search box: surname": lambda: f"/o/{SLUG}/dashboard/search?q={quote(person()[1])}",
        "detail: person": lambda: f"{base}/people/{person()[0]}",
        "detail: person in the middle, no interactions": lambda: (
            f"{base}/people/{samples['middle']}"
        ),
        "detail: organisation": lambda: f"{base}/organisations/{rng.choice(samples['customers'])}",
        "CSV: first 5,000 rows of a search": lambda: (
            f"{base}/people/?q={quote(person()[1])}&format=csv"
        ),
        "CSV: filtered search (country + surname)": lambda: (
            f"{base}/people/?q={quote(person()[1])}&country=GB&format=csv"
        ),
    }


ABSENT = "Quennevilles"  # no one's surname, nor part of anything in a search line


def measure(app: Any, samples: dict[str, Any], args: argparse.Namespace) -> dict[str, list[float]]:
    from starlette.testclient import TestClient

    from accord.testing import sign_in

    rng = random.Random(args.seed + 1)
    plan = {
        name: make
        for name, make in scenarios(samples, rng).items()
        if not args.only or any(word in name for word in args.only.split(","))
    }
    timings: dict[str, list[float]] = {name: [] for name in plan}
    with TestClient(app, base_url="http://testserver") as client:
        assert sign_in(client, f"bench@{SLUG}.example", PASSWORD).status_code == 303
        for name, make in plan.items():  # warm-up, and a check that every page answers
            response = client.get(make())
            assert response.status_code == 200, (name, response.status_code, response.text[:300])
        for _ in range(args.rounds):
            for name, make in plan.items():
                for _ in range(args.samples):
                    url = make()
                    started = time.perf_counter()
                    if name.startswith("CSV: first 5,000"):
                        with client.stream("GET", url) as response:
                            size = 0
                            for chunk in response.iter_bytes():
                                size += len(chunk)
                                if size > 600_000:  # about 5,000 rows
                                    break
                    else:  # the whole body
                        response = client.get(url)
                    timings[name].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
    return timings


def exports(app: Any, args: argparse.Namespace) -> list[tuple[str, dict[str, Any]]]:
    """The people list's CSV and vCard exports: rows a second over their first
    ``--export-rows`` rows, and how far the process's memory rose meanwhile."""
    from starlette.testclient import TestClient
    from vcard_export import RssPeak, export

    from accord.testing import sign_in

    found = []
    with TestClient(app, base_url="http://testserver") as client:
        assert sign_in(client, f"bench@{SLUG}.example", PASSWORD).status_code == 303
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        assert client.portal is not None
        for label, path, query in (
            ("CSV", f"/o/{SLUG}/contacts/people/", "format=csv"),
            ("vCard", f"/o/{SLUG}/contacts/people/vcard", ""),
        ):
            with RssPeak() as rss:
                seen = client.portal.call(export, app, cookie, path, query, args.export_rows)
            assert seen["status"] == 200, seen
            seen["rows"] = seen["cards"] or seen["lines"] - 1
            seen["rss_rise"] = rss.rise
            found.append((label, seen))
    return found


def report_exports(found: list[tuple[str, dict[str, Any]]]) -> None:
    heading = f"{'rows':>9} {'s':>7} {'rows/s':>9} {'RSS rise MB':>12}"
    print(f"\n{'export of the people list':<26} {heading}")
    for label, seen in found:
        rate = seen["rows"] / seen["total"]
        print(
            f"{label:<26} {seen['rows']:>9,} {seen['total']:>7.2f} {rate:>9,.0f} "
            f"{seen['rss_rise'] / 1e6:>12.1f}"
        )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def report(timings: dict[str, list[float]], totals: dict[str, int], label: str) -> None:
    print(f"\n{label}: {totals['people']:,} people, {totals['customers']:,} customer "
          f"organisations, {totals['interactions']:,} interactions "
          f"({totals['participants']:,} participants)")  # fmt: skip
    print(f"{'page':<48} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in timings.items():
        print(
            f"{name:<48} {len(values):>4} {statistics.median(values):>8.1f} "
            f"{percentile(values, 0.95):>8.1f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--interactions", type=int, default=5_000_000)
    parser.add_argument("--customers", type=int, default=0, help="default: people / 200")
    parser.add_argument("--database", help="an empty PostgreSQL database (its schema is dropped)")
    parser.add_argument("--samples", type=int, default=10, help="requests per scenario per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--audit-per-person", type=int, default=2, help="audit entries written for each person"
    )
    parser.add_argument(
        "--only", default="", help="time only the scenarios whose names contain one of these words"
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="leave the planner without statistics after the load (the worst case)",
    )
    parser.add_argument(
        "--export-rows", type=int, default=100_000, help="rows of each export timed (0: skip)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    parser.add_argument(
        "--reuse",
        metavar="HOME",
        help="measure again what an earlier run loaded and kept (its instance folder)",
    )
    args = parser.parse_args()
    args.customers = args.customers or max(10, args.people // 200)
    home = (
        Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="accord-contacts-bench-"))
    )
    try:
        settings, host = open_instance(home, args.database, fresh=not args.reuse)
        from accord.app import create_app
        from accord.db import database
        from accord.schema import migrate

        if args.reuse:
            with database.connection_context():
                samples = samples_from(args)
        else:
            samples = _load_fresh(host, settings, args)
        if settings.is_sqlite:
            size = sum(f.stat().st_size for f in home.glob("accord.db*")) / 1e9
            print(f"database file: {size:.2f} GB")
        with database.connection_context():
            migrate(host)  # what was added to the code while the rows loaded (a long run)
        app = create_app(settings, host)
        timings = measure(app, samples, args)
        database_kind = "SQLite" if settings.is_sqlite else "PostgreSQL"
        report(timings, samples["totals"], f"{database_kind}, {os.cpu_count()} CPUs")
        if args.export_rows:
            report_exports(exports(app, args))
    finally:
        if args.keep or args.reuse:
            print(f"instance kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    return 0


def _load_fresh(host: Any, settings: Any, args: argparse.Namespace) -> dict[str, Any]:
    from accord import accounts, enablement
    from accord.audit import Actor, acting_as
    from accord.db import database

    with database.connection_context(), acting_as(Actor(None, "bench")):
        org = accounts.create_org(SLUG, "Bench Council ICT")
        staff = []
        for n in range(20):
            user = accounts.create_user(f"staff{n}@{SLUG}.example", f"Staff {n}", PASSWORD)
            accounts.add_member(user, org, "agent")
            staff.append(user.id)
        me = accounts.create_user(f"bench@{SLUG}.example", "Bench Agent", PASSWORD)
        accounts.add_member(me, org, "agent")
        enablement.enable(host, org, "contacts")
        print(f"loading into {settings.database_url.split('@')[-1]} …", flush=True)
        started = time.monotonic()
        samples = load(org, staff, args)
        finish_load(settings, analyze=not args.no_analyze)
        print(f"loaded in {time.monotonic() - started:,.0f} s", flush=True)
    return samples


if __name__ == "__main__":
    sys.exit(main())
