"""The one question other plugins ask, and the changes that shape its answer.

``may_contact`` checks, in this order: the channel and purpose exist
(``ValueError`` if not); an archived person receives only essential
purposes; the person has an address on that channel; the channel is not
switched off; the person opted in to the purpose (or, for purposes that
need no opt-in, did not opt out); and, for non-essential purposes only,
it is not within their quiet hours and the frequency cap is not reached.
The first check that fails gives the reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from peewee import IntegrityError, fn

from accord import Organisation, User, database, utcnow

from .models import ConsentChange, ContactMade, ContactPreference, TopicConsent
from .purposes import CHANNELS, ContactPurpose, check_channel, purpose

CAP_WINDOWS = {"week": datetime.timedelta(days=7), "month": datetime.timedelta(days=30)}
CAP_PERIODS = {"week": "week", "month": "30 days"}  # "… in the last week"
CAP_CHOICES = {"week": "a week", "month": "a month (30 days)"}


@dataclass(frozen=True)
class ContactDecision:
    """The answer of ``may_contact``: truthy when allowed; ``reason`` is a sentence for people."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass
class Preferences:
    """A person's preferences as they stand, defaults filled in where they chose nothing."""

    person: Any
    record: ContactPreference | None
    topics: dict[str, bool] = field(default_factory=dict)  # explicit choices only
    _made: dict[datetime.datetime, int] = field(default_factory=dict, repr=False)

    def channel_allowed(self, channel: str) -> bool:
        return self.record is None or bool(getattr(self.record, f"{channel}_allowed"))

    def opted_in(self, purpose: ContactPurpose) -> bool:
        return self.topics.get(purpose.key, not purpose.opt_in_required)

    def chose(self, purpose: ContactPurpose) -> bool:
        return purpose.key in self.topics

    @property
    def quiet_hours(self) -> tuple[int, int] | None:
        if self.record is None or self.record.quiet_from is None:
            return None
        return int(self.record.quiet_from), int(self.record.quiet_until)

    @property
    def cap(self) -> tuple[int, str] | None:
        if self.record is None or self.record.cap is None:
            return None
        return int(self.record.cap), str(self.record.cap_period)

    @cached_property
    def zone(self) -> ZoneInfo:
        return time_zone(self.person.org_id)

    def contacts_made(self, at: datetime.datetime) -> int:
        """Non-essential contacts in the cap's window before ``at`` (asked once per moment)."""
        assert self.cap is not None
        if at not in self._made:
            self._made[at] = contacts_made(self.person, at - CAP_WINDOWS[self.cap[1]], at)
        return self._made[at]


def preferences(person: Any) -> Preferences:
    record = ContactPreference.get_or_none(ContactPreference.person == person.id)
    rows = TopicConsent.select().where(TopicConsent.person == person.id)
    return Preferences(person, record, {row.purpose: bool(row.opted_in) for row in rows})


def time_zone(org: Organisation | int) -> ZoneInfo:
    """The organisation's time zone (``Organisation.zone``): quiet hours are read in it."""
    if not isinstance(org, Organisation):
        org = Organisation.get_by_id(org)
    return org.zone


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def in_quiet_hours(minute: int, quiet: tuple[int, int]) -> bool:
    start, end = quiet
    if start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end  # across midnight


def address_on(person: Any, channel: str) -> bool:
    if channel == "email":
        return bool(person.email)
    if channel in {"phone", "sms"}:
        return bool(person.phone)
    return bool(person.address or person.postcode)


def _utc(at: datetime.datetime | None) -> datetime.datetime:
    if at is None:
        return utcnow()
    if at.tzinfo is not None:
        return at.astimezone(datetime.UTC).replace(tzinfo=None)
    return at


def may_contact(
    person: Any,
    channel: str = "email",
    purpose: str = "surveys",
    at: datetime.datetime | None = None,
) -> ContactDecision:
    """May we contact ``person`` on ``channel`` for ``purpose`` at ``at`` (UTC; now by default)?"""
    check_channel(channel)
    wanted = _purpose_of(person, purpose)
    return decide(person, preferences(person), channel, wanted, _utc(at))


def decide(
    person: Any,
    prefs: Preferences,
    channel: str,
    wanted: ContactPurpose,
    at: datetime.datetime,
) -> ContactDecision:
    name, topic, by = person.full_name, wanted.label.lower(), CHANNELS[channel].lower()
    if person.status == "archived" and not wanted.essential:
        return ContactDecision(False, f"{name} is archived: only service notices may be sent.")
    if not address_on(person, channel):
        missing = {"email": "email address", "post": "postal address"}.get(channel, "phone number")
        return ContactDecision(False, f"{name} has no {missing} on record.")
    if not prefs.channel_allowed(channel):
        return ContactDecision(False, f"{name} does not want to be contacted by {by}.")
    if not prefs.opted_in(wanted):
        if prefs.chose(wanted):
            return ContactDecision(False, f"{name} has opted out of {topic}.")
        return ContactDecision(False, f"{name} has not opted in to {topic}.")
    if not wanted.essential:
        quiet = prefs.quiet_hours
        if quiet is not None:
            zone = prefs.zone
            local = at.replace(tzinfo=datetime.UTC).astimezone(zone)
            if in_quiet_hours(local.hour * 60 + local.minute, quiet):
                return ContactDecision(
                    False,
                    f"It is {local:%H:%M} ({zone.key} time), within {name}'s quiet hours "
                    f"({clock(quiet[0])}–{clock(quiet[1])}).",
                )
        cap = prefs.cap
        if cap is not None:
            made = prefs.contacts_made(at)
            if made >= cap[0]:
                return ContactDecision(
                    False,
                    f"{name} has had {made} of at most {cap[0]} contacts "
                    f"in the last {CAP_PERIODS[cap[1]]}.",
                )
    return ContactDecision(True, f"{name} may be contacted by {by} about {topic}.")


def contacts_made(person: Any, since: datetime.datetime, until: datetime.datetime) -> int:
    """Non-essential contacts made with ``person`` in ``[since, until]``: what caps count."""
    return int(
        ContactMade.select(fn.COUNT(ContactMade.id))
        .where(
            (ContactMade.person == person.id)
            & (ContactMade.essential == False)  # noqa: E712 - peewee builds SQL from ==
            & (ContactMade.at > since)
            & (ContactMade.at <= until)
        )
        .scalar()
        or 0
    )


def record_contact(
    person: Any,
    channel: str = "email",
    purpose: str = "surveys",
    source: str = "",
    at: datetime.datetime | None = None,
) -> ContactMade:
    """Record that ``source`` (a plugin's id) contacted ``person``: frequency caps count it."""
    check_channel(channel)
    wanted = _purpose_of(person, purpose)
    return ContactMade.create(
        org=person.org_id,
        person=person.id,
        channel=channel,
        purpose=wanted.key,
        essential=wanted.essential,
        source=source or "unknown",
        at=_utc(at),
    )


def _purpose_of(person: Any, key: str) -> ContactPurpose:
    return purpose(person.org_id, key)


# ---- changes, each kept in the history ----------------------------------------------


def log_change(
    person: Any,
    subject: str,
    before: str,
    after: str,
    *,
    source: str,
    user: User | None = None,
    at: datetime.datetime | None = None,
) -> ConsentChange:
    return ConsentChange.create(
        org=person.org_id,
        person=person.id,
        at=at or utcnow(),
        user=user.id if user is not None else None,
        source=source,
        subject=subject,
        before=before,
        after=after,
    )


def topic_word(opted_in: bool | None) -> str:
    return {True: "opted in", False: "opted out", None: "no choice (default)"}[opted_in]


def set_topic(
    person: Any, key: str, opted_in: bool, *, source: str, user: User | None = None
) -> bool:
    """Record ``person``'s choice about purpose ``key``; False when it was already so."""
    wanted = _purpose_of(person, key)
    row = TopicConsent.get_or_none(
        (TopicConsent.person == person.id) & (TopicConsent.purpose == wanted.key)
    )
    if row is not None and bool(row.opted_in) == opted_in:
        return False
    before = topic_word(bool(row.opted_in) if row is not None else None)
    if row is None:
        try:
            with database.atomic():  # a savepoint: a second click may be saving the same choice
                TopicConsent.create(
                    org=person.org_id, person=person.id, purpose=wanted.key, opted_in=opted_in
                )
        except IntegrityError:
            return False
    else:
        row.opted_in, row.changed_at = opted_in, utcnow()
        row.save()
    log_change(
        person, f"topic:{wanted.key}", before, topic_word(opted_in), source=source, user=user
    )
    return True


def set_channel(
    person: Any, channel: str, allowed: bool, *, source: str, user: User | None = None
) -> bool:
    """Switch ``channel`` on or off for ``person``; False when it was already so."""
    check_channel(channel)
    record = preference_record(person)
    column = f"{channel}_allowed"
    if bool(getattr(record, column)) == allowed:
        return False
    setattr(record, column, allowed)
    record.updated_at = utcnow()
    record.save()
    word = {True: "allowed", False: "not allowed"}
    log_change(
        person, f"channel:{channel}", word[not allowed], word[allowed], source=source, user=user
    )
    return True


def preference_record(person: Any) -> ContactPreference:
    """The person's preference row, created with the defaults when they have none."""
    record = ContactPreference.get_or_none(ContactPreference.person == person.id)
    if record is None:
        record = ContactPreference.create(org=person.org_id, person=person.id)
    return record


def quiet_words(quiet: tuple[int, int] | None) -> str:
    return f"{clock(quiet[0])}–{clock(quiet[1])}" if quiet else "none"


def cap_words(cap: tuple[int, str] | None) -> str:
    return f"at most {cap[0]} {CAP_CHOICES[cap[1]]}" if cap else "none"
