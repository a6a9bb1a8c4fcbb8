"""The catalogue as customers read it: live services they can request, at what level."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from accord import Request, Response, render

from ..models import (
    PRIORITIES,
    BusinessCalendar,
    Service,
    ServiceCategory,
    ServiceLevel,
)
from ..wording import holidays_words, level_sentence, week_words


def offered(org: Any) -> list[Service]:
    """Live, requestable services, in catalogue order."""
    return list(
        Service.in_org(org)
        .where((Service.status == "live") & (Service.requestable == True))  # noqa: E712 - SQL
        .order_by(Service.name)
    )


def _support_hours(calendar: BusinessCalendar | None) -> str:
    if calendar is None:
        return "24 hours a day, 7 days a week"
    text = "; ".join(week_words(calendar.week)) + f" ({calendar.timezone} time)"
    where = holidays_words(calendar.country, calendar.subdivision)
    return text + (f", except public holidays in {where}" if where else "")


def offer(request: Request) -> Response:
    org = request.state.ctx.org
    services = offered(org)
    ids = [s.id for s in services]
    levels: dict[int, list[ServiceLevel]] = defaultdict(list)
    for level in (
        ServiceLevel.select()
        .where(ServiceLevel.service.in_(ids or [0]))
        .order_by(ServiceLevel.priority)
    ):
        levels[level.service_id].append(level)
    calendars = {c.id: c for c in BusinessCalendar.in_org(org)}
    categories = list(
        ServiceCategory.in_org(org).order_by(ServiceCategory.position, ServiceCategory.name)
    )
    by_category: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for service in services:
        by_category[service.category_id].append(
            {
                "service": service,
                "hours": _support_hours(calendars.get(service.calendar_id)),
                "levels": [
                    (
                        f"Priority {lv.priority} ({PRIORITIES[lv.priority].lower()})",
                        level_sentence(lv),
                    )
                    for lv in levels[service.id]
                ],
            }
        )
    groups = [(c, by_category[c.id]) for c in categories if by_category.get(c.id)]
    if by_category.get(None):
        groups.append((None, by_category[None]))
    return render(
        request,
        "catalogue/offer.html",
        {"groups": groups, "title": f"Services from {org.name}"},
    )
