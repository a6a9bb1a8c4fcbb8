#!/usr/bin/env python3
"""The people list's vCard export at 200,000 people: total time, first bytes, peak memory.

Builds a throwaway instance as ``search.py`` does (SQLite in a temporary folder,
or an emptied PostgreSQL database with ``--database``) and bulk-loads one
organisation with ``--people`` people (default 200,000), each with an email
address and a phone number in ``contacts_person_detail`` (every fifth a second
of each) and a customer organisation. It then asks for
``/o/<org>/contacts/people/vcard`` through the whole application in process
(routing, session, tenancy guard, the view, the streamed body), reading the
ASGI messages itself so the body is counted and dropped as it arrives, as a
browser saving the file would. It prints the time to the first bytes and to
the last, the size, and the peak of Python memory during the export
(the process's resident memory, sampled by a thread: tracing would slow
the export down several times). ``--reuse HOME`` measures again what an
earlier run kept (``--keep``), without loading.

    .venv/bin/python bench/vcard_export.py                               # 200,000 on SQLite
    .venv/bin/python bench/vcard_export.py --people 20000
    .venv/bin/python bench/vcard_export.py --database postgresql://postgres@127.0.0.1:5432/accord_bench_vcard

Deterministic (``--seed``); no network; every loop is bounded by the arguments.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import anyio
from contacts import PASSWORD, SLUG, open_instance  # the people bench beside this file
from search import finish_load, load  # people with several addresses, written in bulk

EXPORT = f"/o/{SLUG}/contacts/people/vcard"


async def export(
    app: Any, cookie: str, path: str = EXPORT, query: str = "", rows: int = 0
) -> dict[str, Any]:
    """One GET of ``path``, its body counted and dropped chunk by chunk.

    ``rows``: hang up after that many cards or CSV lines (0: read the whole body).
    """
    seen: dict[str, Any] = {"status": None, "bytes": 0, "chunks": 0, "cards": 0, "first": None}
    seen["lines"] = 0
    started = time.perf_counter()
    asked = False
    enough = anyio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await enough.wait()  # the client stays connected until it has read enough
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            seen["status"] = message["status"]
            seen["headers"] = dict(message["headers"])
        elif message["type"] == "http.response.body" and message.get("body"):
            if seen["first"] is None:
                seen["first"] = time.perf_counter() - started
            seen["bytes"] += len(message["body"])
            seen["chunks"] += 1
            seen["cards"] += message["body"].count(b"BEGIN:VCARD")
            seen["lines"] += message["body"].count(b"\n")
            if rows and (seen["cards"] or seen["lines"] - 1) >= rows:
                enough.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    seen["total"] = time.perf_counter() - started
    return seen


class RssPeak:
    """The most the process's resident memory rose above where it was, sampled every 20 ms
    by a thread (no tracing, so the export runs at full speed)."""

    def __enter__(self) -> RssPeak:
        self.start = self.peak = _rss()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        return self

    def _watch(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()
        self.rise = self.peak - self.start


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(app: Any, label: str, people: int) -> None:
    """The export timed, and how far the process's memory rose meanwhile."""
    from starlette.testclient import TestClient

    from accord.testing import sign_in

    with TestClient(app, base_url="http://testserver") as client:
        assert sign_in(client, f"bench@{SLUG}.example", PASSWORD).status_code == 303
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        assert client.portal is not None
        with RssPeak() as rss:
            timed = client.portal.call(export, app, cookie)
        timed["rss_rise"] = rss.rise
        assert timed["status"] == 200, timed
        assert timed["cards"] == people, (timed["cards"], people)
        print(f"\n{label}: vCard export of {timed['cards']:,} people")
        print(f"  first bytes after   {timed['first'] * 1000:10,.0f} ms")
        print(f"  whole file after    {timed['total']:10,.1f} s")
        size = timed["bytes"] / 1e6
        print(f"  size                {size:10,.1f} MB in {timed['chunks']:,} chunks", flush=True)
        print(f"  peak memory rise    {timed['rss_rise'] / 1e6:10,.1f} MB (process RSS, sampled)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=0, help="default: people / 200")
    parser.add_argument("--database", help="an empty PostgreSQL database (its schema is dropped)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    parser.add_argument("--reuse", metavar="HOME", help="measure an instance kept earlier")
    args = parser.parse_args()
    args.customers = args.customers or max(10, args.people // 200)
    home = Path(args.reuse or tempfile.mkdtemp(prefix="accord-vcard-bench-"))
    try:
        settings, host = open_instance(home, args.database, fresh=not args.reuse)
        from accord.app import create_app
        from accord.db import database

        if args.reuse:
            with database.connection_context():
                from accord.plugins.contacts.models import Person

                loaded = {"total": Person.select().where(Person.status == "active").count()}
        else:
            loaded = _load_fresh(host, settings, args)
        kind = "SQLite" if settings.is_sqlite else "PostgreSQL"
        measure(create_app(settings, host), f"{kind}, {os.cpu_count()} CPUs", loaded["total"])
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
        me = accounts.create_user(f"bench@{SLUG}.example", "Bench Agent", PASSWORD)
        accounts.add_member(me, org, "agent")
        enablement.enable(host, org, "contacts")
        print(f"loading into {settings.database_url.split('@')[-1]} …", flush=True)
        started = time.monotonic()
        loaded = load(org, args)
        finish_load(settings)
        print(f"loaded in {time.monotonic() - started:,.0f} s", flush=True)
    return loaded


if __name__ == "__main__":
    sys.exit(main())
