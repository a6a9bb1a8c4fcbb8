"""The organisation's own options for the catalogue's pickers and filters."""

from __future__ import annotations

from collections.abc import Collection

from accord import Organisation, User
from accord.models import Membership

from .models import BusinessCalendar, ServiceCategory, ServiceComponent


def staff(org: Organisation) -> list[tuple[int, str]]:
    """Members of ``org`` who can own a service, by name."""
    members = (
        User.select(User.id, User.name)
        .join(Membership, on=(Membership.user == User.id))
        .where((Membership.org == org) & (User.is_active == True))  # noqa: E712 - SQL
        .order_by(User.name)
    )
    return [(user.id, str(user.name)) for user in members]


def categories(org: Organisation) -> list[tuple[int, str]]:
    rows = ServiceCategory.in_org(org).order_by(ServiceCategory.position, ServiceCategory.name)
    return [(c.id, str(c.name)) for c in rows]


def calendars(org: Organisation) -> list[tuple[int, str]]:
    rows = BusinessCalendar.in_org(org).order_by(BusinessCalendar.name)
    return [(c.id, str(c.name)) for c in rows]


def components(org: Organisation, *, excluding: Collection[int] = ()) -> list[tuple[int, str]]:
    rows = ServiceComponent.in_org(org).order_by(ServiceComponent.name)
    return [(c.id, f"{c.name} ({c.kind_label})") for c in rows if c.id not in excluding]
