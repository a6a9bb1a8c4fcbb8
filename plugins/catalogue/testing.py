"""Factories for tests of the catalogue and of plugins that build on it (incidents, capacity).

from accord.plugins.catalogue.testing import make_calendar, make_service

service = make_service(org, levels={1: (30, 240)})
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .hours import CalendarSpec
from .hours import Closure as ClosedDays
from .models import BusinessCalendar, Closure, Service, ServiceCategory, ServiceLevel

OFFICE_WEEK = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:00-18:00")


def make_calendar(org: Any, name: str = "UK office hours", **fields: Any) -> BusinessCalendar:
    """Mon–Fri 08:00–18:00 in Europe/London with England's holidays, unless told otherwise."""
    values = {"timezone": "Europe/London", "country": "GB", "subdivision": "ENG", **OFFICE_WEEK}
    values.update(fields)
    return BusinessCalendar.create(org=org, name=name, **values)


def make_closure(
    calendar: BusinessCalendar,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    reason: str = "Closed",
) -> Closure:
    return Closure.create(
        org=calendar.org_id,
        calendar=calendar,
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        reason=reason,
    )


def make_category(org: Any, name: str = "Communication", **fields: Any) -> ServiceCategory:
    return ServiceCategory.create(org=org, name=name, **fields)


def make_service(
    org: Any,
    name: str = "Email",
    code: str | None = None,
    *,
    levels: dict[int, tuple[int, int]] | None = None,
    **fields: Any,
) -> Service:
    """A live service; ``levels`` maps priority to ``(response, resolution)`` minutes."""
    values = {"status": "live", "code": code or name.upper().replace(" ", "-")[:30], **fields}
    service = Service.create(org=org, name=name, **values)
    for priority, (response, resolution) in (levels or {}).items():
        ServiceLevel.create(
            org=org,
            service=service,
            priority=priority,
            response_minutes=response,
            resolution_minutes=resolution,
        )
    return service


def example_calendars() -> dict[str, CalendarSpec]:
    """Calendars that exercise the business-hours engine's hard cases, for property tests.

    Office hours with England's holidays and a closure; a split day in New
    York; and windows that sit on the very hours the clocks change in London
    and New York, so skipped and repeated wall times are crossed.
    """
    weekdays = (((480, 1080),),) * 5
    return {
        "london office": CalendarSpec(
            timezone="Europe/London",
            week=(*weekdays, (), ()),
            country="GB",
            subdivision="ENG",
            closures=(
                ClosedDays(dt.date(2025, 12, 29), dt.date(2025, 12, 31), "Christmas shutdown"),
                ClosedDays(dt.date(2025, 3, 31), dt.date(2025, 3, 31), "Office move"),
            ),
        ),
        "new york split day": CalendarSpec(
            timezone="America/New_York",
            week=(((540, 720), (780, 1020)),) * 5 + ((), ()),
            country="US",
            subdivision="NY",
        ),
        "london night shift": CalendarSpec(
            timezone="Europe/London",
            week=(((0, 180), (1320, 1440)),) * 7,  # 22:00–03:00 around every midnight
        ),
        "new york small hours": CalendarSpec(
            timezone="America/New_York",
            week=(((60, 150), (170, 200)),) * 7,  # 01:00–02:30 and 02:50–03:20
        ),
        "around the clock": CalendarSpec(timezone="Europe/London", week=(((0, 1440),),) * 7),
    }
