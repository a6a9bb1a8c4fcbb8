"""Choices that depend on the organisation: its staff, customer organisations, tags, places."""

from __future__ import annotations

from typing import Any

import phonenumbers
from peewee import Case, Field, Value, fn

from accord import Organisation, Request, User, database, plugin_settings
from accord.models import Membership

from .models import CustomerOrganisation, Tag
from .normalise import DEFAULT_REGION

MAX_PLACES = 300


def staff(org: Organisation) -> list[tuple[int, str]]:
    """``(user id, name)`` of the organisation's members, by name."""
    members = (
        User.select(User.id, User.name)
        .join(Membership, on=(Membership.user == User.id))
        .where((Membership.org == org) & User.is_active)
        .order_by(User.name, User.id)
    )
    return [(u.id, u.name) for u in members]


def organisation_named(org: Organisation, name: str) -> CustomerOrganisation | None:
    """The active customer organisation called ``name`` (ignoring case), if there is one."""
    return (
        CustomerOrganisation.in_org(org)
        .where(
            (fn.LOWER(CustomerOrganisation.name) == name.strip().lower())
            & (CustomerOrganisation.status == "active")
        )
        .order_by(CustomerOrganisation.id)
        .first()
    )


def organisation_suggestions(org: Organisation, text: str, limit: int = 20) -> list[Any]:
    """Active customer organisations matching ``text``, those starting with it first."""
    query = CustomerOrganisation.in_org(org).where(CustomerOrganisation.status == "active")
    terms = text.casefold().split()[:8]
    if terms:
        query = query.where(CustomerOrganisation.search_text.matches(terms))
    starts = fn.LOWER(CustomerOrganisation.name).startswith(text.strip().lower())
    first = Case(None, [(starts, 0)], 1) if terms else Value(0)
    return list(query.order_by(first, CustomerOrganisation.name).limit(limit))


def tags(org: Organisation) -> list[tuple[int, str]]:
    return [(t.id, t.name) for t in Tag.in_org(org, Tag.id, Tag.name).order_by(Tag.name)]


def distinct_values(field: Field, org: Organisation, limit: int = MAX_PLACES) -> list[str]:
    """The distinct non-empty values of ``field`` in ``org``, in order.

    Read as a loose index scan (a recursive query that jumps from one value
    to the next through the ``(org, field)`` index), so it costs one index
    probe per distinct value however many rows share each one.
    """
    table = field.model._meta.table_name
    column = field.column_name
    sql = (
        f"WITH RECURSIVE seen(value) AS ("
        f'SELECT MIN("{column}") FROM "{table}" WHERE "org_id" = %s AND "{column}" > %s '
        f'UNION ALL SELECT (SELECT MIN("{column}") FROM "{table}" '
        f'WHERE "org_id" = %s AND "{column}" > seen.value) FROM seen WHERE seen.value IS NOT NULL'
        f") SELECT value FROM seen WHERE value IS NOT NULL LIMIT %s"
    )
    param = database.param
    cursor = database.execute_sql(sql.replace("%s", param), (org.id, "", org.id, limit))
    return [row[0] for row in cursor.fetchall()]


def region(request: Request) -> str:
    """Where phone numbers typed without a country code belong: the organisation's setting."""
    cached = getattr(request.state, "contacts_region", None)
    if cached is None:
        cached = request.state.contacts_region = org_region(request.state.ctx.org)
    return str(cached)


def org_region(org: Organisation) -> str:
    """``region`` read from the organisation's settings, outside a request."""
    chosen = str(plugin_settings.get(org, "contacts")["default_region"]).strip().upper()
    # A mistyped setting must not stop people being saved.
    return chosen if chosen in phonenumbers.SUPPORTED_REGIONS else DEFAULT_REGION
