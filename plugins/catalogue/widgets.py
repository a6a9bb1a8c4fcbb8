"""The catalogue on the dashboard and in the global search."""

from __future__ import annotations

from accord import RequestContext, SearchResult, Widget, render_to_string

from .api import upcoming_closures
from .models import Service, ServiceLevel

CLOSURES_SHOWN = 5


def dashboard_widget(ctx: RequestContext) -> Widget:
    live = Service.in_org(ctx.org).where(Service.status == "live")
    with_levels = ServiceLevel.select(ServiceLevel.service).where(ServiceLevel.org == ctx.org)
    without_levels = list(live.where(Service.id.not_in(with_levels)).order_by(Service.name))
    html = render_to_string(
        ctx.request,
        "catalogue/_widget.html",
        {
            "live": live.count(),
            "without_levels": without_levels,
            "closures": list(upcoming_closures(ctx.org).limit(CLOSURES_SHOWN)),
        },
    )
    return Widget(title="Service catalogue", html=html, order=30)


def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    matches = (
        Service.in_org(ctx.org)
        .where(Service.name.contains(query) | Service.code.contains(query))
        .order_by(Service.name)
        .limit(limit)
    )
    needle = query.lower()
    return [
        SearchResult(
            title=f"{service.name} ({service.code})",
            url=ctx.url("catalogue:service", pk=service.id),
            kind=f"Service · {service.status_label}",
            snippet=str(service.summary),
            # An exact code beats a name that starts with the text, which beats any match.
            score=(3.0 if service.code.lower() == needle else 0)
            + (2.0 if service.name.lower().startswith(needle) else 1.0)
            - (0.5 if service.status == "retired" else 0),
        )
        for service in matches
    ]
