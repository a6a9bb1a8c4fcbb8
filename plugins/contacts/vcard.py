"""People as vCards (version 3.0), one person or a list of them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import vobject

from .choices import country_name
from .details import Detail, details_for, details_of

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


def cards(people: Iterable[Any], chunk: int = 500) -> str:
    """vCards of ``people``, their addresses read ``chunk`` people at a time."""
    text: list[str] = []
    batch: list[Any] = []
    for person in [*people, None]:
        if person is not None:
            batch.append(person)
        if batch and (person is None or len(batch) >= chunk):
            reach = details_for(batch)
            text += [card(p, reach[p.id]) for p in batch]
            batch = []
    return "".join(text)


def filename(text: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip()).strip("-")
    return (safe or "contacts") + ".vcf"
