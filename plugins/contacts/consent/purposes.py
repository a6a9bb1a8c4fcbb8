"""Why an organisation contacts someone: the built-in purposes and those plugins define."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError

from accord import Organisation, database

from .models import ConsentPurpose

CHANNELS = {"email": "Email", "phone": "Phone", "sms": "Text message", "post": "Post"}


@dataclass(frozen=True)
class ContactPurpose:
    """A topic a person can opt in to or out of, on its own.

    ``essential`` purposes (service notices) are what a person needs to use
    the service: quiet hours and frequency caps do not hold them back, and
    archived people still receive them. ``opt_in_required`` purposes
    (newsletters, marketing) reach only people who said yes (GDPR); the
    others reach everyone who did not say no.
    """

    key: str
    label: str
    description: str = ""
    essential: bool = False
    opt_in_required: bool = True
    defined_by: str = "contacts"


BUILT_IN = (
    ContactPurpose(
        "newsletters",
        "Newsletters",
        "News and offers from the service: only with the person's explicit opt-in.",
        opt_in_required=True,
    ),
    ContactPurpose(
        "service_notices",
        "Service notices",
        "Outages, changes and their own requests: sent on legitimate interest unless opted out.",
        essential=True,
        opt_in_required=False,
    ),
    ContactPurpose(
        "surveys",
        "Surveys",
        "Satisfaction and feedback surveys: sent unless the person opted out.",
        opt_in_required=False,
    ),
)
_BUILT_IN = {p.key: p for p in BUILT_IN}


def purposes(org: Organisation) -> list[ContactPurpose]:
    """The built-in purposes, then those defined in ``org``, by label."""
    defined = ConsentPurpose.in_org(org).order_by(ConsentPurpose.label)
    return [*BUILT_IN, *(_purpose(row) for row in defined if row.key not in _BUILT_IN)]


def purpose(org: Organisation | int, key: str) -> ContactPurpose:
    """The purpose ``key`` of ``org``; ``ValueError`` when there is none."""
    if key in _BUILT_IN:
        return _BUILT_IN[key]
    row = (
        ConsentPurpose.select()
        .where((ConsentPurpose.org == org) & (ConsentPurpose.key == key))
        .first()
    )
    if row is None:
        raise ValueError(f"unknown contact purpose {key!r}: define it with define_purpose()")
    return _purpose(row)


def define_purpose(org: Organisation, purpose: ContactPurpose) -> ContactPurpose:
    """Add ``purpose`` to ``org`` (or update its label and rules); safe to call again."""
    if purpose.key in _BUILT_IN:
        raise ValueError(f"{purpose.key!r} is a built-in purpose")
    if not purpose.key or len(purpose.key) > 60:
        raise ValueError("a purpose key has 1 to 60 characters")
    values = {
        "label": purpose.label,
        "description": purpose.description,
        "essential": purpose.essential,
        "opt_in_required": purpose.opt_in_required,
        "defined_by": purpose.defined_by,
    }
    query = ConsentPurpose.update(values).where(
        (ConsentPurpose.org == org) & (ConsentPurpose.key == purpose.key)
    )
    if not query.execute():
        try:
            with database.atomic():  # a savepoint: another request may define it at once
                ConsentPurpose.create(org=org, key=purpose.key, **values)
        except IntegrityError:
            query.execute()
    return purpose


def check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}: one of {', '.join(CHANNELS)}")


def _purpose(row: ConsentPurpose) -> ContactPurpose:
    return ContactPurpose(
        str(row.key),
        str(row.label),
        str(row.description),
        bool(row.essential),
        bool(row.opt_in_required),
        str(row.defined_by),
    )
