#!/usr/bin/env python3
"""A CSV import of ``--rows`` people, timed through the worker's own path, with its peak memory.

Writes a deterministic CSV file (names, an email, a phone number, some
sharing a switchboard, a job title, a town, one of 500 customer
organisations, two tags separated by ";", a newsletter answer) to a
temporary folder, then runs the import in a child process on a throwaway
instance (SQLite in that folder unless ``--database`` names a PostgreSQL
database whose name contains "bench"; its ``public`` schema is emptied): the
upload step (``import_jobs.start``: the file kept and counted) and the
worker's task (``import_jobs.run``: check and stage every row, then write).
Prints both times, the rows/s of the worker's task, and the child's peak RSS
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``), so the parent's own
memory never counts.

    .venv/bin/python bench/contacts_import.py --rows 200000
    .venv/bin/python bench/contacts_import.py --rows 200000 \\
        --database postgresql://postgres@127.0.0.1:5432/accord_bench_import
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
TOWNS = ("Leeds", "York", "Hull", "Bradford", "Wakefield", "Harrogate")
TITLES = ("Head Teacher", "Bursar", "ICT Lead", "Governor", "Office Manager", "")


def write_csv(path: Path, rows: int, shared_every: int = 50) -> None:
    """The file, written a line at a time (the bench's own memory stays flat too)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("First name;Last name;Email;Phone;Job title;Town;Organisation;Tags;Newsletters\n")
        for n in range(rows):
            # One row in fifty gives its organisation's switchboard: shared, never an error.
            phone = (
                f"020 3{n % 500:03d} 0000"
                if shared_every and n % shared_every == 0
                else f"020 3{n // 10000 + 500:03d} {n % 10000:04d}"
            )
            out.write(
                f"Person{n};Imported{n};person{n}@import.example.org;{phone};"
                f"{TITLES[n % len(TITLES)]};{TOWNS[n % len(TOWNS)]};Customer {n % 500};"
                f'"tag{n % 20}; cohort {n % 7}";{"yes" if n % 3 == 0 else ""}\n'
            )


def child(path: Path, home: Path, database_url: str | None) -> dict[str, float]:
    """Run in the child process: an instance, an organisation, the upload and the worker's task."""
    sys.path.insert(0, str(HERE))
    from contacts import open_instance  # bench/contacts.py

    from accord import accounts, enablement
    from accord.audit import Actor, acting_as
    from accord.db import database
    from accord.jobs import make_queue
    from accord.plugins.contacts import import_jobs
    from accord.plugins.contacts.import_jobs import ImportJob
    from accord.plugins.contacts.models import Person

    settings, host = open_instance(home, database_url)
    import_jobs.STORE.bind(settings)
    queue = make_queue(settings, host)

    class Upload:  # what the upload form hands over: a name and a file
        filename = path.name
        content_type = "text/csv"

        def __init__(self) -> None:
            self.file = path.open("rb")

    with database.connection_context(), acting_as(Actor(None, "bench")):
        org = accounts.create_org("importer", "Importer")
        enablement.enable(host, org, "contacts")
        baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        began = time.monotonic()
        upload = Upload()
        job = import_jobs.start(org, settings, upload, None)
        upload.file.close()
        uploaded = time.monotonic() - began
        ImportJob.update(status="queued").where(ImportJob.id == job.id).execute()
        began, cpu = time.monotonic(), time.process_time()
        outcome = import_jobs.run(queue, settings, job.id, False)
        took, cpu = time.monotonic() - began, time.process_time() - cpu
        job = ImportJob.get_by_id(job.id)
        people = Person.in_org(org).count()
    return {
        "outcome": outcome,
        "message": job.message or f"{job.error_count} rows with errors: {job.errors[:2]}",
        "rows": job.rows,
        "created": job.created,
        "people": people,
        "upload_s": uploaded,
        "import_s": took,
        "import_cpu_s": cpu,
        "baseline_mb": baseline_mb,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--database", help="a PostgreSQL database URL (default SQLite)")
    parser.add_argument(
        "--switchboard-every",
        type=int,
        default=50,
        help="one row in so many gives a shared switchboard number (0: none; the old import "
        "refused them)",
    )
    parser.add_argument("--child", nargs=2, metavar=("CSV", "HOME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database and "bench" not in args.database.rsplit("/", 1)[-1]:
        parser.error("the PostgreSQL database's name must contain 'bench' (it is emptied)")
    if args.child:
        print(json.dumps(child(Path(args.child[0]), Path(args.child[1]), args.database)))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="accord-import-bench-"))
    path = folder / "people.csv"
    write_csv(path, args.rows, args.switchboard_every)
    command = [sys.executable, __file__, "--child", str(path), str(folder / "home")]
    if args.database:
        command += ["--database", args.database]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        print(done.stdout, done.stderr, file=sys.stderr)
        return 1
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    kind = "PostgreSQL" if args.database else "SQLite"
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"{kind}, {args.rows:,} rows ({size_mb:,.0f} MB file): {figures['outcome']}")
    if figures["outcome"] != "done":
        print(f"message: {figures['message']}")
    print(f"people imported: {figures['people']:,} (job says {figures['created']:,} added)")
    print(f"upload step (keep and count): {figures['upload_s']:,.1f} s")
    print(
        f"worker (check, stage, write): {figures['import_s']:,.1f} s, "
        f"{args.rows / figures['import_s']:,.0f} rows/s"
    )
    print(
        f"  its own CPU time: {figures['import_cpu_s']:,.1f} s, "
        f"{args.rows / figures['import_cpu_s']:,.0f} rows per CPU-second (the database server's "
        "work not counted on PostgreSQL)"
    )
    print(
        f"peak RSS of the importing process: {peak_mb:,.0f} MB "
        f"({figures['baseline_mb']:,.0f} MB before the upload: the application loaded)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
