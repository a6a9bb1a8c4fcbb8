#!/usr/bin/env python3
"""Incidents at scale: p50/p95 of the queues, the incident page and the service desk report.

Builds a throwaway instance (ACCORD_HOME in a temporary folder, SQLite there
unless ``--database`` names a PostgreSQL database, whose ``public`` schema is
emptied), migrates it, and bulk-loads one organisation with ``--incidents``
incidents (default 1,000,000) over two years, and a second organisation with a
tenth as many, so every query has to filter by organisation. The first
organisation has 20 services from the catalogue (most supported in business
hours, Monday to Friday 08:00–17:30 in Europe/London, a few 24×7) with service
levels per priority, resolver teams in three tiers, 48 agents, reporters in
customer organisations (the contacts plugin's tables), and about 2.5 timeline
entries per incident.

Incidents are written as the plugin stores them (reference, priority, status,
assignee and team, SLA due and warning times, breached flags, response and
resolution times, reopen counts), but computed here with a simple model of
business hours instead of running each incident's clock, and inserted with
executemany on SQLite and COPY on PostgreSQL, in chunks inside transactions.
Only the incidents whose pages are timed get their clock recomputed for real,
so their pages show a true SLA ledger.

It then times GETs through the whole application in process (Starlette's
TestClient: routing, session, tenancy guard, queries, templates), interleaving
the scenarios in rounds so drift affects them all alike, and prints the median
and 95th percentile of each.

    .venv/bin/python bench/incidents.py                                  # 1M on SQLite
    .venv/bin/python bench/incidents.py --incidents 20000                # a quick check
    .venv/bin/python bench/incidents.py \\
        --database postgresql://postgres@127.0.0.1:5432/accord_bench_incidents

Deterministic (``--seed``); no network; every loop is bounded by the arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contacts import FIRST, LAST, Writer, percentile  # noqa: E402
from contacts import load as load_people  # noqa: E402

SECRET = "bench-secret-key-not-for-production"
PASSWORD = "correct horse battery"
SLUG = "bench"
OTHER = "other"
DAYS = 730
ZONE = "Europe/London"
CLOSE_AFTER_DAYS = 5
# Wall-clock minutes per business minute, on average, for Mon–Fri 08:00–17:30 (47.5 of 168 h).
BUSINESS_STRETCH = 168 / 47.5

# (name, code, business hours?, weight): how often each service is named on an incident.
SERVICES = [
    ("Email and calendars", "EMAIL", True, 12),
    ("Microsoft 365", "M365", True, 10),
    ("Network and Wi-Fi", "NET", False, 9),
    ("Internet access", "WAN", False, 5),
    ("Telephony", "TEL", True, 5),
    ("Printing", "PRINT", True, 8),
    ("Laptops and desktops", "EUC", True, 11),
    ("Mobile devices", "MDM", True, 4),
    ("Accounts and passwords", "IAM", True, 10),
    ("Case management system", "CASE", True, 5),
    ("Finance system", "FIN", True, 3),
    ("HR and payroll", "HR", True, 2),
    ("School MIS", "MIS", True, 4),
    ("File storage", "FILES", True, 3),
    ("Backup and restore", "BACKUP", False, 1),
    ("Video conferencing", "VC", True, 2),
    ("Website", "WEB", False, 1),
    ("CCTV and door access", "CCTV", True, 1),
    ("Software requests", "SOFT", True, 2),
    ("Legacy intranet", "INTRA", True, 1),  # no service levels agreed: incidents have no target
]
# Business minutes (response, resolution) per priority.
LEVELS = {1: (15, 240), 2: (30, 480), 3: (120, 1620), 4: (240, 2700)}
# Teams: (name, tier, members, share of incidents resolved there).
TEAMS = [
    ("Service Desk", 1, 20, 62),
    ("Desktop Support", 2, 6, 10),
    ("Networks", 2, 5, 8),
    ("Applications", 2, 6, 9),
    ("Infrastructure", 2, 4, 5),
    ("Security", 2, 3, 2),
    ("Supplier: Microsoft", 3, 2, 2),
    ("Supplier: Telecoms", 3, 2, 2),
]
TITLES = [
    ("Outlook keeps asking for my password", "email"),
    ("Cannot send email to external addresses", "email"),
    ("Shared mailbox not showing in Outlook", "email"),
    ("Teams meeting has no audio", "software"),
    ("Laptop will not start after update", "hardware"),
    ("Screen flickering on docking station", "hardware"),
    ("Keyboard and mouse not working", "hardware"),
    ("Wi-Fi drops every few minutes in the staff room", "network"),
    ("No network on the second floor", "network"),
    ("VPN will not connect from home", "network"),
    ("Printer jams on double-sided printing", "printing"),
    ("Cannot print to the office printer", "printing"),
    ("Scanner does not send to email", "printing"),
    ("Account locked out", "access"),
    ("New starter needs access to the finance system", "access"),
    ("Password reset", "access"),
    ("Case system logs users out after ten minutes", "software"),
    ("Finance report shows wrong totals", "software"),
    ("Payroll export fails", "software"),
    ("MIS registers not saving", "software"),
    ("Shared drive is read only", "data"),
    ("Deleted file needs restoring", "data"),
    ("Phishing email reported", "security"),
    ("Suspicious login alert", "security"),
    ("Phone handset has no dial tone", "other"),
    ("Website contact form not sending", "software"),
    ("Door access card not working", "other"),
    ("Mobile phone not receiving email", "email"),
]
CHANNELS = [("email", 40), ("phone", 30), ("portal", 20), ("monitoring", 7), ("walk_in", 3)]
PRIORITY_WEIGHTS = [(1, 1), (2, 9), (3, 60), (4, 30)]
# Impact and urgency giving each priority with the default matrix (impact + urgency − 1, capped).
IMPACT_URGENCY = {
    1: [(1, 1)],
    2: [(1, 2), (2, 1)],
    3: [(2, 2), (1, 3), (3, 1)],
    4: [(3, 3), (4, 4)],
}
RESOLUTION_CODES = [
    ("fixed", 45), ("workaround", 12), ("advice", 15), ("configuration", 12), ("replaced", 5),
    ("supplier", 4), ("no_fault", 5), ("cancelled", 2),
]  # fmt: skip
PENDING = ["customer", "customer", "supplier", "change", "scheduled"]
NOTES = [
    "Called the reporter, no answer; left a voicemail.",
    "Remote session: cleared the credential cache and restarted.",
    "Asked the supplier for an update on their ticket.",
    "Checked the logs, no errors since the last change.",
    "Replied with the steps to reconnect.",
]


def weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Callable[[], Any]:
    values = [v for v, _ in pairs]
    cumulative = []
    total = 0
    for _, w in pairs:
        total += w
        cumulative.append(total)
    return lambda: rng.choices(values, cum_weights=cumulative)[0]


def stamp(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


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
    host = build_host(settings, entry_points=False)
    open_database(settings)
    with database.connection_context():
        if fresh and not settings.is_sqlite:
            database.execute_sql("DROP SCHEMA public CASCADE")
            database.execute_sql("CREATE SCHEMA public")
        migrate(host)
    return settings, host


def ensure_postgres_database(url: str) -> None:
    """Create the database ``url`` names if it does not exist (its name must say bench)."""
    import psycopg2

    name = url.rsplit("/", 1)[-1].split("?")[0]
    if "bench" not in name:
        raise SystemExit(f"refusing to empty {name!r}: its name does not contain 'bench'")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def drop_postgres_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[-1].split("?")[0]
    connection = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    connection.close()


def setup_org(host: Any, slug: str, name: str, agents: int) -> tuple[Any, list[Any]]:
    from accord import accounts, enablement

    org = accounts.create_org(slug, name, time_zone=ZONE)
    enablement.enable(host, org, "incidents")
    users = []
    for n in range(agents):
        user = accounts.create_user(f"agent{n}@{slug}.example", f"{FIRST[n % len(FIRST)]} "
                                    f"{LAST[(n * 7) % len(LAST)]}", PASSWORD)  # fmt: skip
        accounts.add_member(user, org, "agent")
        users.append(user)
    return org, users


def build_catalogue(org: Any) -> list[dict[str, Any]]:
    """The services, their calendar and levels, through the catalogue's models."""
    from accord.plugins.catalogue.models import (
        BusinessCalendar,
        Service,
        ServiceCategory,
        ServiceLevel,
    )

    category = ServiceCategory.create(org=org, name="ICT services")
    office = BusinessCalendar.create(
        org=org, name="Office hours", timezone=ZONE, country="GB", subdivision="ENG",
        **{day: "08:00-17:30" for day in ("mon", "tue", "wed", "thu", "fri")},
    )  # fmt: skip
    services = []
    for name, code, business, weight in SERVICES:
        service = Service.create(
            org=org, name=name, code=code, category=category, status="live",
            calendar=office if business else None,
        )  # fmt: skip
        agreed = code != "INTRA"
        if agreed:
            for priority, (response, resolution) in LEVELS.items():
                ServiceLevel.create(
                    org=org, service=service, priority=priority,
                    response_minutes=response, resolution_minutes=resolution,
                )  # fmt: skip
        services.append(
            {"id": service.id, "stretch": BUSINESS_STRETCH if business else 1.0,
             "agreed": agreed, "weight": weight}
        )  # fmt: skip
    return services


def build_teams(org: Any, agents: list[Any], me: Any) -> list[dict[str, Any]]:
    from accord.plugins.incidents.models import Team, TeamMember

    teams, offset = [], 0
    for name, tier, size, share in TEAMS:
        members = agents[offset : offset + size]
        offset += size
        team = Team.create(org=org, name=name, tier=tier, lead=members[0])
        if name in ("Service Desk", "Applications"):
            members = [*members, me]
        for user in members:
            TeamMember.create(org=org, team=team, user=user)
        teams.append({"id": team.id, "members": [u.id for u in members], "share": share})
    return teams


INCIDENT_COLUMNS = [
    "id", "org_id", "version", "number", "reference", "title", "description", "reporter_id",
    "customer_id", "service_id", "category", "channel", "impact", "urgency", "priority",
    "status", "pending_reason", "pending_note", "team_id", "assignee_id", "logged_by_id",
    "created_at", "updated_at", "responded_at", "resolved_at", "closed_at", "response_due",
    "response_warn_at", "response_breached", "resolution_due", "resolution_warn_at",
    "resolution_breached", "resolution_remaining_minutes", "has_target", "due_at", "warn_at",
    "sla_computed_at", "resolution_code", "resolution_notes", "reopen_count", "is_major",
    "parent_id", "merged_into_id", "escalated_at", "alert_at", "response_via", "first_reply_at",
    "work_started_at",
]  # fmt: skip
ACTIVITY_COLUMNS = ["id", "org_id", "incident_id", "at", "kind", "author_id", "author_label",
                    "body", "public", "data"]  # fmt: skip


class Generator:
    """Draws incidents one after another in the order they were logged."""

    def __init__(self, args: argparse.Namespace, now: dt.datetime) -> None:
        self.rng = random.Random(args.seed)
        self.now = now
        self.incident_id = 0
        self.activity_id = 0
        rng = self.rng
        self.channel = weighted(rng, CHANNELS)
        self.priority = weighted(rng, PRIORITY_WEIGHTS)
        self.resolution_code = weighted(rng, RESOLUTION_CODES)
        self.incidents = Writer("incidents_incident", INCIDENT_COLUMNS)
        self.activities = Writer("incidents_activity", ACTIVITY_COLUMNS, parents=(self.incidents,))

    def times(self, count: int) -> list[dt.datetime]:
        """``count`` instants over the last two years: weekdays, office hours, slowly growing."""
        rng = self.rng
        start = (self.now - dt.timedelta(days=DAYS)).replace(hour=0, minute=0, second=0)
        weights = []
        for day in range(DAYS):
            weekday = (start + dt.timedelta(days=day)).weekday()
            weights.append((0.15 if weekday >= 5 else 1.0) * (0.8 + 0.4 * day / DAYS))
        total = sum(weights)
        out: list[dt.datetime] = []
        carry = 0.0
        for day, weight in enumerate(weights):
            carry += count * weight / total
            today = int(carry) - len(out) if day < DAYS - 1 else count - len(out)
            base = start + dt.timedelta(days=day)
            minutes = sorted(
                min(1439, max(0, int(rng.gauss(12.5 * 60, 3 * 60)))) for _ in range(max(0, today))
            )
            out.extend(base + dt.timedelta(minutes=m, seconds=rng.randint(0, 59)) for m in minutes)
        return [t for t in out if t < self.now][:count] or [self.now - dt.timedelta(hours=1)]

    def activity(self, org_id: int, incident_id: int, at: dt.datetime, kind: str,
                 author: int | None, body: str = "", data: dict | None = None) -> None:  # fmt: skip
        self.activity_id += 1
        self.activities.add(
            (self.activity_id, org_id, incident_id, stamp(at), kind, author,
             "Agent" if author else "Accord", body, kind == "reply",
             json.dumps(data or {}, sort_keys=True))
        )  # fmt: skip

    def incident(
        self, org_id: int, number: int, created: dt.datetime, world: dict[str, Any]
    ) -> None:
        rng, now = self.rng, self.now
        self.incident_id += 1
        iid = self.incident_id
        title, category = rng.choice(TITLES)
        priority = self.priority()
        impact, urgency = rng.choice(IMPACT_URGENCY[priority])
        service = rng.choices(world["services"], cum_weights=world["service_weights"])[0] if (
            world["services"] and rng.random() < 0.92) else None  # fmt: skip
        stretch = service["stretch"] if service else 1.0
        target = service is not None and service["agreed"]
        response_minutes, resolution_minutes = LEVELS[priority]
        response_wall = dt.timedelta(minutes=response_minutes * stretch)
        resolution_wall = dt.timedelta(minutes=resolution_minutes * stretch)
        # Actual times: log-normal around a share of the target (most meet it, some do not).
        responded = created + response_wall * rng.lognormvariate(math.log(0.45), 0.7)
        resolved = created + resolution_wall * rng.lognormvariate(math.log(0.45), 0.8)
        if rng.random() < 0.004:  # a few stuck for months
            resolved = created + dt.timedelta(days=rng.uniform(30, 240))
        responded = min(responded, resolved)
        team = rng.choices(world["teams"], cum_weights=world["team_weights"])[0] if world[
            "teams"] else None  # fmt: skip
        assignee = rng.choice(team["members"]) if team else None
        logger = rng.choice(world["agents"]) if world["agents"] else None
        status, pending_reason, closed, reopen = "closed", "", None, 0
        if resolved <= now:
            close_at = resolved + dt.timedelta(days=rng.uniform(0.2, CLOSE_AFTER_DAYS))
            if close_at <= now:
                closed = close_at
            else:
                status = "resolved"
            draw = rng.random()
            reopen = 2 if draw < 0.004 else 1 if draw < 0.035 else 0
        else:  # the open backlog
            resolved = None
            if responded > now:
                responded = None
                status = "new" if rng.random() < 0.45 else "assigned"
                if status == "new":
                    assignee = None
                    team = world["teams"][0] if world["teams"] and rng.random() < 0.5 else None
                elif rng.random() < 0.35:
                    assignee = None
            else:
                status = rng.choices(["in_progress", "pending", "assigned"], [55, 25, 20])[0]
                if status == "pending":
                    pending_reason = rng.choice(PENDING)
            if assignee is not None and rng.random() < 0.03:
                assignee = world["me"]  # the measured agent has a queue of their own
        response_due = created + response_wall if target else None
        resolution_due = created + resolution_wall if target else None
        warn = dict.fromkeys(("response_warn_at", "resolution_warn_at"))
        if target:
            warn["response_warn_at"] = created + response_wall * 0.75
            warn["resolution_warn_at"] = created + resolution_wall * 0.75
        response_breached = bool(target and (responded or now) > response_due)
        resolution_breached = bool(target and (resolved or now) > resolution_due)
        due_at = warn_at = remaining = None
        if target and resolved is None:
            if status == "pending":
                response_breached = resolution_breached = False
                remaining = max(0, int((resolution_due - now).total_seconds() // 60 / stretch))
                warn["resolution_warn_at"] = resolution_due = None
            elif responded is None:
                due_at, warn_at = response_due, warn["response_warn_at"]
            else:
                due_at, warn_at = resolution_due, warn["resolution_warn_at"]
        alert_at = None
        if warn_at is not None:
            alert_at = warn_at if warn_at > now else due_at if due_at > now else None
        reporter = rng.randint(1, world["people"]) if world["people"] else None
        done = resolved is not None
        self.incidents.add(
            (iid, org_id, 1, number, f"INC-{number:06d}", title, f"{title}. Reported by phone.",
             reporter, world["customer_of"](reporter) if reporter else None,
             service["id"] if service else None, category, self.channel(), impact, urgency,
             priority, status, pending_reason, "", team["id"] if team else None, assignee, logger,
             stamp(created), stamp(closed or resolved or responded or created), stamp(responded),
             stamp(resolved), stamp(closed), stamp(response_due), stamp(warn["response_warn_at"]),
             response_breached, stamp(resolution_due), stamp(warn["resolution_warn_at"]),
             resolution_breached, remaining, target, stamp(due_at), stamp(warn_at), stamp(now),
             self.resolution_code() if done else "", "Resolved as described." if done else "",
             reopen, False, None, None, None, stamp(alert_at),
             # The response is the first reply (the default rule, migration 0010).
             "reply" if responded else "", stamp(responded), None)
        )  # fmt: skip
        if assignee is not None:
            team_id = team["id"] if team else None
            self.activity(org_id, iid, created + dt.timedelta(minutes=2), "assignment", logger,
                          data={"team": team_id, "assignee": assignee})  # fmt: skip
        if responded is not None and rng.random() < 0.4:
            kind = "reply" if rng.random() < 0.5 else "note"
            self.activity(org_id, iid, responded, kind, assignee or logger, rng.choice(NOTES))
        if status == "pending":
            moved = {"from": "in_progress", "to": "pending", "reason": pending_reason}
            self.activity(org_id, iid, responded or created, "status", assignee, data=moved)
        if resolved is not None:
            self.activity(org_id, iid, resolved, "status", assignee,
                          data={"from": "in_progress", "to": "resolved"})  # fmt: skip
        if closed is not None and rng.random() < 0.2:
            self.activity(org_id, iid, closed, "status", None,
                          data={"from": "resolved", "to": "closed"})  # fmt: skip

    def flush(self) -> None:
        self.incidents.flush()
        self.activities.flush()


def load(host: Any, settings: Any, args: argparse.Namespace) -> dict[str, Any]:
    from accord.audit import Actor, acting_as
    from accord.db import database
    from accord.plugins.incidents.models import Counter

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with database.connection_context(), acting_as(Actor(None, "bench")):
        org, agents = setup_org(host, SLUG, "Bench Council ICT", sum(t[2] for t in TEAMS))
        other, other_agents = setup_org(host, OTHER, "Another Council", 4)
        from accord import accounts

        me = accounts.create_user(f"bench@{SLUG}.example", "Bench Agent", PASSWORD)
        accounts.add_member(me, org, "agent")
        services = build_catalogue(org)
        teams = build_teams(org, agents, me)
        # Reporters: people in customer organisations, written by the contacts bench's loader.
        people_args = argparse.Namespace(
            people=args.people, interactions=0, customers=max(10, args.people // 100),
            seed=args.seed,
        )  # fmt: skip
        print(f"loading into {settings.database_url.split('@')[-1]} …", flush=True)
        started = time.monotonic()
        people = load_people(org, [a.id for a in agents], people_args)
        customers = people_args.customers
        world = {
            "services": services,
            "service_weights": _cumulative([s["weight"] for s in services]),
            "teams": teams,
            "team_weights": _cumulative([t["share"] for t in teams]),
            "agents": [a.id for a in agents],
            "me": me.id,
            "people": args.people,
            # The contacts loader puts person n in a random customer; any customer will do here.
            "customer_of": lambda pid: 1 + pid % customers,
        }
        generator = Generator(args, now)
        moments = generator.times(args.incidents)
        for number, created in enumerate(moments, 1):
            generator.incident(org.id, number, created, world)
            if number % 100_000 == 0:
                rate = number / (time.monotonic() - started)
                print(f"  {number:,} incidents ({rate:,.0f}/s)", flush=True)
        Counter.create(org=org, value=len(moments))
        others = max(1000, args.incidents // 10)
        bare = {"services": [], "service_weights": [], "teams": [], "team_weights": [],
                "agents": [a.id for a in other_agents], "me": None, "people": 0,
                "customer_of": lambda pid: None}  # fmt: skip
        for number, created in enumerate(generator.times(others), 1):
            generator.incident(other.id, number, created, bare)
        Counter.create(org=other, value=others)
        generator.flush()
        build_summaries()
        finish_load(settings)
        print(
            f"loaded {generator.incidents.count:,} incidents and "
            f"{generator.activities.count:,} timeline entries in "
            f"{time.monotonic() - started:,.0f} s",
            flush=True,
        )
        samples = pick_samples(org, me, args)
        samples["totals"] = {
            "incidents": generator.incidents.count,
            "ours": len(moments),
            "activities": generator.activities.count,
            "people": people["totals"]["people"],
        }
    return samples


def _cumulative(weights: list[int]) -> list[int]:
    out, total = [], 0
    for w in weights:
        total += w
        out.append(total)
    return out


def build_summaries() -> None:
    """The report's daily summaries, as ``accord incidents rebuild-summaries`` builds them
    after a bulk load: the rows above bypassed the changes that keep them."""
    from accord import Organisation
    from accord.plugins.incidents import summaries

    for org in Organisation.select().order_by(Organisation.id):
        if not summaries.ready(org):
            done = summaries.rebuild(org)
            print(
                f"summaries of {org.slug}: {done.incidents:,} incidents, {done.rows:,} rows "
                f"in {done.seconds:,.1f} s",
                flush=True,
            )


def counting_live(live: bool) -> None:
    """``--live``: reports count from the incidents, as before the summaries (their state
    names no time zone while it is set, so the report finds them not ready)."""
    from accord.plugins.incidents.models import SummaryState

    marker = "live:"
    for state in SummaryState.select():
        counting = state.zone.startswith(marker)
        if live and not counting:
            SummaryState.update(zone=marker + state.zone).where(
                SummaryState.id == state.id
            ).execute()
        elif not live and counting:
            SummaryState.update(zone=state.zone[len(marker) :]).where(
                SummaryState.id == state.id
            ).execute()


def finish_load(settings: Any) -> None:
    from accord.db import database

    if not settings.is_sqlite:
        for table in ("incidents_incident", "incidents_activity"):
            database.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    database.execute_sql("ANALYZE")


def pick_samples(org: Any, me: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Incidents to open, references to search for, services to filter by."""
    from accord.db import database
    from accord.plugins.catalogue.models import Service
    from accord.plugins.incidents import sla
    from accord.plugins.incidents.models import Incident

    rng = random.Random(args.seed + 2)
    top = (
        Incident.select(Incident.number)
        .where(Incident.org == org)
        .order_by(Incident.number.desc())
        .scalar()
    )
    numbers = sorted(rng.sample(range(1, top + 1), min(200, top)))
    chosen = list(Incident.in_org(org).where(Incident.number.in_(numbers)))
    chosen += list(Incident.in_org(org).where(Incident.status.in_(("in_progress", "pending")))
                   .order_by(Incident.id.desc()).limit(50))  # fmt: skip
    started = time.monotonic()
    with database.atomic():
        for incident in chosen:  # their real clocks and ledgers, for true detail pages
            sla.recompute(incident)
    print(f"recomputed {len(chosen)} clocks in {time.monotonic() - started:.1f} s", flush=True)
    services = [s.id for s in Service.in_org(org).order_by(Service.id)]
    return {
        "incidents": [(i.id, i.number, i.created_at) for i in chosen],
        "references": [f"INC-{n:06d}" for n in numbers],
        "services": services[:10],
    }


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


def scenarios(samples: dict[str, Any], rng: random.Random) -> dict[str, Callable[[], str]]:
    base = f"/o/{SLUG}/incidents"
    queue = f"{base}/queues"

    def deep_page() -> str:
        from accord.plugins.incidents.queues import TABLES

        pid, _, created = rng.choice(samples["incidents"])

        class Row:  # what Keyset.encode reads
            __data__ = {"created_at": created}

            @staticmethod
            def get_id() -> int:
                return pid

        return f"{queue}/all?after={TABLES['all'].default.encode(Row())}"

    return {
        "queue: mine": lambda: f"{queue}/mine",
        "queue: my teams'": lambda: f"{queue}/team",
        "queue: unassigned": lambda: f"{queue}/unassigned",
        "queue: breaching soon": lambda: f"{queue}/breaching",
        "all: first page": lambda: f"{queue}/all",
        "all: a page deep in (cursor)": deep_page,
        "all: service + priority filter": lambda: (
            f"{queue}/all?service={rng.choice(samples['services'])}&priority={rng.randint(1, 4)}"
        ),
        "all: SLA breached filter": lambda: f"{queue}/all?sla=breached",
        "all: status filter, sorted by SLA": lambda: f"{queue}/all?status=pending&sort=due_at",
        "all: search a word": lambda: f"{queue}/all?q={rng.choice(['printer', 'password', 'vpn'])}",
        "all: search a reference": lambda: f"{queue}/all?q={rng.choice(samples['references'])}",
        "detail: incident": lambda: f"{base}/{rng.choice(samples['incidents'])[0]}",
        "report: 30 days": lambda: f"{base}/report",
        "report: 90 days": lambda: f"{base}/report?period=90d",
        "report: 12 months": lambda: f"{base}/report?period=12m",
        "report: 30 days, one service": lambda: (
            f"{base}/report?service={rng.choice(samples['services'])}"
        ),
        "report: 12 months, one service": lambda: (
            f"{base}/report?period=12m&service={rng.choice(samples['services'])}"
        ),
    }


def measure(app: Any, samples: dict[str, Any], args: argparse.Namespace) -> dict[str, list[float]]:
    from starlette.testclient import TestClient

    from accord.testing import sign_in

    rng = random.Random(args.seed + 1)
    plan = scenarios(samples, rng)
    if args.only:
        plan = {k: v for k, v in plan.items() if any(w in k for w in args.only.split(","))}
    timings: dict[str, list[float]] = {name: [] for name in plan}
    with TestClient(app, base_url="http://testserver") as client:
        assert sign_in(client, f"bench@{SLUG}.example", PASSWORD).status_code == 303
        for name, make in plan.items():  # warm-up, and a check that every page answers
            url = make()
            response = client.get(url)
            assert response.status_code == 200, (
                name,
                url,
                response.status_code,
                response.text[:300],
            )
            if name.startswith(("queue", "all")) and "search" not in name:
                assert "incidents-title" in response.text or "No " in response.text, name
        for _ in range(args.rounds):
            for name, make in plan.items():
                count = args.report_samples if name.startswith("report") else args.samples
                for _ in range(count):
                    url = make()
                    started = time.perf_counter()
                    response = client.get(url)
                    timings[name].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
    return timings


def report(timings: dict[str, list[float]], totals: dict[str, int], label: str) -> None:
    print(f"\n{label}: {totals['incidents']:,} incidents ({totals['ours']:,} in the measured "
          f"organisation), {totals['activities']:,} timeline entries, "
          f"{totals['people']:,} reporters")  # fmt: skip
    print(f"{'page':<36} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in timings.items():
        print(
            f"{name:<36} {len(values):>4} {statistics.median(values):>8.1f} "
            f"{percentile(values, 0.95):>8.1f}"
        )


def samples_from(args: argparse.Namespace) -> dict[str, Any]:
    """What ``load`` returns, read back from a database it filled earlier (``--reuse``)."""
    from accord import Organisation, User
    from accord.plugins.contacts.models import Person
    from accord.plugins.incidents.models import Activity, Incident

    org = Organisation.get(Organisation.slug == SLUG)
    me = User.get(User.email == f"bench@{SLUG}.example")
    samples = pick_samples(org, me, args)
    samples["totals"] = {
        "incidents": Incident.select().count(),
        "ours": Incident.in_org(org).count(),
        "activities": Activity.select().count(),
        "people": Person.select().count(),
    }
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=0, help="reporters; default incidents / 20")
    parser.add_argument(
        "--database", help="a PostgreSQL database to create and empty (name: *bench*)"
    )
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL database after")
    parser.add_argument("--samples", type=int, default=10, help="requests per page per round")
    parser.add_argument("--report-samples", type=int, default=2, help="the same for reports")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="comma-separated words: time only scenarios naming one")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    parser.add_argument("--reuse", metavar="HOME", help="measure again what a kept run loaded")
    parser.add_argument(
        "--live", action="store_true", help="reports count from the incidents, not the summaries"
    )
    args = parser.parse_args()
    args.people = args.people or max(1000, args.incidents // 20)
    if args.database and not args.reuse:
        ensure_postgres_database(args.database)
    home = (
        Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="accord-incidents-bench-"))
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
            samples = load(host, settings, args)
        if settings.is_sqlite:
            size = sum(f.stat().st_size for f in home.glob("accord.db*")) / 1e9
            print(f"database file: {size:.2f} GB")
        with database.connection_context():
            migrate(host)  # what was added to the code while the rows loaded (a long run)
            counting_live(False)
            build_summaries()  # a kept instance loaded before the summaries existed
            counting_live(args.live)
        app = create_app(settings, host)
        timings = measure(app, samples, args)
        kind = "SQLite" if settings.is_sqlite else "PostgreSQL"
        kind += ", reports counted live" if args.live else ""
        report(timings, samples["totals"], f"{kind}, {os.cpu_count()} CPUs")
    finally:
        if args.keep or args.reuse:
            print(f"instance kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
        if args.database and args.drop and not (args.keep or args.reuse):
            from accord.db import database

            database.close()
            drop_postgres_database(args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
