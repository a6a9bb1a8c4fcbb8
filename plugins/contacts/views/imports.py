"""Import people from a CSV file (upload, map the columns, check, import) and export vCards.

The file is kept under the instance folder and the background worker checks
and imports it, so a file of many thousand rows neither times out a request
nor hits the size limit of a form field; the page shows its progress.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import StreamingResponse

from accord import (
    HTTPException,
    QueueUnavailable,
    Request,
    Response,
    form_data,
    get_or_404,
    redirect,
    render,
)
from accord.jobs import enqueue

from .. import import_jobs, importing, vcard
from ..import_jobs import ImportJob
from ..models import Person
from ..tables import PEOPLE, people_query

TEMPLATE = "contacts/import.html"
VCARD_TYPE = "text/vcard; charset=utf-8"
QUEUE_DOWN = (
    "The background queue is not answering, so the import could not start. "
    "Your file and column choices are kept: try again in a few minutes."
)


def upload(request: Request) -> Response:
    """Step one: choose a file. It is kept and read for its columns, then mapped."""
    ctx = request.state.ctx
    values: dict[str, Any] = {
        "title": "Import people",
        "step": "upload",
        "error": "",
        "limits": import_jobs.STORE.limits(request.app.state.accord.settings),
        "recent": list(
            ImportJob.in_org(ctx.org)
            .order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
            .limit(5)
        ),
    }
    if request.method != "POST":
        return render(request, TEMPLATE, values)
    file = form_data(request).get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return render(request, TEMPLATE, {**values, "error": "Choose a CSV file."}, status_code=422)
    try:
        job = import_jobs.start(ctx.org, request.app.state.accord.settings, file, ctx.user)
    except importing.ImportError_ as exc:
        return render(request, TEMPLATE, {**values, "error": str(exc)}, status_code=422)
    finally:
        file.file.close()
    return redirect(request, ctx.url("contacts:import_job", job=job.id))


def _job(request: Request) -> ImportJob:
    return get_or_404(ImportJob, request, request.path_params["job"])


def _job_page(
    request: Request, job: ImportJob, *, error: str = "", status_code: int = 200
) -> Response:
    return render(
        request,
        TEMPLATE,
        {
            "title": f"Import {job.filename}",
            "step": "job",
            "job": job,
            "fields": importing.FIELDS,
            "progress": _progress(request, job),
            "error": error,
        },
        status_code=status_code,
    )


def _progress(request: Request, job: ImportJob) -> int | None:
    """Rows done while the worker runs the job (None: the queue is not answering)."""
    return import_jobs.progress(request.app.state.accord.queue, job) if job.running else 0


def job(request: Request) -> Response:
    """Steps two and three: map the columns, then check every row or import them all."""
    ctx = request.state.ctx
    job = import_jobs.notice_stopped(request.app.state.accord.queue, _job(request))
    if request.method == "GET":
        return _job_page(request, job)
    # A queued job may be started again: the queue may have lost it (it was down).
    if job.status in ("done", *import_jobs.WORKING):
        raise HTTPException(409, "This import is already under way or done.")
    form = form_data(request)
    headers = list(job.headers)
    job.mapping = {
        header: str(form.get(f"map-{i}"))
        for i, header in enumerate(headers)
        if form.get(f"map-{i}") in importing.FIELDS
    }
    on_match = str(form.get("on_match") or "skip")
    job.on_match = on_match if on_match in importing.ON_MATCH else "skip"
    try:
        importing.check_mapping(job.mapping)
    except importing.ImportError_ as exc:
        job.status = "mapping"
        return _job_page(request, job, error=str(exc), status_code=422)
    # Importing checks every row first too: a check is optional, never skipped.
    dry_run = form.get("action") != "import"
    try:
        enqueue(request, "contacts.run_import", job.id, dry_run)  # queued after the commit
    except QueueUnavailable:
        job.status = "queued" if job.status == "queued" else "mapping"
        job.save()  # the choices are kept for the next try
        return _job_page(request, job, error=QUEUE_DOWN, status_code=503)
    job.status = "queued"
    job.save()
    return redirect(request, ctx.url("contacts:import_job", job=job.id))


def job_progress(request: Request) -> Response:
    """The job's state as a fragment, polled while the worker runs it."""
    job = import_jobs.notice_stopped(request.app.state.accord.queue, _job(request))
    return render(
        request,
        "contacts/_import_progress.html",
        {"job": job, "progress": _progress(request, job)},
    )


def person_vcard(request: Request) -> Response:
    person = get_or_404(Person, request, request.path_params["pk"])
    return _vcard(vcard.card(person), vcard.filename(person.full_name))


def people_vcards(request: Request) -> Response:
    """Every active person the list's search and filters (the same query string) find,
    streamed a page of people at a time."""
    org = request.state.ctx.org
    query, _state = PEOPLE.narrow(request, people_query(org, "active"))
    return _vcard(vcard.pages(query), "people.vcf")


def _vcard(text: str | Iterator[str], name: str) -> Response:
    """One card as it is; the cards of a list streamed as they are made."""
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",  # people's addresses and numbers
    }
    if isinstance(text, str):
        return Response(text, media_type=VCARD_TYPE, headers=headers)
    return StreamingResponse(text, media_type=VCARD_TYPE, headers=headers)
