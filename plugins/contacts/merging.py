"""Finding people recorded twice, and merging them into one.

Likely duplicates share an email address, a phone number (any of each
person's, not only the primary ones) or a full name. Merging keeps one
person (the survivor) with the values the user chose from either record and
every address and number of both (the survivor's primaries stay primary),
moves everything linked to the other onto the survivor —
contacts' own records here, other plugins' through the ``merge_people`` hook —
and archives the other with ``merged_into`` set, so old links still lead
somewhere. It is one transaction: a plugin that fails stops the merge whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import peewee
from peewee import DateTimeField, ForeignKeyField, IntegerField, fn

from accord import Organisation, TenantModel, User, database, emit, utcnow
from accord.audit import record

from . import details
from .consent.models import ConsentChange, ContactMade, ContactPreference, TopicConsent
from .derived import refresh_contact_dates, refresh_people, set_tags
from .details import details_of
from .documents.models import Document
from .engagement import StakeholderMember
from .models import (
    Affiliation,
    ContactDetail,
    Interaction,
    InteractionParticipant,
    Person,
    PersonTag,
)

# The values a user chooses between, in the order the comparison shows them.
MERGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("job_title", "Job title"),
    ("date_of_birth", "Date of birth"),
    ("age_band", "Age band"),
    ("preferred_language", "Preferred language"),
    ("preferred_channel", "Preferred channel"),
    ("owner", "Owner"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("city", "Town or city"),
    ("region", "Region"),
    ("country", "Country"),
    ("notes", "Notes"),
)
REASONS = {"email": "Same email", "phone": "Same phone", "name": "Same name"}


class NotDuplicate(TenantModel):
    """Two people a user judged to be different, so they are not proposed again."""

    first = IntegerField()
    second = IntegerField()
    judged_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    judged_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_not_duplicate"
        indexes = ((("org", "first", "second"), True), (("org", "second", "first"), False))


MERGE_MODELS = [NotDuplicate]


class MergeRefused(ValueError):
    """The merge cannot happen; the message says why, for the user."""


@dataclass(frozen=True)
class Candidate:
    """Two people who may be one, and why we think so."""

    first: Person
    second: Person
    reason: str


def _active(org: Organisation) -> peewee.ModelSelect:
    return Person.in_org(org).where(Person.status == "active")


def _dismissed(org: Organisation) -> set[tuple[int, int]]:
    return set(NotDuplicate.in_org(org).select(NotDuplicate.first, NotDuplicate.second).tuples())


def _sharing_details(org: Organisation, limit: int) -> list[tuple[str, list[int]]]:
    """(kind, ids of the active people) for each address or number several people share."""
    active = ContactDetail.person.in_(_active(org).select(Person.id))
    shared = (
        ContactDetail.in_org(org)
        .select(ContactDetail.kind, ContactDetail.value, fn.MIN(ContactDetail.person))
        .where(active)
        .group_by(ContactDetail.kind, ContactDetail.value)
        .having(fn.COUNT(ContactDetail.person.distinct()) > 1)
        .order_by(fn.MIN(ContactDetail.person))
        .limit(limit)
        .tuples()
    )
    groups = []
    for kind, value, _ in shared:
        people = (
            ContactDetail.in_org(org)
            .select(ContactDetail.person)
            .where((ContactDetail.kind == kind) & (ContactDetail.value == value) & active)
            .order_by(ContactDetail.person)
            .limit(10)
        )
        groups.append((kind, [row.person_id for row in people]))
    return groups


def candidates(org: Organisation, limit: int = 50) -> list[Candidate]:
    """Pairs of active people sharing an email, a phone or a full name, oldest person first."""
    dismissed = _dismissed(org)
    seen: set[tuple[int, int]] = set()
    found: list[Candidate] = []
    for kind, ids in _sharing_details(org, limit):
        people = list(_active(org).where(Person.id.in_(ids)).order_by(Person.id))
        for other in people[1:]:
            pair = (people[0].id, other.id)
            if pair not in seen and pair not in dismissed:
                seen.add(pair)
                found.append(Candidate(people[0], other, REASONS[kind]))
    # The mirrored primaries too: a person created outside contacts may have no rows yet.
    keys: list[tuple[str, peewee.Node]] = [
        ("email", Person.email),
        ("phone", Person.phone),
        ("name", fn.LOWER(Person.first_name).concat(" ").concat(fn.LOWER(Person.last_name))),
    ]
    for reason, key in keys:
        groups = (
            _active(org)
            .select(key.alias("k"), fn.MIN(Person.id), fn.COUNT(Person.id))
            .where(key.is_null(False) & (key != ""))
            .group_by(key)
            .having(fn.COUNT(Person.id) > 1)
            .order_by(fn.MIN(Person.id))
            .limit(limit)
            .tuples()
        )
        for value, _, _ in groups:
            people = list(_active(org).where(key == value).order_by(Person.id).limit(10))
            for other in people[1:]:
                pair = (people[0].id, other.id)
                if pair in seen or pair in dismissed:
                    continue
                seen.add(pair)
                found.append(Candidate(people[0], other, REASONS[reason]))
    found.sort(key=lambda c: (c.first.id, c.second.id))
    return found[:limit]


def duplicates_of(person: Person, limit: int = 5) -> list[tuple[Person, str]]:
    """Active people who may be ``person`` too (cheap: indexed lookups only)."""
    org_id = person.org_id
    # Two seeks, one per side of the pair: an OR of both would walk the organisation's rows.
    pairs = NotDuplicate.select(NotDuplicate.first, NotDuplicate.second)
    judged = pairs.where((NotDuplicate.org == org_id) & (NotDuplicate.first == person.id)) | (
        pairs.where((NotDuplicate.org == org_id) & (NotDuplicate.second == person.id))
    )
    dismissed = {b if a == person.id else a for a, b in judged.tuples()}
    found: dict[int, tuple[Person, str]] = {}
    mine = details_of(person)
    # Ids first, one index look-up per address: an OR of subqueries could read every person.
    sharing = {
        kind: sorted(
            {
                pk
                for d in mine
                if d.kind == kind
                for pk in details.people_having(org_id, kind, d.value)
            }
        )
        for kind in details.KINDS
    }
    tests = [
        *((kind, Person.id.in_(sorted(ids))) for kind, ids in sharing.items() if ids),
        (
            "name",
            (Person.last_name == person.last_name) & (Person.first_name == person.first_name),
        ),
    ]
    for reason, condition in filter(None, tests):
        query = (
            Person.select()
            .where((Person.org == org_id) & (Person.status == "active") & condition)
            .where(Person.id != person.id)
            .limit(limit)
        )
        for other in query:
            if other.id not in dismissed and other.id not in found:
                found[other.id] = (other, REASONS[reason])
    return list(found.values())[:limit]


def not_duplicates(org: Organisation, first: Person, second: Person, user: User | None) -> None:
    low, high = sorted((first.id, second.id))
    if (
        not NotDuplicate.in_org(org)
        .where((NotDuplicate.first == low) & (NotDuplicate.second == high))
        .exists()
    ):
        NotDuplicate.create(org=org, first=low, second=high, judged_by=user)


@dataclass
class MergeResult:
    survivor: Person
    moved: dict[str, int] = field(default_factory=dict)
    gained: list[str] = field(default_factory=list)  # the duplicate's addresses and numbers


def _move_unique(
    model: type[TenantModel],
    column: peewee.Field,
    survivor: Person,
    duplicate: Person,
    key: peewee.Field,
) -> int:
    """Point ``model`` rows at ``survivor``, dropping the duplicate's where the survivor has one."""
    kept = {value for (value,) in model.select(key).where(column == survivor.id).tuples()}
    clashing = model.delete().where((column == duplicate.id) & key.in_(kept)) if kept else None
    if clashing is not None:
        clashing.execute()
    return model.update({column: survivor.id}).where(column == duplicate.id).execute()


def _merge_consent(survivor: Person, duplicate: Person, user: User | None) -> int:
    """Keep the stricter choice of the two: an opt-out under either record stays an opt-out."""
    mine = ContactPreference.get_or_none(ContactPreference.person == survivor.id)
    theirs = ContactPreference.get_or_none(ContactPreference.person == duplicate.id)
    if theirs is not None and mine is None:
        ContactPreference.update(person=survivor.id).where(
            ContactPreference.id == theirs.id
        ).execute()
    elif theirs is not None and mine is not None:
        for channel in ("email", "phone", "sms", "post"):
            name = f"{channel}_allowed"
            setattr(mine, name, bool(getattr(mine, name)) and bool(getattr(theirs, name)))
        if mine.quiet_from is None:
            mine.quiet_from, mine.quiet_until = theirs.quiet_from, theirs.quiet_until
        caps = [c for c in (mine.cap, theirs.cap) if c is not None]
        mine.cap = min(caps) if caps else None
        mine.updated_at = utcnow()
        mine.save()
        theirs.delete_instance()
    theirs_topics = {
        t.purpose: t for t in TopicConsent.select().where(TopicConsent.person == duplicate.id)
    }
    for topic in TopicConsent.select().where(TopicConsent.person == survivor.id):
        other = theirs_topics.pop(topic.purpose, None)
        if other is not None:
            if topic.opted_in and not other.opted_in:
                topic.opted_in, topic.changed_at = False, utcnow()
                topic.save()
            other.delete_instance()
    for other in theirs_topics.values():
        other.person = survivor.id
        other.save()
    moved = (
        ConsentChange.update(person=survivor.id)
        .where(ConsentChange.person == duplicate.id)
        .execute()
    )
    ContactMade.update(person=survivor.id).where(ContactMade.person == duplicate.id).execute()
    ConsentChange.create(
        org=survivor.org_id,
        person=survivor.id,
        user=user,
        source="merge",
        subject="merged",
        before=f"person {duplicate.id}",
        after="the stricter choice of each",
    )
    return moved


def merge(
    org: Organisation,
    survivor: Person,
    duplicate: Person,
    chosen: dict[str, str],
    *,
    user: User | None,
    plugin_moves: Callable[[Person, Person], Iterable[tuple[str, dict[str, int] | None]]],
) -> MergeResult:
    """Merge ``duplicate`` into ``survivor`` taking, per field, the value ``chosen`` names.

    ``chosen`` maps a field of ``MERGE_FIELDS`` to ``"survivor"`` or ``"duplicate"``
    (missing: the survivor's). ``plugin_moves`` calls the ``merge_people`` hook.
    """
    if survivor.id == duplicate.id:
        raise MergeRefused("A person cannot be merged with themselves.")
    for person in (survivor, duplicate):
        if person.org_id != org.id:
            raise MergeRefused("Both people must be of this organisation.")
        if person.merged_into_id:
            raise MergeRefused(f"{person.full_name} was already merged into someone else.")
    result = MergeResult(survivor)
    with database.atomic():
        for name, _ in MERGE_FIELDS:
            if chosen.get(name) == "duplicate":
                setattr(survivor, name, getattr(duplicate, name))
        survivor.updated_at = utcnow()
        survivor.save()
        # Every address and number of both; the survivor's primaries stay primary.
        gained = details.add_details(survivor, details_of(duplicate))
        tags = sorted(set(survivor.tag_list) | set(duplicate.tag_list), key=str.lower)
        moved = {
            "interactions": Interaction.update(person=survivor.id)
            .where(Interaction.person == duplicate.id)
            .execute(),
            "interactions taken part in": _move_unique(
                InteractionParticipant,
                InteractionParticipant.person,
                survivor,
                duplicate,
                InteractionParticipant.interaction,
            ),
            "organisations": _move_unique(
                Affiliation, Affiliation.person, survivor, duplicate, Affiliation.organisation
            ),
            "stakeholder groups": _move_unique(
                StakeholderMember,
                StakeholderMember.person,
                survivor,
                duplicate,
                StakeholderMember.group,
            ),
            "documents": Document.update(person=survivor.id)
            .where(Document.person == duplicate.id)
            .execute(),
            "consent changes": _merge_consent(survivor, duplicate, user),
        }
        PersonTag.delete().where(PersonTag.person == duplicate.id).execute()
        Person.update(tag_names=set_tags(survivor, tags)).where(Person.id == survivor.id).execute()
        if Affiliation.select().where(Affiliation.person == survivor.id).count() > 1:
            primaries = Affiliation.select().where(
                (Affiliation.person == survivor.id) & (Affiliation.is_primary == True)  # noqa: E712
            )
            if primaries.count() > 1:  # both had a main organisation: the survivor's stays
                keep = survivor.organisation_id
                Affiliation.update(is_primary=False).where(
                    (Affiliation.person == survivor.id) & (Affiliation.organisation != keep)
                ).execute()
        for _plugin, counts in plugin_moves(survivor, duplicate):
            for label, count in (counts or {}).items():
                moved[label] = moved.get(label, 0) + int(count)
        # The duplicate stays, archived, so old links and other plugins' history resolve.
        Person.update(
            status="archived",
            archived_at=utcnow(),
            merged_into=survivor.id,
            updated_at=utcnow(),
        ).where(Person.id == duplicate.id).execute()
        refresh_people([survivor.id, duplicate.id])
        refresh_contact_dates([survivor.id], [survivor.organisation_id])
        result.moved = {k: v for k, v in moved.items() if v}
        result.gained = [d.value for d in gained]
        record(
            org,
            "merge",
            f"merged {duplicate.full_name} (#{duplicate.id}) into {survivor.full_name}"
            + (f", adding {', '.join(d.display for d in gained)}" if gained else ""),
            plugin="contacts",
            table="contacts_person",
            record_id=survivor.id,
            changes={
                "merged": [duplicate.id, survivor.id],
                "moved": result.moved,
                "details added": result.gained,
            },
        )
        emit(
            org,
            "contacts.people_merged",
            {"survivor_id": survivor.id, "duplicate_id": duplicate.id},
        )
    result.survivor = Person.get_by_id(survivor.id)
    return result


def differences(survivor: Person, duplicate: Person) -> list[tuple[str, str, Any, Any]]:
    """The fields whose values differ: (name, label, survivor's, duplicate's)."""
    return [
        (name, label, getattr(survivor, name), getattr(duplicate, name))
        for name, label in MERGE_FIELDS
        if (getattr(survivor, name) or None) != (getattr(duplicate, name) or None)
    ]
