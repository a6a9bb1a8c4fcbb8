"""The report: complaints by service and cause for a period, as a table and as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

from accord import Request, Response, render, utcnow

from ..report import acknowledgement, by_service_and_cause

DEFAULT_DAYS = 90


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


def period(request: Request) -> tuple[dt.date, dt.date, str]:
    """The chosen period (``from``, ``to``), the last 90 days by default, and what was wrong."""
    today = utcnow().date()
    params = request.query_params
    start = _date(params.get("from")) or today - dt.timedelta(days=DEFAULT_DAYS)
    end = _date(params.get("to")) or today
    problem = ""
    if (params.get("from") and not _date(params.get("from"))) or (
        params.get("to") and not _date(params.get("to"))
    ):
        problem = "Dates are written like 2025-03-31; the default period is shown."
    if start > end:
        start, end = end, start
        problem = "The period ended before it started; the dates are swapped."
    return start, end, problem


def report(request: Request) -> Response:
    ctx = request.state.ctx
    start, end, problem = period(request)
    grid = by_service_and_cause(ctx.org, start, end)
    if request.query_params.get("format") == "csv":
        return _csv(grid, start, end)
    context = {
        "title": "Complaints by service and cause",
        "grid": grid,
        "acknowledgement": acknowledgement(ctx.org, start, end),
        "start": start,
        "end": end,
        "problem": problem,
        "csv_url": f"{request.url.path}?from={start}&to={end}&format=csv",
    }
    return render(request, "complaints/report.html", context, status_code=422 if problem else 200)


def _csv(grid, start: dt.date, end: dt.date) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Service", *(label for _, label in grid.causes), "Total"])
    for service_id, name in grid.services:
        counts = [grid.count(service_id, cause) for cause, _ in grid.causes]
        writer.writerow([name, *counts, grid.row_total(service_id)])
    writer.writerow(["Total", *(grid.column_total(c) for c, _ in grid.causes), grid.total])
    filename = f"complaints-by-service-and-cause-{start}-{end}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
