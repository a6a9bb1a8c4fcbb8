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
(``tracemalloc``, in a second export, since tracing slows it down).

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
import time
import tracemalloc
from pathlib import Path
from typing import Any

import anyio
from contacts import PASSWORD, SLUG, open_instance  # the people bench beside this file
from search import finish_load, load  # people with several addresses, written in bulk

EXPORT = f"/o/{SLUG}/contacts/people/vcard"


async def export(app: Any, cookie: str) -> dict[str, Any]:
    """One GET of the export, its body counted and dropped chunk by chunk."""
    seen: dict[str, Any] = {"status": None, "bytes": 0, "chunks": 0, "cards": 0, "first": None}
    started = time.perf_counter()
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await anyio.sleep_forever()  # the client stays connected until the body ends
        raise AssertionError

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

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": EXPORT,
        "raw_path": EXPORT.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    seen["total"] = time.perf_counter() - started
    return seen


def measure(app: Any) -> tuple[dict[str, Any], int]:
    """The export timed, then again under tracemalloc for its peak memory (bytes)."""
    from starlette.testclient import TestClient

    from accord.testing import sign_in

    with TestClient(app, base_url="http://testserver") as client:
        assert sign_in(client, f"bench@{SLUG}.example", PASSWORD).status_code == 303
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        assert client.portal is not None
        timed = client.portal.call(export, app, cookie)
        assert timed["status"] == 200, timed
        tracemalloc.start()
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        traced = client.portal.call(export, app, cookie)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert traced["cards"] == timed["cards"]
    return timed, peak - base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=0, help="default: people / 200")
    parser.add_argument("--database", help="an empty PostgreSQL database (its schema is dropped)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    args.customers = args.customers or max(10, args.people // 200)
    home = Path(tempfile.mkdtemp(prefix="accord-vcard-bench-"))
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
            loaded = load(org, args)
            finish_load(settings)
            print(f"loaded in {time.monotonic() - started:,.0f} s", flush=True)
        timed, peak = measure(create_app(settings, host))
        assert timed["cards"] == loaded["total"], (timed["cards"], loaded["total"])
        kind = "SQLite" if settings.is_sqlite else "PostgreSQL"
        print(f"\n{kind}, {os.cpu_count()} CPUs: vCard export of {timed['cards']:,} people")
        print(f"  first bytes after   {timed['first'] * 1000:10,.0f} ms")
        print(f"  whole file after    {timed['total']:10,.1f} s")
        print(
            f"  size                {timed['bytes'] / 1e6:10,.1f} MB in {timed['chunks']:,} chunks"
        )
        print(f"  peak Python memory  {peak / 1e6:10,.1f} MB (tracemalloc, during the export)")
    finally:
        if args.keep:
            print(f"instance kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
