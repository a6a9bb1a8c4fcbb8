"""The results page: average score and answers per service, team, agent and month."""

from __future__ import annotations

import csv
import datetime as dt
import io

from accord import Request, Response, render, utcnow

from .. import results
from ..surveys import settings_of

DEFAULT_DAYS = 90


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


def results_page(request: Request) -> Response:
    ctx = request.state.ctx
    params = request.query_params
    today = utcnow().date()
    start = _date(params.get("from")) or today - dt.timedelta(days=DEFAULT_DAYS)
    end = _date(params.get("to")) or today
    problem = ""
    if any(params.get(k) and not _date(params.get(k)) for k in ("from", "to")):
        problem = "Dates are written like 2025-03-31; the default period is shown."
    if start > end:
        start, end = end, start
    low = int(settings_of(ctx.org).get("low_score") or 2)
    by = params.get("by", "")
    if params.get("format") == "csv" and by in results.GROUPS:
        return _csv(results.lines(ctx.org, by, start, end, low), by, start, end)
    count, average = results.overall(ctx.org, start, end)
    tables = [
        (key, label, results.lines(ctx.org, key, start, end, low))
        for key, label in results.GROUPS.items()
    ]
    context = {
        "title": "Satisfaction results",
        "start": start,
        "end": end,
        "count": count,
        "average": average,
        "low": low,
        "tables": tables,
        "problem": problem,
        "path": request.url.path,
    }
    return render(
        request, "satisfaction/results.html", context, status_code=422 if problem else 200
    )


def _csv(lines: list[results.Line], by: str, start: dt.date, end: dt.date) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([results.GROUPS[by], "Responses", "Average score", "Low scores"])
    for line in lines:
        writer.writerow([line.label, line.responses, f"{line.average:.2f}", line.low])
    filename = f"satisfaction-by-{by}-{start}-{end}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
