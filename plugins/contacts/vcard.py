"""People as vCards (version 3.0), one person or a list of them.

A list is streamed (``pages``): people are read a page at a time in keyset
order, and each page's cards are sent before the next page is read, so a
200,000-person export holds one page in memory, never the whole file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import vobject

from accord import database

from .choices import country_name
from .details import Detail, details_for, details_of
from .models import Person

# vCard 3.0 TEL types for our labels; an email's type says only that it is on the internet.
TEL_TYPES = {"work": "WORK", "mobile": "CELL", "home": "HOME", "other": "VOICE"}


def card(person: Any, reach: list[Detail] | None = None) -> str:
    """One vCard for ``person``: name, every email and phone (the primary first, PREF among
    several), job title, organisation, town and tags."""
    v = vobject.vCard()
    v.add("n").value = vobject.vcard.Name(family=person.last_name, given=person.first_name)
    v.add("fn").value = person.full_name
    reach = details_of(person) if reach is None else reach
    for detail in reach:
        several = sum(1 for d in reach if d.kind == detail.kind) > 1
        preferred = ["PREF"] if detail.primary and several else []
        if detail.kind == "email":
            line = v.add("email")
            line.type_paramlist = ["INTERNET", *preferred]
        else:
            line = v.add("tel")
            line.type_paramlist = [TEL_TYPES.get(detail.label, "VOICE"), *preferred]
        line.value = detail.value
    if person.job_title:
        v.add("title").value = person.job_title
    if person.organisation_id:
        v.add("org").value = [person.organisation.name]
    if person.city or person.country:
        adr = v.add("adr")
        adr.value = vobject.vcard.Address(
            street=person.address or "",
            city=person.city or "",
            region=person.region or "",
            code=person.postcode or "",
            country=country_name(person.country) if person.country else "",
        )
        adr.type_param = "WORK"
    if person.tag_list:
        v.add("categories").value = person.tag_list
    v.add("uid").value = f"accord-person-{person.org_id}-{person.id}"
    return str(v.serialize())


# People per page: their cards, details and organisations are one page's worth of memory.
PAGE = 400
ORDER = (Person.last_name, Person.first_name, Person.id)


def pages(query: Any, size: int | None = None) -> Iterator[str]:
    """The cards of everyone ``query`` finds, by last name, first name and id, a page at a time.

    ``query`` must select each person's organisation with them (``tables.people_query``
    does), and every page reads its people's addresses and numbers in one more query.
    Starlette pulls a streamed body after the view has returned and its connection is
    closed, so each page opens its own connection and closes it before yielding, as
    the CSV export does.
    """
    size = size or PAGE
    after: tuple[str, str, int] | None = None
    while True:
        with database.connection_context():
            page = query if after is None else query.where(_beyond(after))
            people = list(page.order_by(*ORDER).limit(size + 1))
            more = len(people) > size
            people = people[:size]
            reach = details_for(people)
            text = "".join(card(person, reach[person.id]) for person in people)
        if text:
            yield text
        if not more:
            return
        last = people[-1]
        after = (last.last_name, last.first_name, last.id)


def _beyond(after: tuple[str, str, int]) -> Any:
    """People after ``after`` in ``ORDER``. The redundant bound on the last name alone lets
    both databases seek the (org, status, last_name, id) index to the page instead of
    reading the list from its start."""
    last_name, first_name, pk = after
    later = (Person.last_name > last_name) | (
        (Person.last_name == last_name)
        & (
            (Person.first_name > first_name)
            | ((Person.first_name == first_name) & (Person.id > pk))
        )
    )
    return (Person.last_name >= last_name) & later


def filename(text: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip()).strip("-")
    return (safe or "contacts") + ".vcf"
