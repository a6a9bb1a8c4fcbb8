#!/usr/bin/env python3
"""The global search at a million people: exact names, typos, several addresses, nonsense.

Builds a throwaway instance (as ``contacts.py`` does: SQLite in a temporary
folder, or an emptied PostgreSQL database with ``--database``), bulk-loads one
organisation with ``--people`` people (default 1,000,000) in ``--customers``
customer organisations, with their email addresses and phone numbers in
``contacts_person_detail`` (every fifth person has a second address and a
mobile), written the way the plugin writes them, then times the global
search box (``/o/<org>/dashboard/search``) through the whole application in
process (Starlette's TestClient), in interleaved rounds, and prints the
median and 95th percentile of each query.

    .venv/bin/python bench/search.py                                     # 1M on SQLite
    .venv/bin/python bench/search.py --people 100000
    .venv/bin/python bench/search.py --database postgresql://postgres@127.0.0.1:5432/accord_bench_search

Deterministic (``--seed``); no network; every loop is bounded by the arguments.
"""

from __future__ import annotations

import argparse
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

from contacts import (  # the people bench beside this file: instance, bulk writer, names
    FIRST,
    LAST,
    PASSWORD,
    SLUG,
    TOWNS,
    Writer,
    _stamp,
    open_instance,
    percentile,
)

# Surnames as varied as a real customer base's: the bench's own, and the same with endings.
ENDINGS = ["", "son", "ley", "ton", "wood", "ford", "field", "well", "by", "ham", "er", "ish"]
SURNAMES = [last + ending for last in LAST for ending in ENDINGS]


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one letter dropped, doubled, changed or swapped with the next."""
    i = rng.randint(1, len(word) - 2)
    kind = rng.choice(("drop", "double", "change", "swap"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "change":
        vowel = "aeiou"[("aeiou".find(word[i]) + 1) % 5] if word[i] in "aeiou" else "e"
        return word[:i] + vowel + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def load(org: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Write every row; return a sample of people to search for."""
    from accord.plugins.contacts.normalise import phone_search_forms, search_text

    rng = random.Random(args.seed)
    now = datetime.now().replace(microsecond=0)
    customers = Writer(
        "contacts_organisation",
        ["id", "org_id", "version", "name", "kind", "status", "created_at", "updated_at",
         "search_text", "city", "country", "industry", "size", "notes", "address", "postcode",
         "region"],
    )  # fmt: skip
    names = []
    for n in range(1, args.customers + 1):
        town = TOWNS[n % len(TOWNS)]
        name = f"{town} {rng.choice(('Academy', 'Primary School', 'Council', 'Trust'))} {n}"
        names.append(name)
        created = _stamp(now - timedelta(days=800))
        customers.add(
            (n, org.id, 1, name, "school", "active", created, created,
             search_text([name, town]), town, "GB", "", "", "", "", "", "")
        )  # fmt: skip
    customers.flush()
    people = Writer(
        "contacts_person",
        ["id", "org_id", "version", "first_name", "last_name", "job_title", "email", "phone",
         "status", "created_at", "updated_at", "organisation_id", "search_text", "city",
         "country", "tag_names", "age_band", "preferred_language", "preferred_channel", "notes",
         "address", "postcode", "region"],
    )  # fmt: skip
    details = Writer(
        "contacts_person_detail",
        ["org_id", "person_id", "kind", "value", "label", "is_primary", "created_at"],
        parents=(people,),
    )
    affiliations = Writer(
        "contacts_affiliation",
        ["org_id", "person_id", "organisation_id", "role", "is_primary", "created_at"],
        parents=(people,),
    )
    samples: list[tuple[str, str, str | None]] = []
    started = time.monotonic()
    for pid in range(1, args.people + 1):
        first, last = rng.choice(FIRST), rng.choice(SURNAMES)
        customer = rng.randint(1, args.customers)
        email = f"{first}.{last}{pid}@example.org".lower()
        phone = f"+44113{pid:07d}"
        reach = [("email", email, "work", True), ("phone", phone, "work", True)]
        if pid % 5 == 0:
            reach.append(("email", f"{first}{pid}@home.example".lower(), "home", False))
            reach.append(("phone", f"+447911{pid:06d}", "mobile", False))
        created = _stamp(now - timedelta(days=rng.randint(1, 900)))
        emails = [value for kind, value, _, _ in reach if kind == "email"]
        phones = [
            form for kind, v, _, _ in reach if kind == "phone" for form in phone_search_forms(v)
        ]
        text = search_text([first, last, *emails, *phones, names[customer - 1]])
        people.add(
            (pid, org.id, 1, first, last, "", email, phone, "active", created, created, customer,
             text, "", "GB", "", "", "", "", "", "", "", "")
        )  # fmt: skip
        for kind, value, label, primary in reach:
            details.add((org.id, pid, kind, value, label, primary, created))
        affiliations.add((org.id, pid, customer, "", True, created))
        if len(samples) < 500 and rng.random() < 1000 / args.people:
            samples.append((first, last, reach[2][1] if len(reach) > 2 else None))
        if pid % 100_000 == 0:
            rate = pid / (time.monotonic() - started)
            print(f"  {pid:,} people ({rate:,.0f} people/s)", flush=True)
    for writer in (people, details, affiliations):
        writer.flush()
    return {"people": samples, "total": people.count, "customers": customers.count}


def finish_load(settings: Any) -> None:
    from accord.db import database

    if not settings.is_sqlite:
        for table in ("contacts_organisation", "contacts_person", "contacts_person_detail"):
            database.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    database.execute_sql("ANALYZE")


def scenarios(samples: dict[str, Any], rng: random.Random) -> dict[str, Callable[[], str]]:
    people = samples["people"]
    second = [p for p in people if p[2]]

    def url(query: str) -> str:
        return f"/o/{SLUG}/dashboard/search?q={quote(query)}"

    return {
        "exact surname": lambda: url(rng.choice(people)[1]),
        "first name and exact surname": lambda: url(" ".join(rng.choice(people)[:2])),
        "surname with a typo": lambda: url(typo(rng.choice(people)[1], rng)),
        "first name and surname with a typo": lambda: url(
            (lambda p: f"{p[0]} {typo(p[1], rng)}")(rng.choice(people))
        ),
        "a second email address": lambda: url(rng.choice(second)[2]),
        "nonsense": lambda: url(rng.choice(("Zqxwv Kjhgf", "Xyzzy", "Qwpfgj Vbnm"))),
    }


def measure(app: Any, samples: dict[str, Any], args: argparse.Namespace) -> dict[str, list[float]]:
    from starlette.testclient import TestClient

    from accord.testing import sign_in

    rng = random.Random(args.seed + 1)
    plan = scenarios(samples, rng)
    timings: dict[str, list[float]] = {name: [] for name in plan}
    with TestClient(app, base_url="http://testserver") as client:
        assert sign_in(client, f"bench@{SLUG}.example", PASSWORD).status_code == 303
        for name, make in plan.items():  # warm-up, and a check that every query answers
            response = client.get(make())
            assert response.status_code == 200, (name, response.status_code)
        for _ in range(args.rounds):
            for name, make in plan.items():
                for _ in range(args.samples):
                    url = make()
                    started = time.perf_counter()
                    response = client.get(url)
                    timings[name].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=0, help="default: people / 200")
    parser.add_argument("--database", help="an empty PostgreSQL database (its schema is dropped)")
    parser.add_argument("--samples", type=int, default=10, help="requests per query per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    args.customers = args.customers or max(10, args.people // 200)
    home = Path(tempfile.mkdtemp(prefix="accord-search-bench-"))
    try:
        settings, host = open_instance(home, args.database)
        from accord import accounts, enablement
        from accord.app import create_app
        from accord.audit import Actor, acting_as
        from accord.db import database

        with database.connection_context(), acting_as(Actor(None, "bench")):
            org = accounts.create_org(SLUG, "Bench Council ICT")
            me = accounts.create_user(f"bench@{SLUG}.example", "Bench Agent", PASSWORD)
            accounts.add_member(me, org, "agent")
            enablement.enable(host, org, "contacts")
            print(f"loading into {settings.database_url.split('@')[-1]} …", flush=True)
            started = time.monotonic()
            samples = load(org, args)
            finish_load(settings)
            print(f"loaded in {time.monotonic() - started:,.0f} s", flush=True)
        app = create_app(settings, host)
        timings = measure(app, samples, args)
        kind = "SQLite" if settings.is_sqlite else "PostgreSQL"
        print(
            f"\n{kind}, {os.cpu_count()} CPUs: {samples['total']:,} people, "
            f"{samples['customers']:,} customer organisations, {len(SURNAMES):,} surnames"
        )
        print(f"{'global search':<40} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
        for name, values in timings.items():
            print(
                f"{name:<40} {len(values):>4} {statistics.median(values):>8.1f} "
                f"{percentile(values, 0.95):>8.1f}"
            )
    finally:
        if args.keep:
            print(f"instance kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
