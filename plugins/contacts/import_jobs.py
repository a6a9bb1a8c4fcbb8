"""Imports of large CSV files from the browser, run by the background worker.

The uploaded file is kept by the core's ``FileStore`` (in the instance folder
or the database, as configured); the user maps its
columns; then the worker checks every row (a dry run) or imports them all,
reporting how far it got through the job queue's key-value store.

An import never holds the database's write lock for long (on SQLite one
writer at a time: a 100,000-row import in one transaction made every other
organisation's writes wait about a minute). It writes new people, and the
organisations and affiliations they bring, in transactions of
``importing.BATCH_ROWS`` rows, each row tagged with the job
(``import_job_id``). Until the job is "done" those rows are hidden: the
models' ``in_org`` (lists, search, pickers, pages) leaves them out. A last
short transaction updates the people the file matched and marks the job done,
which shows every new row at once; the tags are then cleared in batches.
So the user still gets all or nothing: if the import fails (or its worker
dies) the job says failed and its tagged rows are removed in short batches.

The progress entry is also the worker's heartbeat: put again at least every
``HEARTBEAT_SECONDS`` and expiring ``STALLED_AFTER`` seconds after, it is gone
when the worker died (killed, or its machine lost). A job still checking or
importing without one has stopped: it is marked failed, what it wrote is
removed, and its file is kept, so the user can start it again.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import IO, Any

from huey import Huey
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from accord import (
    Organisation,
    QueueUnavailable,
    TenantModel,
    User,
    database,
    jobs,
    refresh_statistics,
    utcnow,
)
from accord.files import FileStore
from accord.models import JSONField

from . import import_staging, import_writing, importing

log = logging.getLogger("accord.plugins.contacts")
STORE = FileStore(
    "contacts", "imports", size_setting="max_import_mb", default_mb=500, extensions=(".csv", ".txt")
)
MAX_ERRORS = 500  # reported rows with errors; the count covers them all
PROGRESS_EVERY = 200
RUNNING = ("queued", "checking", "importing")
WORKING = ("checking", "importing")  # a worker has taken the job
HEARTBEAT_SECONDS = 15
# Seconds without a heartbeat before a working job counts as stopped; the instance's
# ``[plugins.contacts] import_stalled_after_s`` may shorten or lengthen it.
STALLED_AFTER = 300
STOPPED = "The background worker stopped while importing."
# What an import writes in bulk; analysed once it is done.
IMPORTED_TABLES = (
    "contacts_person",
    "contacts_organisation",
    "contacts_affiliation",
    "contacts_person_detail",
    "contacts_person_tag",
    "contacts_tag",
)

STATUSES = {
    "mapping": "Choose the columns",
    "queued": "Waiting for the background worker",
    "checking": "Checking every row",
    "checked": "Checked: every row is valid",
    "invalid": "Some rows have errors: nothing was imported",
    "importing": "Importing",
    "done": "Imported",
    "failed": "Failed: nothing was imported",
}


class ImportJob(TenantModel):
    """One CSV file on its way into contacts."""

    user = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    filename = CharField(max_length=200)
    stored_name = CharField(max_length=64)
    size = IntegerField()
    content_type = CharField(max_length=100, default="text/csv")
    rows = IntegerField(default=0)
    headers = JSONField(default=list)
    sample = JSONField(default=list)
    mapping = JSONField(default=dict)
    on_match = CharField(max_length=10, default="skip")
    status = CharField(max_length=12, default="mapping")
    matched = IntegerField(default=0)
    # What importing would create besides people, found by the check: the count and the first few.
    new_organisation_count = IntegerField(default=0)
    new_organisations = JSONField(default=list)
    error_count = IntegerField(default=0)
    errors = JSONField(default=list)  # [[line, [message, …]], …] up to MAX_ERRORS
    created = IntegerField(default=0)
    updated = IntegerField(default=0)
    skipped = IntegerField(default=0)
    message = CharField(max_length=500, default="")
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)

    class Meta:
        table_name = "contacts_import_job"

    def __str__(self) -> str:
        return str(self.filename)

    @property
    def status_label(self) -> str:
        return STATUSES.get(str(self.status), str(self.status))

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def new_organisations_words(self) -> str:
        return importing.new_organisations_words(
            list(self.new_organisations), int(self.new_organisation_count)
        )


IMPORT_MODELS = [ImportJob, *import_staging.STAGING_MODELS]


def progress_key(job_id: int) -> str:
    return f"contacts.import.{job_id}"


def progress(queue: Huey, job: ImportJob) -> int | None:
    """Rows the worker has got through in the job's current phase; None if the queue is down."""
    try:
        value = queue.get_expiring(progress_key(job.id))
    except QueueUnavailable:
        return None
    return int(value or 0)


def notice_stopped(queue: Huey, job: ImportJob) -> ImportJob:
    """The job as it stands: failed, its file kept, if its worker's heartbeat has stopped."""
    if job.status not in WORKING:
        return job
    try:
        if queue.get_expiring(progress_key(job.id)) is not None:
            return job
    except QueueUnavailable:  # no telling whether the worker is alive
        return job
    # Only if it is still working: the worker may have finished since the job was read.
    stopped = ImportJob.update(status="failed", finished_at=utcnow(), message=STOPPED).where(
        (ImportJob.id == job.id) & ImportJob.status.in_(WORKING)
    )
    if stopped.execute():
        import_staging.clear(job.id)
        if job.status == "importing":
            importing.discard(job.id)  # hidden since it failed; removed in short batches
    return ImportJob.get_by_id(job.id)


def start(org: Organisation, settings: Any, upload: Any, user: User | None) -> ImportJob:
    """Keep the uploaded file and read its header; ``importing.ImportError_`` says what is wrong."""
    from accord.files import Rejected

    try:
        kept = STORE.save(settings, org, upload)
    except Rejected as exc:
        raise importing.ImportError_(str(exc)) from None
    try:
        with _opened(settings, kept) as source:
            seen = importing.preview(source)
    except importing.ImportError_:
        STORE.remove(settings, kept)
        raise
    return ImportJob.create(
        org=org,
        user=user,
        filename=kept.filename,
        stored_name=kept.stored_name,
        size=kept.size,
        rows=seen.rows,
        headers=seen.headers,
        sample=seen.sample,
        mapping=importing.guess_mapping(seen.headers),
    )


def run_task(queue: Huey, job_id: int, dry_run: bool) -> str:
    """The task the worker runs (or a test's request, with tasks run at once)."""
    with jobs.connected():
        return run(queue, STORE.settings(), job_id, dry_run)


def run(queue: Huey, settings: Any, job_id: int, dry_run: bool) -> str:
    """Check every row, then (unless a dry run) import them all."""
    job = ImportJob.get_or_none(ImportJob.id == job_id)
    if job is None:
        return "gone"
    if job.status != "queued":  # started twice: the other run has it
        return "taken"
    key = progress_key(job.id)
    done = 0
    beat = time.monotonic()
    stalled_after = int(
        settings.plugin_config("contacts").get("import_stalled_after_s") or STALLED_AFTER
    )
    every = min(HEARTBEAT_SECONDS, stalled_after / 4)
    reported = 0

    def report() -> None:
        nonlocal beat, reported
        beat = time.monotonic()
        reported = done
        try:
            queue.put_expiring(key, done, stalled_after)
        except QueueUnavailable:  # only the progress bar suffers; the import goes on
            log.warning("import %s: the job queue did not take its progress", job.id)

    def tick(rows: int = 1) -> None:
        nonlocal done
        done += rows
        if done - reported >= PROGRESS_EVERY or time.monotonic() - beat >= every:
            report()

    def phase(status: str, *, was: str) -> bool:
        nonlocal done
        done = 0
        report()  # alive before the job is seen working
        return claim(job, status, was=was)

    try:
        return process(job, lambda: _opened(settings, job), dry_run, tick=tick, phase=phase)
    finally:
        with contextlib.suppress(QueueUnavailable):  # if not, it expires by itself
            queue.delete_expiring(key)
        if job.status == "done":
            # Imported: the copy is no longer needed (tidying up may fail without harm).
            try:
                STORE.remove(settings, job)
            except Exception:
                log.exception("import %s: done, but removing its file failed", job.id)


def claim(job: ImportJob, status: str, *, was: str) -> bool:
    """Move the job from ``was`` to ``status``; False if it was not ``was`` (another run has it)."""
    claimed = ImportJob.update(status=status).where(
        (ImportJob.id == job.id) & (ImportJob.status == was)
    )
    return bool(claimed.execute())


def process(
    job: ImportJob,
    source: Callable[[], AbstractContextManager[IO[bytes]]],
    dry_run: bool,
    *,
    tick: Callable[[int], None],
    phase: Callable[..., bool],
) -> str:
    """Check every row of a queued job's file, then (unless a dry run) import them all.

    The one path of the browser's worker and of ``accord contacts import``:
    ``source`` opens the file, ``tick`` is told of rows done, ``phase`` moves the
    job to its next status (False: another run has it).
    """
    org = Organisation.get_by_id(job.org_id)
    if not phase("checking", was="queued"):
        return "taken"
    on_match = str(job.on_match)
    try:
        import_staging.clear(job.id)  # what an earlier, stopped run of this job left
        with source() as stream:
            checked = importing.check(
                org,
                job.id,
                importing.open_csv(stream),
                dict(job.mapping),
                max_errors=MAX_ERRORS,
                progress=tick,
            )
        job.rows = checked.rows
        if not checked.ok:
            _finish(
                job,
                "invalid",
                rows=checked.rows,
                error_count=checked.error_count,
                errors=checked.errors,
            )
            return "invalid"
        count, names = importing.new_organisations(org, job.id, on_match)
        if dry_run:
            _finish(
                job,
                "checked",
                rows=checked.rows,
                matched=checked.matched,
                error_count=0,
                errors=[],
                new_organisation_count=count,
                new_organisations=names,
            )
            return "checked"
        if not phase("importing", was="checking"):  # counted as stopped meanwhile
            return "failed"
        importing.discard(job.id)  # what an earlier, stopped run of this job left

        def publish(result: importing.Result) -> None:
            # In the import's last transaction: its rows show from this commit on.
            done = ImportJob.update(
                status="done",
                finished_at=utcnow(),
                rows=checked.rows,
                created=result.created,
                updated=result.updated,
                skipped=result.skipped,
                matched=checked.matched,
                new_organisation_count=count,
                new_organisations=names,
            ).where((ImportJob.id == job.id) & (ImportJob.status == "importing"))
            if not done.execute():
                raise importing.ImportError_(STOPPED)  # counted as stopped meanwhile

        import_writing.write(
            org,
            job.id,
            on_match=on_match,
            summary=f"{job.filename} (import {job.id})",
            progress=tick,
            publish=publish,
        )
    except Exception as exc:  # the worker must record why, not die silently
        log.exception("import %s failed", job.id)
        message = str(exc) if isinstance(exc, importing.ImportError_) else "An unexpected error."
        _finish(job, "failed", message=message[:500])
        importing.discard(job.id)
        return "failed"
    finally:
        try:
            import_staging.clear(job.id)
        except Exception:
            log.exception("import %s: removing its staged rows failed", job.id)
    job.status = "done"
    # Done and shown: tidying up may fail without undoing the import.
    try:
        importing.release(job.id)
        refresh_statistics(IMPORTED_TABLES)  # a bulk load: pages plan from fresh statistics
    except Exception:
        log.exception("import %s: done, but tidying up failed", job.id)
    return "done"


@contextlib.contextmanager
def _opened(settings: Any, kept: Any) -> Iterator[IO[bytes]]:
    """The kept CSV file, from whichever store keeps it, as a stream."""
    try:
        source = STORE.open(settings, kept)
    except FileNotFoundError:
        raise importing.ImportError_(
            "The uploaded file is missing from the server's storage."
        ) from None
    with source:
        yield source


def _finish(job: ImportJob, status: str, **values: Any) -> None:
    with database.atomic():
        ImportJob.update(status=status, finished_at=utcnow(), **values).where(
            ImportJob.id == job.id
        ).execute()


def import_now(
    org: Organisation,
    data: bytes | str,
    *,
    filename: str = "people.csv",
    mapping: dict[str, str] | None = None,
    on_match: str = "skip",
    dry_run: bool = False,
) -> ImportJob:
    """Import ``data`` here and now, through a job and the worker's own steps; the job after.

    For code and tests that hold a small file in memory; ``mapping`` defaults
    to the guessed one.
    """
    raw = data.encode() if isinstance(data, str) else data
    headers = importing.open_csv(raw).headers
    job = ImportJob.create(
        org=org,
        filename=filename,
        stored_name="",
        size=len(raw),
        headers=headers,
        mapping=importing.guess_mapping(headers) if mapping is None else mapping,
        on_match=on_match,
        status="queued",
    )
    process(
        job,
        lambda: contextlib.nullcontext(io.BytesIO(raw)),
        dry_run,
        tick=lambda rows=1: None,
        phase=lambda status, was: claim(job, status, was=was),
    )
    return ImportJob.get_by_id(job.id)
