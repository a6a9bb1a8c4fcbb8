#!/usr/bin/env python3
"""Per-request cost of Accord's core and plugin layer, over real HTTP on loopback.

Builds a throwaway instance (ACCORD_HOME in a temporary folder): migrates,
creates ``--orgs`` organisations, a measured user and ``--plugins`` throwaway
plugins (registered as objects with ``build_host(..., objects=...,
entry_points=False)``), each contributing a page, a menu item and a dashboard
widget, with the set of enabled plugins varying from one organisation to the
next. It serves the instance with uvicorn in a subprocess on 127.0.0.1 and
times sequential GETs from an httpx client (one keep-alive connection):

  (a)   a bare Starlette route (async, small HTML): the floor of the stack;
  (a2)  the same route as a sync ``def`` (Starlette's thread pool, like Accord's views);
  (b)   GET /healthz: Accord's public route (guard, connection, ``SELECT 1``);
  (c)   a signed-in plugin page in an organisation with every plugin enabled
        (full page: a menu item from every plugin, the organisation switcher);
  (d1)  the same page as an htmx fragment (``HX-Request-Type: partial``);
  (d2)  the dashboard of that organisation (one widget per plugin);
  (e1)  the same plugin page in an organisation where only that plugin is enabled;
  (e2)  the dashboard of an organisation with no optional plugin enabled;
  (f)   the dashboard of a random organisation, each with its own member and its
        own set of enabled plugins (the subset-hook cache sees many distinct sets);
  (c10) (c) again, on a second instance of 10 organisations served by its own
        server at the same time: the per-request cost must not grow with the
        number of organisations.

Every scenario is measured in the same run, interleaved in ``--rounds`` blocks
so that drift and other processes on the machine affect all of them alike.
SQL statements per request are counted in the server with peewee's
``query_hooks``, in a separate pass, so counting does not distort the timings.

    .venv/bin/python bench/request_latency.py                     # SQLite
    .venv/bin/python bench/request_latency.py \\
        --database postgresql://postgres@127.0.0.1:5432/accord_bench

Only loopback traffic; every loop is bounded by the command-line arguments.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import math
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_ORGS = 10  # organisations of the small instance (c10), and the first ones of the big one
SECRET = "bench-secret-key-not-for-production"
PASSWORD = "correct horse battery"
FULL, ZERO, ONE = "bench-full", "bench-zero", "bench-one"


# ---------------------------------------------------------------------------
# Throwaway plugins (imported by both the parent and the server subprocess).
# ---------------------------------------------------------------------------

PAGE_TEMPLATE = """\
{% extends "base.html" %}
{% block content %}
<div class="page-header"><h1>{{ title }}</h1></div>
<table class="table">
  <thead><tr><th>#</th><th>Subject</th><th>State</th></tr></thead>
  <tbody>
  {% for row in rows %}
    <tr><td>{{ row.n }}</td><td>{{ row.subject }}</td><td>{{ row.state }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}
"""

ROWS = [
    {"n": n, "subject": f"Ticket <{n}> & co", "state": "open" if n % 3 else "closed"}
    for n in range(25)
]


def plugin_ids(count: int) -> list[str]:
    return [f"bench{n:02d}" for n in range(1, count + 1)]


class BenchPlugin:
    """A throwaway plugin: one permission, one page, one menu item, one widget."""

    def __init__(self, pid: str, order: int, template_root: Path) -> None:
        self.pid = pid
        self.order = order
        self.template_dir = template_root / pid

    def write_template(self) -> None:
        folder = self.template_dir / self.pid
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "page.html").write_text(PAGE_TEMPLATE)

    # Hook implementations are attached in make_plugins() (hookimpl lives in accord).


def make_plugins(count: int, template_root: Path) -> list[tuple[object, Any]]:
    from markupsafe import Markup

    from accord import MenuItem, Page, Permission, Widget, hookimpl, render

    try:
        from accord.testing import manifest  # needs pytest (the [test] extra)
    except ImportError:  # pragma: no cover - the same thing without pytest
        from accord.manifest import parse_manifest

        def manifest(plugin_id: str, **fields: Any) -> Any:
            data = {
                "id": plugin_id,
                "title": plugin_id.title(),
                "version": "1.0.0",
                "core_api": ">=1.0,<2",
                **fields,
            }
            return parse_manifest(data)

    class Plugin(BenchPlugin):
        @hookimpl
        def register_template_dir(self) -> Path:
            return self.template_dir

        @hookimpl
        def register_permissions(self) -> list[Any]:
            return [
                Permission(
                    f"{self.pid}.view",
                    f"Open {self.pid}",
                    roles=("admin", "manager", "agent", "viewer"),
                )
            ]

        @hookimpl
        def register_routes(self) -> list[Any]:
            return [Page("/", self.index, name="index", permission=f"{self.pid}.view")]

        @hookimpl
        def register_menu_items(self, ctx: Any) -> list[Any]:
            if not ctx.can(f"{self.pid}.view"):
                return []
            return [
                MenuItem(
                    f"Plugin {self.pid}",
                    ctx.url(f"{self.pid}:index"),
                    section="Work",
                    order=100 + self.order,
                )
            ]

        @hookimpl
        def register_dashboard_widgets(self, ctx: Any) -> list[Any]:
            html = Markup('<div class="stat">{}<span class="stat-label">open items</span></div>')
            return [
                Widget(
                    title=f"Widget {self.pid}",
                    html=html.format(self.order * 7),
                    order=100 + self.order,
                )
            ]

        def index(self, request: Any) -> Any:
            return render(
                request,
                f"{self.pid}/page.html",
                {"title": f"Plugin {self.pid}", "rows": ROWS},
                block="content",
            )

    return [
        (Plugin(pid, n, template_root), manifest(pid, title=f"Bench plugin {n}"))
        for n, pid in enumerate(plugin_ids(count), start=1)
    ]


def accord_settings(home: Path, database_url: str) -> Any:
    from accord.settings import load_settings

    return load_settings(
        {
            "ACCORD_HOME": str(home),
            "ACCORD_SECRET_KEY": SECRET,
            "ACCORD_DATABASE_URL": database_url,
        }
    )


def build_bench_host(home: Path, database_url: str, plugins: int) -> tuple[Any, Any]:
    from accord.host import build_host

    settings = accord_settings(home, database_url)
    objects = make_plugins(plugins, home / "bench_templates")
    host = build_host(settings, objects=objects, entry_points=False)
    broken = [f"{info.id}: {info.reason}" for info in host.quarantined()]
    if broken:
        raise SystemExit("plugins quarantined: " + "; ".join(broken))
    return settings, host


# ---------------------------------------------------------------------------
# The server subprocess.
# ---------------------------------------------------------------------------


def serve(args: argparse.Namespace) -> None:
    """Run Accord plus a bare Starlette app under one uvicorn server."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    from accord.app import create_app
    from accord.db import database

    home = Path(args.home)
    settings, host = build_bench_host(home, args.database, args.plugins)
    accord = create_app(settings, host)
    if args.sqlite_pool and settings.is_sqlite:
        # What-if: keep SQLite connections open between requests, as the core
        # already does for PostgreSQL. Pragmas then run once per connection.
        from playhouse.db_url import connect

        from accord.db import sqlite_pragmas

        pooled_url = settings.database_url.replace("sqlite://", "sqlite+pool://", 1)
        database.initialize(
            connect(
                pooled_url,
                pragmas=sqlite_pragmas(settings),
                lock_type="IMMEDIATE",
                max_connections=20,
                stale_timeout=300,
                timeout=10,
                check_same_thread=False,
            )
        )
    db = database.obj

    counting = {"on": False, "queries": [], "connects": 0}

    def on_query(event: Any) -> None:
        if counting["on"]:
            counting["queries"].append((event.sql, event.duration))

    db.query_hooks.append(on_query)
    original_connect = db._connect

    def counted_connect(*a: Any, **kw: Any) -> Any:
        if counting["on"]:
            counting["connects"] += 1
        return original_connect(*a, **kw)

    db._connect = counted_connect  # sqlite3.connect per request, or a pool checkout

    body = "<!doctype html><title>bare</title><p>Hello from a bare Starlette route.</p>"

    async def bare(request: Request) -> HTMLResponse:
        return HTMLResponse(body)

    def bare_sync(request: Request) -> HTMLResponse:
        return HTMLResponse(body)

    async def sql_start(request: Request) -> JSONResponse:
        counting.update(on=True, queries=[], connects=0)
        return JSONResponse({"ok": True})

    async def sql_stop(request: Request) -> JSONResponse:
        counting["on"] = False
        return JSONResponse(
            {
                "queries": [sql for sql, _ in counting["queries"]],
                "durations": [duration for _, duration in counting["queries"]],
                "sql_seconds": sum(d for _, d in counting["queries"]),
                "connects": counting["connects"],
            }
        )

    async def stats(request: Request) -> JSONResponse:
        subset = host._subset.cache_info()
        perms = accord.state.accord.permissions._for.cache_info()
        return JSONResponse(
            {
                "subset_cache": subset._asdict(),
                "permission_cache": perms._asdict(),
                "routes": len(accord.routes),
                "other_plugins": len(host.order) - args.plugins,
            }
        )

    bench = Starlette(
        routes=[
            Route("/__bench/bare", bare),
            Route("/__bench/bare-sync", bare_sync),
            Route("/__bench/sql/start", sql_start, methods=["POST"]),
            Route("/__bench/sql/stop", sql_stop, methods=["POST"]),
            Route("/__bench/stats", stats),
        ]
    )

    async def dispatch(scope: Any, receive: Any, send: Any) -> None:
        # One string comparison in front of both apps; /__bench/ never reaches Accord.
        if scope["type"] == "http" and scope["path"].startswith("/__bench/"):
            await bench(scope, receive, send)
        else:
            await accord(scope, receive, send)

    config = uvicorn.Config(
        dispatch,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    uvicorn.Server(config).run()


# ---------------------------------------------------------------------------
# Building the instance (parent process).
# ---------------------------------------------------------------------------


def prepare_postgres(url: str, force: bool) -> str:
    """Create the database if missing and empty its ``public`` schema."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("--database must name a database: postgresql://user@host:port/NAME")
    if "bench" not in name and not force:
        raise SystemExit(
            f"refusing to empty database {name!r}: its name does not contain 'bench' "
            "(pass --force-reset if it really is a scratch database)"
        )
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cur.execute("CREATE SCHEMA public")
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    conn.close()
    return f"PostgreSQL {version}"


@dataclass
class Instance:
    home: Path
    database_url: str
    plugins: list[str]
    alice_token: str = ""
    member_tokens: dict[str, str] = field(default_factory=dict)  # org slug -> session token
    enabled_sets: dict[str, frozenset[str]] = field(default_factory=dict)
    org_count: int = 0
    sizes: dict[str, int] = field(default_factory=dict)


def sibling_database(url: str, suffix: str) -> str:
    """``postgresql://…/NAME`` -> ``postgresql://…/NAME<suffix>``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def random_subset(rng: random.Random, plugins: list[str]) -> frozenset[str]:
    return frozenset(rng.sample(plugins, rng.randint(0, len(plugins))))


def chunks(rows: list[Any], size: int = 400) -> Any:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def add_orgs(inst: Instance, host: Any, rng: random.Random, count: int, password_hash: str) -> None:
    """Add ``count`` organisations with bulk inserts: each gets one admin member
    (with a live session), a random set of enabled plugins and an audit entry."""
    from accord.clock import utcnow
    from accord.db import database
    from accord.models import AuditEntry, Membership, Organisation, PluginEnablement, Session, User
    from accord.security import new_token, token_hash

    now = utcnow()
    first = inst.org_count
    slugs = [f"org-{n:05d}" for n in range(first, first + count)]
    with database.atomic():
        for batch in chunks(slugs):
            Organisation.insert_many(
                [{"slug": s, "name": f"Organisation {s[4:]}", "created_at": now} for s in batch]
            ).execute()
        ids = {o.slug: o.id for o in Organisation.select().where(Organisation.slug.in_(slugs))}
        users = [
            {
                "email": f"member@{s}.bench",
                "name": f"Member of {s}",
                "password_hash": password_hash,
                "created_at": now,
                "password_changed_at": now,
            }
            for s in slugs
        ]
        for batch in chunks(users):
            User.insert_many(batch).execute()
        user_ids = {
            u.email: u.id for u in User.select().where(User.email.in_([u["email"] for u in users]))
        }
        members, sessions, enabled, audit = [], [], [], []
        for s in slugs:
            uid = user_ids[f"member@{s}.bench"]
            members.append({"user": uid, "org": ids[s], "role": "admin"})
            token = new_token()
            inst.member_tokens[s] = token
            sessions.append(
                {
                    "token_hash": token_hash(token),
                    "user": uid,
                    "created_at": now,
                    "last_seen_at": now,
                    "data": {},
                }
            )
            chosen = random_subset(rng, inst.plugins)
            inst.enabled_sets[s] = chosen
            enabled += [
                {"org": ids[s], "plugin": p, "enabled": True, "changed_at": now}
                for p in sorted(chosen)
            ]
            audit.append(
                {
                    "org": ids[s],
                    "at": now,
                    "actor": None,
                    "actor_label": "bench",
                    "action": "create",
                    "plugin": "core",
                    "table": "accord_organisation",
                    "record_id": str(ids[s]),
                    "summary": f"created organisation {s}",
                    "changes": {},
                }
            )
        for model, rows in (
            (Membership, members),
            (Session, sessions),
            (PluginEnablement, enabled),
            (AuditEntry, audit),
        ):
            for batch in chunks(rows):
                model.insert_many(batch).execute()
    inst.org_count += count


def build_instance(inst: Instance, host: Any, rng: random.Random, base_orgs: int) -> str:
    """Migrate; create the measured organisations through Accord's own API."""
    from accord import accounts, enablement, sessions
    from accord.audit import Actor, acting_as
    from accord.db import database
    from accord.models import Organisation
    from accord.schema import migrate

    with database.connection_context():
        migrate(host)
        with acting_as(Actor(None, "bench")), database.atomic():
            alice = accounts.create_user("alice@bench.test", "Alice Bench", PASSWORD)
            for slug, name, wanted in (
                (FULL, "Bench · every plugin", inst.plugins),
                (ZERO, "Bench · no optional plugin", []),
                (ONE, "Bench · one plugin", inst.plugins[:1]),
            ):
                org = accounts.create_org(slug, name)
                accounts.add_member(alice, org, "admin")
                for pid in wanted:
                    enablement.enable(host, org, pid)
                inst.enabled_sets[slug] = frozenset(wanted)
            inst.alice_token, _ = sessions.start(alice)
            password_hash = alice.password_hash
        inst.org_count = 3
        add_orgs(inst, host, rng, base_orgs - 3, password_hash)
        analyze()
        # Alice belongs to a few more organisations (the switcher lists them).
        with acting_as(Actor(None, "bench")):
            others = Organisation.select().where(Organisation.slug.startswith("org-"))
            for org in others.order_by(Organisation.slug).limit(2):
                accounts.add_member(alice, org, "agent")
    return password_hash


def grow_instance(
    inst: Instance, host: Any, rng: random.Random, total: int, password_hash: str
) -> None:
    from accord.db import database

    with database.connection_context():
        add_orgs(inst, host, rng, total - inst.org_count, password_hash)
        analyze()


def analyze() -> None:
    """PostgreSQL: refresh planner statistics, as autovacuum would after bulk inserts.

    SQLite is left as Accord leaves it (no ``sqlite_stat1``), as in a real instance.
    """
    import peewee

    from accord.db import database

    if not isinstance(database.obj, peewee.SqliteDatabase):
        database.execute_sql("ANALYZE")


def table_sizes() -> dict[str, int]:
    from accord.db import database
    from accord.models import AuditEntry, Membership, Organisation, PluginEnablement, Session, User

    with database.connection_context():
        return {
            m._meta.table_name: m.select().count()
            for m in (Organisation, User, Membership, Session, PluginEnablement, AuditEntry)
        }


# ---------------------------------------------------------------------------
# Client side: scenarios and timing.
# ---------------------------------------------------------------------------


HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@dataclass
class Scenario:
    key: str
    label: str
    request: Callable[[], tuple[str, dict[str, str]]]  # -> (path, headers)
    check: Callable[[str], bool] = lambda body: True
    samples: list[float] = field(default_factory=list)
    sql: dict[str, Any] | None = None
    client: Any = None


def session_header(token: str) -> dict[str, str]:
    return {"Cookie": f"accord_session={token}"}


def make_scenarios(inst: Instance, rng: random.Random, client: Any) -> dict[str, Scenario]:
    first = inst.plugins[0]
    alice = session_header(inst.alice_token)
    labels = [f"Plugin {p}" for p in inst.plugins]
    widgets = [f"Widget {p}" for p in inst.plugins]
    members = sorted(inst.member_tokens)

    def full_page(body: str) -> bool:
        return all(label in body for label in labels) and "<nav" in body

    def rotating() -> tuple[str, dict[str, str]]:
        slug = rng.choice(members)
        return f"/o/{slug}/dashboard/", session_header(inst.member_tokens[slug])

    n = len(inst.plugins)
    scenarios = {
        s.key: s
        for s in [
            Scenario(
                "a",
                "bare Starlette route (async def)",
                lambda: ("/__bench/bare", {}),
                lambda b: "bare Starlette" in b,
            ),
            Scenario(
                "a2",
                "bare Starlette route (sync def, thread pool)",
                lambda: ("/__bench/bare-sync", {}),
                lambda b: "bare Starlette" in b,
            ),
            Scenario(
                "b",
                "Accord /healthz (public: guard + db)",
                lambda: ("/healthz", {}),
                lambda b: '"ok"' in b,
            ),
            Scenario(
                "c",
                f"plugin page, full, {n} plugins on",
                lambda: (f"/o/{FULL}/{first}/", alice),
                full_page,
            ),
            Scenario(
                "d1",
                f"same page, htmx fragment, {n} on",
                lambda: (f"/o/{FULL}/{first}/", {**alice, **HTMX}),
                lambda b: "<nav" not in b and "Ticket" in b,
            ),
            Scenario(
                "d2",
                f"dashboard, {n} plugins on ({n + 1} widgets)",
                lambda: (f"/o/{FULL}/dashboard/", alice),
                lambda b: all(w in b for w in widgets),
            ),
            Scenario(
                "e1",
                "plugin page, full, only that plugin on",
                lambda: (f"/o/{ONE}/{first}/", alice),
                lambda b: f"Plugin {first}" in b and f"Plugin {inst.plugins[-1]}" not in b,
            ),
            Scenario(
                "e2",
                "dashboard, 0 optional plugins on (1 widget)",
                lambda: (f"/o/{ZERO}/dashboard/", alice),
                lambda b: "Widget " not in b and "Dashboard" in b,
            ),
            Scenario(
                "f",
                "random org's dashboard (own user, plugin set)",
                rotating,
                lambda b: "Dashboard" in b,
            ),
        ]
    }
    for scenario in scenarios.values():
        scenario.client = client
    return scenarios


def start_server(
    args: argparse.Namespace, home: Path, database_url: str, port: int
) -> subprocess.Popen[bytes]:
    log = (home / "server.log").open("wb")
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--serve",
        "--home",
        str(home),
        "--database",
        database_url,
        "--plugins",
        str(args.plugins),
        "--port",
        str(port),
    ]
    if args.sqlite_pool:
        command.append("--sqlite-pool")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(client: Any, proc: subprocess.Popen[bytes], home: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited:\n" + (home / "server.log").read_text()[-4000:])
        try:
            if client.get("/__bench/bare").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(
        "server did not start within 60 s:\n" + (home / "server.log").read_text()[-4000:]
    )


def hit(scenario: Scenario) -> tuple[float, str]:
    path, headers = scenario.request()
    start = time.perf_counter()
    response = scenario.client.get(path, headers=headers)
    body = response.text
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(
            f"{scenario.key}: GET {path} answered {response.status_code}:\n{body[:2000]}"
        )
    return elapsed, body


def validate(scenario: Scenario) -> None:
    _, body = hit(scenario)
    if not scenario.check(body):
        raise SystemExit(f"{scenario.key} ({scenario.label}): unexpected page:\n{body[:3000]}")


def measure(scenarios: list[Scenario], requests: int, warmup: int, rounds: int) -> None:
    """Interleave the scenarios in ``rounds`` blocks so drift hits all of them alike."""
    for scenario in scenarios:
        validate(scenario)
        for _ in range(warmup):
            hit(scenario)
    per_round = [requests // rounds + (1 if r < requests % rounds else 0) for r in range(rounds)]
    for count in per_round:
        for scenario in scenarios:
            for _ in range(count):
                scenario.samples.append(hit(scenario)[0])


def count_sql(scenario: Scenario, requests: int) -> dict[str, Any]:
    """Statements the server ran for ``requests`` requests of ``scenario`` (peewee query hook)."""
    scenario.client.post("/__bench/sql/start")
    for _ in range(requests):
        hit(scenario)
    result = scenario.client.post("/__bench/sql/stop").json()
    result["requests"] = requests
    result["per_request"] = len(result["queries"]) / requests
    result["sql_ms_per_request"] = result["sql_seconds"] / requests * 1000
    result["connects_per_request"] = result["connects"] / requests
    by_table: dict[str, float] = {}
    for sql, seconds in zip(result["queries"], result.pop("durations"), strict=True):
        table = statement_table(sql)
        by_table[table] = by_table.get(table, 0.0) + seconds * 1000 / requests
    result["ms_by_table"] = by_table
    return result


def statement_table(sql: str) -> str:
    """``SELECT … FROM "accord_session" …`` -> ``accord_session``; else the verb."""
    if " FROM " in sql:
        return sql.split(" FROM ", 1)[1].split(" ", 1)[0].strip('"')
    return sql.split(" ", 1)[0]


def percentile(sorted_values: list[float], q: float) -> float:
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def summary(samples: list[float]) -> dict[str, float]:
    values = sorted(samples)
    mean = statistics.fmean(values)
    return {
        "n": len(values),
        "min": values[0] * 1000,
        "p50": percentile(values, 0.50) * 1000,
        "p95": percentile(values, 0.95) * 1000,
        "p99": percentile(values, 0.99) * 1000,
        "mean": mean * 1000,
        "rps": 1 / mean,
    }


# ---------------------------------------------------------------------------
# Report.
# ---------------------------------------------------------------------------


def print_table(rows: list[tuple[Scenario, dict[str, float]]], floor: dict[str, float]) -> None:
    head = (
        f"{'':6}{'scenario':46} {'min':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'mean':>6}"
        f" {'req/s':>5} {'+p50':>6} {'+mean':>6} {'SQL':>4} {'in db':>5}"
    )
    print(head)
    print("-" * len(head))
    for scenario, s in rows:
        sql = scenario.sql
        count = "" if sql is None else f"{sql['per_request']:.1f}"
        in_db = "" if sql is None else f"{sql['sql_ms_per_request']:.2f}"
        print(
            f"{'(' + scenario.key + ')':6}{scenario.label[:46]:46} {s['min']:5.2f} {s['p50']:6.2f}"
            f" {s['p95']:6.2f} {s['p99']:6.2f} {s['mean']:6.2f} {s['rps']:5.0f}"
            f" {s['p50'] - floor['p50']:+6.2f} {s['mean'] - floor['mean']:+6.2f} {count:>4}"
            f" {in_db:>5}"
        )


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def environment(args: argparse.Namespace, db_label: str) -> dict[str, str]:
    import importlib.metadata as md
    import importlib.util

    names = ("accord", "starlette", "uvicorn", "httpx", "peewee", "pluggy", "jinja2")
    versions = ", ".join(f"{name} {md.version(name)}" for name in names)
    http_impl = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    here = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(here), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return {
        "date": date.today().isoformat(),
        "commit": commit,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}",
        "database": db_label,
        "uvicorn": f"{http_impl} / {loop}, 1 worker, in a subprocess",
        "versions": versions,
        "loadavg_start": loadavg(),
    }


def print_header(args: argparse.Namespace, env: dict[str, str]) -> None:
    print(f"Accord request latency, {env['date']}")
    for key in ("commit", "machine", "python", "database", "uvicorn", "versions"):
        print(f"  {key:9} {env[key]}")
    print(f"  load avg  {env['loadavg_start']} at start (other processes on the machine add noise)")
    print("  client    httpx in this process, sequential GETs, one keep-alive connection, loopback")
    print(
        f"  load      {args.requests} timed requests per scenario after {args.warmup} warm-up,"
        f" in {args.rounds} interleaved rounds; times in ms; req/s = 1 / mean"
    )
    print()


def print_report(
    args: argparse.Namespace,
    inst: Instance,
    small: Instance,
    chosen: list[Scenario],
    server_stats: dict[str, Any],
    one_c: dict[str, Any] | None,
) -> dict[str, Any]:
    sizes = inst.sizes
    distinct = len(set(inst.enabled_sets.values()))
    orgs = sizes["accord_organisation"]
    print(
        f"Instance: {orgs} organisations with {distinct} distinct sets of enabled plugins,"
        f" {sizes['accord_plugin_enablement']} enablement rows, {sizes['accord_user']} users,"
        f" {sizes['accord_session']} live sessions, {sizes['accord_audit_entry']} audit entries;"
        f"\n{args.plugins} throwaway plugins + {server_stats['other_plugins']} built-in ones,"
        f" {server_stats['routes']} routes."
        f" The measured user belongs to 5 organisations: {FULL} (all {args.plugins} plugins),"
        f"\n{ONE} (1), {ZERO} (0) and 2 others."
    )
    print()
    rows = [(scenario, summary(scenario.samples)) for scenario in chosen]
    by = {scenario.key: s for scenario, s in rows}
    print(
        f"At {orgs} organisations, times in ms. +p50, +mean: over (a), the bare Starlette route."
        "\nSQL: statements per request; in db: ms per request inside the database driver"
        " (both from a\nseparate counting pass):"
    )
    print_table(rows, by["a"])
    print()

    n = args.plugins

    def diff(x: str, y: str, text: str, per: int = 0) -> None:
        if x in by and y in by:
            cost = by[x]["p50"] - by[y]["p50"]
            each = f" ({cost / per * 1000:+.0f} µs per plugin)" if per else ""
            print(f"  {f'({x}) - ({y})':13} {cost:+6.2f} ms p50: {text}{each}")

    print("Differences of medians:")
    diff("a2", "a", "Starlette's thread pool (every Accord view runs there)")
    diff("b", "a2", "guard + security headers + DB connection + SELECT 1")
    diff("e1", "b", "a signed-in page (session, memberships, enablement, template)")
    diff("c", "e1", f"plugin layer on a full page, {n - 1} more plugins enabled", max(1, n - 1))
    diff("d2", "e2", f"plugin layer on the dashboard, {n} more plugins enabled", n)
    diff("c", "d1", "full page vs htmx fragment (menu, org switcher, layout)")
    small_orgs = small.sizes["accord_organisation"]
    diff("c", "c10", f"{orgs} organisations instead of {small_orgs}")
    print()

    c_sql = next((s.sql for s in chosen if s.key == "c" and s.sql), None)
    if c_sql:
        kind = (
            "new sqlite3 connections (each runs 4 PRAGMAs)"
            if args.database == "sqlite" and not args.sqlite_pool
            else "pool checkouts"
        )
        print(
            f"SQL for (c), over {c_sql['requests']} requests:"
            f" {c_sql['per_request']:.2f} statements,"
            f" {c_sql['sql_ms_per_request']:.3f} ms inside the driver and"
            f" {c_sql['connects_per_request']:.2f} {kind} per request."
        )
        if one_c:
            tables = ", ".join(statement_table(q) for q in one_c["queries"])
            print(f"  the statements of one request, by table: {tables}")
            if args.show_sql:
                for q in one_c["queries"]:
                    print("   ", q)
        for scenario in chosen:
            if scenario.key in ("c", "c10") and scenario.sql:
                parts = ", ".join(
                    f"{table} {ms:.3f}" for table, ms in scenario.sql["ms_by_table"].items()
                )
                print(f"  ms in the driver per request, ({scenario.key}): {parts}")
    subset = server_stats["subset_cache"]
    perms = server_stats["permission_cache"]
    print(
        f"Subset-hook cache at the end: {subset['currsize']} of {subset['maxsize']} slots used,"
        f" {subset['hits']} hits, {subset['misses']} misses"
        f" (permission cache: {perms['hits']} hits, {perms['misses']} misses)."
    )
    print()
    return {
        "sizes": sizes,
        "small_sizes": small.sizes,
        "distinct_enabled_sets": distinct,
        "server": server_stats,
        "scenarios": {
            scenario.key: {
                "label": scenario.label,
                **s,
                "sql_per_request": scenario.sql["per_request"] if scenario.sql else None,
                "sql_ms_per_request": (
                    scenario.sql["sql_ms_per_request"] if scenario.sql else None
                ),
            }
            for scenario, s in rows
        },
        "sql_c": c_sql,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--orgs", type=int, default=1000, help="organisations (default 1000)")
    add("--plugins", type=int, default=20, help="throwaway plugins (default 20)")
    add("--requests", type=int, default=2000, help="timed requests per scenario (default 2000)")
    add("--warmup", type=int, default=100, help="untimed requests per scenario first (100)")
    add("--rounds", type=int, default=20, help="interleave the scenarios in this many blocks (20)")
    add("--sql-requests", type=int, default=50, help="requests per scenario when counting SQL")
    add(
        "--database",
        default="sqlite",
        help="'sqlite' (a file in the temporary ACCORD_HOME) or postgresql://…/NAME, created if"
        " missing; its public schema is emptied first",
    )
    add("--force-reset", action="store_true", help="allow emptying a database without 'bench'")
    add(
        "--sqlite-pool",
        action="store_true",
        help="what-if: serve SQLite through peewee's connection pool instead of opening a"
        " connection per request as the core does",
    )
    add("--only", default="", help="comma-separated scenario keys (default: all); (a) always runs")
    add("--seed", type=int, default=20240601, help="seed for the enabled sets and (f)")
    add("--show-sql", action="store_true", help="print the statements of one (c) request")
    add("--json", type=Path, help="also write the figures to this file")
    add("--keep", action="store_true", help="keep the temporary ACCORD_HOME")
    # Internal: the server subprocess.
    add("--serve", action="store_true", help=argparse.SUPPRESS)
    add("--home", help=argparse.SUPPRESS)
    add("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return args
    if args.orgs < BASE_ORGS:
        parser.error(f"--orgs must be at least {BASE_ORGS}")
    if min(args.plugins, args.requests, args.rounds, args.sql_requests) < 1 or args.warmup < 0:
        parser.error("--plugins, --requests, --rounds and --sql-requests must be positive")
    if args.database != "sqlite" and not args.database.startswith(("postgresql://", "postgres://")):
        parser.error("--database must be 'sqlite' or postgresql://…")
    if args.sqlite_pool and args.database != "sqlite":
        parser.error("--sqlite-pool applies to SQLite only")
    keys = ["a", "a2", "b", "c", "d1", "d2", "e1", "e2", "f"]
    only = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = sorted(set(only) - set(keys))
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(keys)}")
    args.scenarios = [k for k in keys if not only or k in only or k == "a"]
    return args


def close_pool() -> None:
    from accord.db import database

    if database.obj is not None and hasattr(database.obj, "close_all"):
        database.close_all()


def setup_instance(args: argparse.Namespace, home: Path, database_url: str, orgs: int) -> Instance:
    """Build one instance with ``orgs`` organisations; the first BASE_ORGS are the same in all."""
    from accord.db import open_database

    settings, host = build_bench_host(home, database_url, args.plugins)
    for obj, _ in make_plugins(args.plugins, home / "bench_templates"):
        obj.write_template()  # type: ignore[attr-defined]
    open_database(settings)
    inst = Instance(home=home, database_url=database_url, plugins=plugin_ids(args.plugins))
    rng = random.Random(args.seed)
    password_hash = build_instance(inst, host, rng, BASE_ORGS)
    if orgs > BASE_ORGS:
        grow_instance(inst, host, rng, orgs, password_hash)
    inst.sizes = table_sizes()
    close_pool()
    return inst


def run(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="accord-bench-"))
    homes = {"big": root / "big", "small": root / "small"}
    procs: list[subprocess.Popen[bytes]] = []
    clients: dict[str, Any] = {}
    try:
        if args.database == "sqlite":
            import sqlite3

            urls = {k: f"sqlite:///{home / 'accord.db'}" for k, home in homes.items()}
            connections = (
                "pooled connections: a what-if"
                if args.sqlite_pool
                else "a new connection per request, as the core does"
            )
            db_label = f"SQLite {sqlite3.sqlite_version} (WAL file in a temp folder; {connections})"
        else:
            urls = {"big": args.database, "small": sibling_database(args.database, "_small")}
            version = prepare_postgres(urls["big"], args.force_reset)
            prepare_postgres(urls["small"], args.force_reset)
            db_label = f"{version} on {urlsplit(args.database).hostname}, pooled"
        env = environment(args, db_label)
        small = setup_instance(args, homes["small"], urls["small"], BASE_ORGS)
        big = setup_instance(args, homes["big"], urls["big"], args.orgs)
        setup_seconds = time.perf_counter() - started
        jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        for key in ("big", "small"):
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            procs.append(start_server(args, homes[key], urls[key], port))
            clients[key] = httpx.Client(
                base_url=f"http://127.0.0.1:{port}", timeout=30, cookies=jar
            )
            wait_ready(clients[key], procs[-1], homes[key])
        print_header(args, env)

        scenarios = make_scenarios(big, random.Random(args.seed + 1), clients["big"])
        chosen = [scenarios[k] for k in args.scenarios]
        if "c" in args.scenarios:
            # (c) on an instance of BASE_ORGS organisations, its own server, same load.
            c10 = make_scenarios(small, random.Random(args.seed + 1), clients["small"])["c"]
            c10.key = "c10"
            c10.label = (
                f"same as (c), on a {small.sizes['accord_organisation']}-organisation instance"
            )
            chosen.append(c10)
        measure(chosen, args.requests, args.warmup, args.rounds)
        # Counting pass, apart from the timed requests.
        for scenario in chosen:
            if scenario.key not in ("a", "a2"):
                scenario.sql = count_sql(scenario, args.sql_requests)
        one_c = count_sql(scenarios["c"], 1) if "c" in args.scenarios else None
        server_stats = clients["big"].get("/__bench/stats").json()

        results = print_report(args, big, small, chosen, server_stats, one_c)
        env["loadavg_end"] = loadavg()
        print(f"Load average at the end: {env['loadavg_end']}.")
        print(
            f"Run took {time.perf_counter() - started:.0f} s, of which {setup_seconds:.1f} s"
            " building the two instances."
        )
        return {"environment": env, "args": {k: str(v) for k, v in vars(args).items()}, **results}
    finally:
        for client in clients.values():
            client.close()
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        close_pool()
        if args.keep:
            print(f"Instances kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        serve(args)
        return 0
    results = run(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
