"""People as vCards (version 3.0), one person or a list of them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import vobject

from .choices import country_name


def card(person: Any) -> str:
    """One vCard for ``person``: name, email, phone, job title, organisation, town and tags."""
    v = vobject.vCard()
    v.add("n").value = vobject.vcard.Name(family=person.last_name, given=person.first_name)
    v.add("fn").value = person.full_name
    if person.email:
        email = v.add("email")
        email.value = person.email
        email.type_param = "INTERNET"
    if person.phone:
        tel = v.add("tel")
        tel.value = person.phone
        tel.type_param = "WORK"
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


def cards(people: Iterable[Any]) -> str:
    return "".join(card(p) for p in people)


def filename(text: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip()).strip("-")
    return (safe or "contacts") + ".vcf"
