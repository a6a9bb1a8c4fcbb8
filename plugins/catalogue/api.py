"""What other plugins ask the catalogue: levels, business hours and services to choose from.

Re-exported by ``accord.plugins.catalogue``; see its docstring for the contract.
"""

from __future__ import annotations

import datetime as dt

import peewee

from accord import Organisation, utcnow

from .hours import BusinessHours, CalendarSpec, Closure
from .models import BusinessCalendar, Service, ServiceCategory, ServiceLevel
from .models import Closure as ClosureRow


def service_level(service: Service | int, priority: int) -> ServiceLevel | None:
    """The agreed level of ``service`` for ``priority`` (1–4), or None when none is agreed."""
    return ServiceLevel.get_or_none(
        (ServiceLevel.service == service) & (ServiceLevel.priority == int(priority))
    )


def service_levels(service: Service | int) -> dict[int, ServiceLevel]:
    """Every agreed level of ``service``, by priority."""
    rows = ServiceLevel.select().where(ServiceLevel.service == service)
    return {int(level.priority): level for level in rows}


def calendar_spec(calendar: BusinessCalendar) -> CalendarSpec:
    """``calendar`` with its closures, as the business-hours engine reads it."""
    closures = ClosureRow.select().where(ClosureRow.calendar == calendar.id)
    return CalendarSpec(
        timezone=str(calendar.timezone),
        week=calendar.week,
        country=str(calendar.country or ""),
        subdivision=str(calendar.subdivision or ""),
        closures=tuple(Closure(c.starts_on, c.ends_on, str(c.reason)) for c in closures),
    )


def business_hours_for(service: Service) -> BusinessHours:
    """The business hours ``service`` is supported in: its calendar, or 24×7 without one."""
    if service.calendar_id is None:
        return BusinessHours.always()
    calendar = BusinessCalendar.get_by_id(service.calendar_id)
    return BusinessHours(calendar_spec(calendar))


def live_services(org: Organisation) -> peewee.ModelSelect:
    """The organisation's live services by name, with their categories (for pickers)."""
    return (
        Service.in_org(org)
        .select_extend(ServiceCategory)
        .join(ServiceCategory, peewee.JOIN.LEFT_OUTER)
        .where(Service.status == "live")
        .order_by(Service.name)
    )


def upcoming_closures(org: Organisation, days: int = 30) -> peewee.ModelSelect:
    """Closures of the organisation's calendars that overlap the next ``days`` days."""
    today = utcnow().date()
    return (
        ClosureRow.in_org(org)
        .select_extend(BusinessCalendar.name)
        .join(BusinessCalendar)
        .where((ClosureRow.ends_on >= today) & (ClosureRow.starts_on <= today + dt.timedelta(days)))
        .order_by(ClosureRow.starts_on, ClosureRow.id)
    )
