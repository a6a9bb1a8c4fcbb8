#!/usr/bin/env python3
"""A large contacts import against other organisations' writes: does anyone wait long?

Builds a throwaway instance (ACCORD_HOME in a temporary folder, SQLite there
unless ``--database`` names an empty PostgreSQL database), creates one
organisation that imports and ``--writers`` others, and runs a ``--rows`` CSV
import (default 100,000) in a worker thread the way the background worker
runs it (``import_jobs.run``: check, then batches), while each writer thread
creates customer organisations for its own organisation in a loop. Prints the
import's rows/s, the writes refused (SQLite "database is locked": a 503 to
the user) and the p50/p95/max wait of the other writers.

    .venv/bin/python bench/import_lock.py                       # 100,000 rows, 16 writers
    .venv/bin/python bench/import_lock.py --database postgresql://postgres@127.0.0.1:5432/accord_bench

PostgreSQL: the database's ``public`` schema is emptied first. Deterministic
data; no network; bounded by the arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from contacts import open_instance  # noqa: E402  (bench/contacts.py)


def csv_text(rows: int) -> str:
    lines = [
        f"Person{n};Imported{n};person{n}@import.example.org;Customer {n % 500}\n"
        for n in range(rows)
    ]
    return "First name;Last name;Email;Organisation\n" + "".join(lines)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--database", help="an empty PostgreSQL database URL (default SQLite)")
    parser.add_argument("--batch-seconds", type=float, help="import_writing.BATCH_SECONDS to try")
    parser.add_argument(
        "--gap-seconds", type=float, help="import_writing.SQLITE_GAP_SECONDS to try"
    )
    args = parser.parse_args()
    if args.database and "bench" not in args.database.rsplit("/", 1)[-1]:
        parser.error("the PostgreSQL database's name must contain 'bench' (it is emptied)")

    from peewee import OperationalError

    from accord import accounts, enablement
    from accord.audit import Actor, acting_as
    from accord.db import database
    from accord.jobs import make_queue
    from accord.plugins.contacts import import_jobs, import_writing, importing
    from accord.plugins.contacts.import_jobs import ImportJob
    from accord.plugins.contacts.models import CustomerOrganisation

    if args.batch_seconds is not None:
        import_writing.BATCH_SECONDS = args.batch_seconds
    if args.gap_seconds is not None:
        import_writing.SQLITE_GAP_SECONDS = args.gap_seconds
    home = Path(tempfile.mkdtemp(prefix="accord-import-lock-"))
    # A connection for each writer, the import and the bench (the default pool has 10).
    (home / "accord.toml").write_text(f"[database]\npool_size = {args.writers + 4}\n")
    settings, host = open_instance(home, args.database)
    import_jobs.STORE.bind(settings)
    with database.connection_context(), acting_as(Actor(None, "bench")):
        importer = accounts.create_org("importer", "Importer")
        others = [accounts.create_org(f"other{n}", f"Other {n}") for n in range(args.writers)]
        for org in [importer, *others]:
            enablement.enable(host, org, "contacts")
        data = csv_text(args.rows).encode()
        headers = importing.open_csv(data).headers
        job = ImportJob.create(
            org=importer,
            filename="people.csv",
            stored_name="bench",
            size=0,
            rows=args.rows,
            headers=headers,
            mapping=importing.guess_mapping(headers),
            status="queued",
        )
    queue = make_queue(settings, host)  # its SQLite file in the instance: the progress
    waits: list[float] = []
    refused = 0
    tally = threading.Lock()
    running = threading.Event()
    importing_started = threading.Event()

    def run_import() -> None:
        with database.connection_context(), acting_as(Actor(None, "bench")):
            # The real worker's path, with the file read from memory.
            import_jobs._opened = lambda _settings, _kept: contextlib.nullcontext(io.BytesIO(data))
            real_write = import_writing.write

            def started_write(*a, **k):  # type: ignore[no-untyped-def]
                importing_started.set()
                return real_write(*a, **k)

            import_writing.write = started_write
            print("import:", import_jobs.run(queue, settings, job.id, False), flush=True)

    def write(org: object, n: int) -> None:
        nonlocal refused
        with database.connection_context(), acting_as(Actor(None, "bench")):
            count = 0
            while running.is_set():
                began = time.monotonic()
                try:
                    CustomerOrganisation.create(org=org, name=f"Written {n}.{count}")
                except OperationalError:  # "database is locked": the user gets a 503
                    with tally:
                        refused += 1
                    continue
                with tally:
                    waits.append(time.monotonic() - began)
                count += 1
                time.sleep(0.02)  # a person's pace, more or less

    importer_thread = threading.Thread(target=run_import)
    importer_thread.start()
    importing_started.wait()
    began = time.monotonic()
    running.set()
    writers = [threading.Thread(target=write, args=(o, n)) for n, o in enumerate(others)]
    for thread in writers:
        thread.start()
    importer_thread.join()
    took = time.monotonic() - began
    running.clear()
    for thread in writers:
        thread.join()
    kind = "PostgreSQL" if args.database else "SQLite"
    mode = "batches"
    print(
        f"{kind}, {args.rows:,} rows ({mode}, batches of {import_writing.BATCH_SECONDS} s, "
        f"gaps of {import_writing.SQLITE_GAP_SECONDS} s), {args.writers} writers"
    )
    print(f"import (writing phase): {took:,.1f} s, {args.rows / took:,.0f} rows/s")
    print(f"other writes: {len(waits):,} done, {refused:,} refused (locked)")
    if waits:
        print(
            f"their wait: p50 {statistics.median(waits) * 1000:,.0f} ms, "
            f"p95 {percentile(waits, 0.95) * 1000:,.0f} ms, max {max(waits) * 1000:,.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
