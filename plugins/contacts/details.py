"""A person's email addresses and phone numbers: reading them, replacing them, finding by them.

Rows live in ``ContactDetail``; the primary of each kind is mirrored in
``Person.email`` and ``Person.phone`` by ``set_details`` and ``add_details``,
the only writers, so the rest of the product reads one address where one is
enough. A person created outside contacts (an incident's new reporter) may
have ``Person.email`` and no rows yet: ``details_of`` reads that address as
their primary, and the next save through contacts stores it as a row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import fn

from accord import Organisation
from accord.audit import record

from .choices import DETAIL_LABELS
from .models import ContactDetail, Person
from .normalise import phone_display

KINDS = ("email", "phone")
DEFAULT_LABEL = "work"


@dataclass(frozen=True)
class Detail:
    """An address or number as entered: normalised ``value``, a ``label``, primary or not."""

    kind: str
    value: str
    label: str = DEFAULT_LABEL
    primary: bool = False

    @property
    def label_text(self) -> str:
        return DETAIL_LABELS.get(self.label, self.label)

    @property
    def display(self) -> str:
        return phone_display(self.value) if self.kind == "phone" else self.value


def details_of(person: Person) -> list[Detail]:
    """The person's details, emails then phones, each kind's primary first."""
    return details_for([person])[person.id]


def details_for(people: Iterable[Person]) -> dict[int, list[Detail]]:
    """``details_of`` for many people in one query (exports, merge pages)."""
    people = list(people)
    rows: dict[int, list[Detail]] = defaultdict(list)
    if people:
        query = (
            ContactDetail.select()
            .where(ContactDetail.person.in_([p.id for p in people]))
            .order_by(ContactDetail.person, ContactDetail.is_primary.desc(), ContactDetail.id)
        )
        for row in query:
            rows[row.person_id].append(Detail(row.kind, row.value, row.label, row.is_primary))
    found = {}
    for person in people:
        mine = rows[person.id]
        for kind in KINDS:
            mirrored = getattr(person, kind)
            if mirrored and not any(d.kind == kind and d.value == mirrored for d in mine):
                mine = [Detail(kind, mirrored, DEFAULT_LABEL, True)] + [
                    d if d.kind != kind else Detail(kind, d.value, d.label, False) for d in mine
                ]
        found[person.id] = sorted(mine, key=lambda d: (KINDS.index(d.kind), not d.primary))
    return found


def set_details(person: Person, details: Iterable[Detail]) -> None:
    """Make ``details`` the person's exactly; the first marked primary of a kind is its primary.

    Repeats (same kind and value) are dropped; a kind with no primary marked
    gets its first detail as primary. ``Person.email`` / ``Person.phone``
    follow.
    """
    chosen: dict[tuple[str, str], Detail] = {}
    for detail in details:
        chosen.setdefault((detail.kind, detail.value), detail)
    tidy: list[Detail] = []
    for kind in KINDS:
        mine = [d for d in chosen.values() if d.kind == kind]
        primary = next((d for d in mine if d.primary), mine[0] if mine else None)
        tidy += [Detail(kind, d.value, d.label, d is primary) for d in mine]
    ContactDetail.delete().where(ContactDetail.person == person.id).execute()
    if tidy:
        ContactDetail.insert_many(
            [
                {
                    "org": person.org_id,
                    "person": person.id,
                    "kind": d.kind,
                    "value": d.value,
                    "label": d.label,
                    "is_primary": d.primary,
                }
                for d in tidy
            ]
        ).execute()
    _mirror_primaries(person, tidy)


def add_details(person: Person, details: Iterable[Detail]) -> list[Detail]:
    """Add the ``details`` the person lacks (as non-primary, unless the kind has none).

    Returns the details added. Their current primaries stay primary.
    """
    mine = details_of(person)
    have = {(d.kind, d.value) for d in mine}
    added = []
    for detail in details:
        if (detail.kind, detail.value) in have:
            continue
        have.add((detail.kind, detail.value))
        added.append(Detail(detail.kind, detail.value, detail.label, False))
    if added:
        set_details(person, [*mine, *added])
    return added


def record_changes(person: Person, before: list[Detail], after: list[Detail]) -> None:
    """One audit entry (and a line on the person's timeline) when their details changed.

    Under ``email`` and ``phone``, each the whole list as people read it, so
    the history says "Email: a@x → a@x, b@y" whichever address changed.
    """
    changes = {
        kind: [_words(before, kind), _words(after, kind)]
        for kind in KINDS
        if _words(before, kind) != _words(after, kind)
    }
    if changes:
        record(
            person.org_id,
            "update",
            f"changed the email addresses or phone numbers of {person.full_name}",
            plugin="contacts",
            table=Person._meta.table_name,
            record_id=person.id,
            changes=changes,
        )


def _words(details: list[Detail], kind: str) -> str | None:
    mine = [d for d in details if d.kind == kind]
    primary = ", primary" if len(mine) > 1 else ""
    return (
        ", ".join(
            f"{d.display} ({d.label_text.lower()}{primary if d.primary else ''})" for d in mine
        )
        or None
    )


def _mirror_primaries(person: Person, details: list[Detail]) -> None:
    primaries = {d.kind: d.value for d in details if d.primary}
    Person.update(email=primaries.get("email"), phone=primaries.get("phone")).where(
        Person.id == person.id
    ).execute()
    person.email, person.phone = primaries.get("email"), primaries.get("phone")


def people_having(org: Organisation | int, kind: str, value: str, limit: int = 50) -> list[int]:
    """Ids of the people of ``org`` with this normalised ``value`` among their details.

    Two index look-ups; callers then ask for ``Person.id.in_(ids)``, since an
    OR of subqueries inside a bigger condition can make PostgreSQL read every
    person.
    """
    with_row = ContactDetail.select(ContactDetail.person).where(
        (ContactDetail.org == org) & (ContactDetail.kind == kind) & (ContactDetail.value == value)
    )
    column = getattr(Person, kind)
    mirrored = Person.select(Person.id).where((Person.org == org) & (column == value))
    found = {row.person_id for row in with_row.limit(limit)}
    return sorted(found | {row.id for row in mirrored.limit(limit)})[:limit]


def owners(org: Organisation, kind: str, values: Iterable[str]) -> dict[str, list[int]]:
    """Each of ``values`` mapped to the ids of the people of ``org`` who have it, oldest first.

    Emails are compared ignoring case (keys lower-cased), as the import always did.
    """
    fold = kind == "email"
    wanted = sorted({v.lower() if fold else v for v in values})
    found: dict[str, set[int]] = defaultdict(set)
    if not wanted:
        return {}
    rows = ContactDetail.select(ContactDetail.value, ContactDetail.person).where(
        (ContactDetail.org == org) & (ContactDetail.kind == kind) & ContactDetail.value.in_(wanted)
    )
    for value, person_id in rows.tuples():
        found[value.lower() if fold else value].add(person_id)
    column = fn.LOWER(Person.email) if fold else Person.phone
    for value, person_id in (
        Person.select(column, Person.id).where((Person.org == org) & column.in_(wanted)).tuples()
    ):
        found[value].add(person_id)
    return {value: sorted(ids) for value, ids in found.items()}
