"""The known-error database: known errors with their workaround, searchable."""

from __future__ import annotations

from accord import Column, Filter, Request, Response, Table, render_table

from ..known_errors import known_errors
from ..models import Problem
from .problems import with_service_and_count
from .shared import services

KNOWN_ERRORS = Table(
    Problem,
    [
        Column(
            "Reference",
            "number",
            sortable=True,
            accessor=lambda p: p.reference,
            link=lambda url, p: url("problems:detail", pk=p.id),
        ),
        Column(
            "Known error",
            "title",
            sortable=True,
            link=lambda url, p: url("problems:detail", pk=p.id),
        ),
        Column("Service", accessor=lambda p: p.service_name or ""),
        Column("Workaround", "workaround", template="problems/_cell_workaround.html"),
        Column("Incidents", accessor=lambda p: p.incident_count, css="num"),
        Column("Known since", "known_error_at", sortable=True),
    ],
    search=["reference", "title", "symptoms", "workaround"],
    filters=[
        Filter(
            "service",
            "Service",
            lambda request: services(request.state.ctx.org),
            where=lambda v: Problem.service == int(v),
        )
    ],
    sort="-known_error_at",
    filename="known-errors",
    empty_message="No known errors yet: record a problem's workaround to add one.",
    search_label="Search symptoms and workarounds",
    id="known-errors",
)


def known_error_list(request: Request) -> Response:
    query = with_service_and_count(known_errors(request.state.ctx.org)).objects()
    return render_table(
        request,
        KNOWN_ERRORS,
        query,
        "problems/known_errors.html",
        {"title": "Known errors"},
    )
