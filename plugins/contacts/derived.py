"""Keep derived columns in step with the rows they come from.

Lists sort, filter and search on single tables, so a person row carries its
primary organisation, its tags as text, one search line and the dates of its
last contact and next planned step; an organisation row carries the same
dates and its own search line. These updates are bookkeeping: they neither
bump a record's version (an open edit form stays valid) nor fill the audit log.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from peewee import Expression, fn

from .choices import NOT_CONTACT
from .details import details_for
from .models import (
    Affiliation,
    CustomerOrganisation,
    Interaction,
    InteractionParticipant,
    Person,
    PersonTag,
    Tag,
    held,
)
from .normalise import phone_search_forms, search_text


def refresh_people(ids: Iterable[int]) -> None:
    """Recompute the primary organisation and the search line of these people."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    affiliations = defaultdict(list)
    rows = (
        Affiliation.select(Affiliation, CustomerOrganisation)
        .join(CustomerOrganisation)
        .where(Affiliation.person.in_(wanted))
        .order_by(Affiliation.is_primary.desc(), Affiliation.id)
    )
    for affiliation in rows:
        affiliations[affiliation.person_id].append(affiliation)
    people = list(Person.select().where(Person.id.in_(wanted)))
    reach = details_for(people)
    for person in people:
        mine = affiliations[person.id]
        emails = [d.value for d in reach[person.id] if d.kind == "email"]
        phones = [d.value for d in reach[person.id] if d.kind == "phone"]
        primary = next((a.organisation_id for a in mine if a.is_primary), None)
        text = search_text(
            [
                person.first_name,
                person.last_name,
                *emails,
                *(form for phone in phones for form in phone_search_forms(phone)),
                person.job_title,
                person.tag_names,
                *(a.organisation.name for a in mine),
            ]
        )
        Person.update(search_text=text, organisation=primary).where(
            Person.id == person.id
        ).execute()


def refresh_organisations(ids: Iterable[int]) -> None:
    """Recompute the search line of these organisations (and of their people's)."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    for organisation in CustomerOrganisation.select().where(CustomerOrganisation.id.in_(wanted)):
        text = search_text(
            [
                organisation.name,
                organisation.industry,
                organisation.city,
                organisation.postcode,
                organisation.region,
            ]
        )
        CustomerOrganisation.update(search_text=text).where(
            CustomerOrganisation.id == organisation.id
        ).execute()
    people = Affiliation.select(Affiliation.person).where(Affiliation.organisation.in_(wanted))
    refresh_people(a.person_id for a in people)


def refresh_contact_dates(people: Iterable[int], organisations: Iterable[int | None]) -> None:
    """Recompute last-contacted and next-planned dates from interactions and follow-ups."""
    person_ids = sorted(set(people))
    if person_ids:
        part = InteractionParticipant
        among = part.person == Person.id
        last = (
            Interaction.select(fn.MAX(Interaction.occurred_at))
            .join(part, on=(part.interaction == Interaction.id))
            .where(among & held() & Interaction.kind.not_in(NOT_CONTACT))
        )
        upcoming = (
            Interaction.select(fn.MIN(Interaction.follow_up_due))
            .join(part, on=(part.interaction == Interaction.id))
            .where(among & _open_follow_up())
        )
        Person.update(last_contacted_at=last, next_planned_on=upcoming).where(
            Person.id.in_(person_ids)
        ).execute()
        planned = (
            Interaction.select(part.person, fn.MIN(Interaction.occurred_at))
            .join(part, on=(part.interaction == Interaction.id))
            .where(part.person.in_(person_ids) & (Interaction.status == "planned"))
            .group_by(part.person)
            .tuples()
        )
        _bring_forward(Person, dict(planned))
    # The people's organisations too: talking to someone there is contact with it.
    theirs = Affiliation.select(Affiliation.organisation).where(Affiliation.person.in_(person_ids))
    organisation_ids = sorted(
        {pk for pk in organisations if pk is not None}
        | ({a.organisation_id for a in theirs} if person_ids else set())
    )
    if organisation_ids:
        mine = about_organisation(CustomerOrganisation.id)
        last = Interaction.select(fn.MAX(Interaction.occurred_at)).where(
            mine & held() & Interaction.kind.not_in(NOT_CONTACT)
        )
        upcoming = Interaction.select(fn.MIN(Interaction.follow_up_due)).where(
            mine & _open_follow_up()
        )
        CustomerOrganisation.update(last_contacted_at=last, next_planned_on=upcoming).where(
            CustomerOrganisation.id.in_(organisation_ids)
        ).execute()
        soonest = {
            pk: Interaction.select(fn.MIN(Interaction.occurred_at))
            .where(about_organisation(pk) & (Interaction.status == "planned"))
            .scalar()
            for pk in organisation_ids
        }
        _bring_forward(CustomerOrganisation, soonest)


def _bring_forward(model: Any, planned: dict[int, Any]) -> None:
    """A planned interaction sooner than every open follow-up is the next planned step."""
    # Two sources of dates, and SQLite's MIN(a, b) is NULL when either is: merged here.
    dates = {pk: _date(when) for pk, when in planned.items() if when is not None}
    if not dates:
        return
    for record in model.select(model.id, model.next_planned_on).where(model.id.in_(list(dates))):
        if record.next_planned_on is None or dates[record.id] < record.next_planned_on:
            model.update(next_planned_on=dates[record.id]).where(model.id == record.id).execute()


def _date(when: Any) -> datetime.date:
    # An aggregate's value comes back as text on SQLite.
    if isinstance(when, str):
        when = datetime.datetime.fromisoformat(when)
    return when.date() if isinstance(when, datetime.datetime) else when


COUNTED = "Counts interactions logged for the organisation and those with any of its people."


def about_organisation(organisation: Any) -> Expression:
    """Interactions logged for ``organisation`` (an id, or a column) or with its people."""
    with_its_people = (
        InteractionParticipant.select(InteractionParticipant.interaction)
        .join(Affiliation, on=(Affiliation.person == InteractionParticipant.person))
        .where(Affiliation.organisation == organisation)
    )
    return (Interaction.organisation == organisation) | Interaction.id.in_(with_its_people)


def _open_follow_up():
    return Interaction.follow_up_due.is_null(False) & Interaction.follow_up_done_at.is_null()


def set_tags(person: Person, names: list[str]) -> str:
    """Link ``person`` to exactly these tags, creating new ones; returns the tags as text.

    Existing tags are matched ignoring case, so "ICT lead" and "ict lead" are one tag.
    """
    known = {t.name.casefold(): t for t in Tag.select().where(Tag.org == person.org_id)}
    chosen = []
    for name in names:
        tag = known.get(name.casefold())
        if tag is None:
            tag = known[name.casefold()] = Tag.create(org=person.org_id, name=name)
        chosen.append(tag)
    keep = [t.id for t in chosen]
    PersonTag.delete().where(
        (PersonTag.person == person.id) & PersonTag.tag.not_in(keep or [0])
    ).execute()
    linked = {
        link.tag_id for link in PersonTag.select(PersonTag.tag).where(PersonTag.person == person.id)
    }
    new = [
        {"org": person.org_id, "person": person.id, "tag": t.id}
        for t in chosen
        if t.id not in linked
    ]
    if new:
        PersonTag.insert_many(new).execute()
    text = ", ".join(t.name for t in chosen)
    Person.update(tag_names=text).where(Person.id == person.id).execute()
    return text
