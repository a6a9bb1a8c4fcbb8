"""Which existing person each row of an import is: found a batch of rows at a time.

A row matches a person of the organisation by any of its addresses (its
Email first, then Other emails, ignoring case), else by any of its numbers;
the oldest person when several have it. A number that several people have is
a switchboard: it identifies none of them, so it matches nobody (and lines of
the file sharing a number match nobody by it either: see
``import_staging.forget_shared_numbers``).

Each batch costs a few indexed queries, whatever its size: one per kind and
table for every ``CHUNK`` values, never one per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peewee import fn

from .import_reading import CheckedRow, detail_key, row_details
from .models import ContactDetail, Person

CHUNK = 500  # values per query: well under every database's limit of bound parameters


def matches(org: Any, rows: Iterable[CheckedRow]) -> dict[int, tuple[int, str | None]]:
    """Each matching row's line -> (the person's id, the number it matched by or None)."""
    rows = list(rows)
    wanted: dict[str, set[str]] = {"email": set(), "phone": set()}
    for row in rows:
        for detail in row_details(row.values):
            wanted[detail.kind].add(detail_key(detail))
    by_email = _email_owners(org, wanted["email"])
    by_phone = _phone_owners(org, wanted["phone"])
    found: dict[int, tuple[int, str | None]] = {}
    for row in rows:
        for detail in row_details(row.values):
            key = detail_key(detail)
            if detail.kind == "email" and key in by_email:
                found[row.line] = (by_email[key], None)
                break
        else:
            for detail in row_details(row.values):
                owners = by_phone.get(detail.value) if detail.kind == "phone" else None
                if owners and len(owners) == 1:
                    found[row.line] = (next(iter(owners)), detail.value)
                    break
    return found


def _chunks(values: set[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _email_owners(org: Any, keys: set[str]) -> dict[str, int]:
    """Lower-cased address -> the oldest person having it (a detail, or only the mirror)."""
    found: dict[str, int] = {}
    for chunk in _chunks(keys):
        value = fn.LOWER(ContactDetail.value)
        in_details = (
            ContactDetail.select(value, fn.MIN(ContactDetail.person))
            .where((ContactDetail.org == org) & (ContactDetail.kind == "email") & value.in_(chunk))
            .group_by(value)
        )
        email = fn.LOWER(Person.email)
        mirrored = (
            Person.select(email, fn.MIN(Person.id))
            .where((Person.org == org) & email.in_(chunk))
            .group_by(email)
        )
        for query in (in_details, mirrored):
            for key, person_id in query.tuples():
                found[key] = min(person_id, found.get(key, person_id))
    return found


def _phone_owners(org: Any, numbers: set[str]) -> dict[str, set[int]]:
    """Number -> the people having it (several: a switchboard)."""
    found: dict[str, set[int]] = {}
    for chunk in _chunks(numbers):
        in_details = ContactDetail.select(ContactDetail.value, ContactDetail.person).where(
            (ContactDetail.org == org)
            & (ContactDetail.kind == "phone")
            & ContactDetail.value.in_(chunk)
        )
        mirrored = Person.select(Person.phone, Person.id).where(
            (Person.org == org) & Person.phone.in_(chunk)
        )
        for query in (in_details, mirrored):
            for number, person_id in query.tuples():
                found.setdefault(number, set()).add(person_id)
    return found
