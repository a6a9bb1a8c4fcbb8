"""The people list's "Consent" filter: who may receive a topic by email, who opted out of one."""

from __future__ import annotations

from typing import Any

from peewee import SQL, fn

from accord import Request

from ..models import Person
from .models import ConsentPurpose, ContactPreference, TopicConsent
from .purposes import BUILT_IN, CHANNELS, purposes

_BUILT_IN = {p.key: p for p in BUILT_IN}
NO_CHANNEL = "no-channel:"


def consent_choices(request: Request) -> list[tuple[str, str]]:
    choices = []
    for p in purposes(request.state.ctx.org):
        topic = p.label.lower()
        choices += [
            (f"{p.key}:email", f"May receive {topic} by email"),
            (f"{p.key}:out", f"Opted out of {topic}"),
        ]
    no_channel = [
        (f"{NO_CHANNEL}{c}", f"Not to be contacted by {w.lower()}") for c, w in CHANNELS.items()
    ]
    return choices + no_channel


def _chose(key: str, opted_in: bool) -> Any:
    # EXISTS probes the unique (person, purpose) index once per candidate row.
    return fn.EXISTS(
        TopicConsent.select(SQL("1")).where(
            (TopicConsent.person == Person.id)
            & (TopicConsent.purpose == key)
            & (TopicConsent.opted_in == opted_in)
        )
    )


def _defined(key: str, **flags: bool) -> Any:
    """Whether ``Person``'s organisation defined purpose ``key`` with ``flags``."""
    condition = (ConsentPurpose.org == Person.org) & (ConsentPurpose.key == key)
    for name, value in flags.items():
        condition &= getattr(ConsentPurpose, name) == value
    return fn.EXISTS(ConsentPurpose.select(SQL("1")).where(condition))


def _channel_off(channel: str) -> Any:
    column = getattr(ContactPreference, f"{channel}_allowed")
    return fn.EXISTS(
        ContactPreference.select(SQL("1")).where(
            (ContactPreference.person == Person.id) & (column == False)  # noqa: E712
        )
    )


def consent_where(value: str) -> Any:
    if value.startswith(NO_CHANNEL):
        return _channel_off(value.removeprefix(NO_CHANNEL))
    key, _, wanted = value.rpartition(":")
    if wanted == "out":
        return _chose(key, False)
    built_in = _BUILT_IN.get(key)
    if built_in is not None:
        opted_in = _chose(key, True)
        if not built_in.opt_in_required:
            opted_in |= ~_chose(key, False)
        reachable = Person.status == "active"
        if built_in.essential:
            reachable = SQL("1 = 1")
    else:
        opted_in = _chose(key, True) | (~_chose(key, False) & _defined(key, opt_in_required=False))
        reachable = (Person.status == "active") | _defined(key, essential=True)
    has_email = Person.email.is_null(False) & (Person.email != "")
    return opted_in & reachable & has_email & ~_channel_off("email")
