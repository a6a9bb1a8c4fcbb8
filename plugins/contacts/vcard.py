"""People as vCards (version 3.0), one person or a list of them.

A list is streamed (``pages``): people are read a page at a time in keyset
order, and each page's cards are sent before the next page is read, so a
200,000-person export holds one page in memory, never the whole file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from accord import streamed

from .choices import country_name
from .details import Detail, details_for, details_of
from .models import Person

# vCard 3.0 TEL types for our labels; an email's type says only that it is on the internet.
TEL_TYPES = {"work": "WORK", "mobile": "CELL", "home": "HOME", "other": "VOICE"}


def card(person: Any, reach: list[Detail] | None = None) -> str:
    """One vCard for ``person``: name, every email and phone (the primary first, PREF among
    several), job title, organisation, town and tags.

    Written by hand, line for line as ``vobject`` writes them (UID first, then the
    properties in alphabetical order): building ``vobject``'s objects took a
    millisecond a card, fifty times what an export of many people can afford.
    """
    reach = details_of(person) if reach is None else reach
    kinds = Counter(detail.kind for detail in reach)
    emails, phones = [], []
    for detail in reach:
        preferred = ",PREF" if detail.primary and kinds[detail.kind] > 1 else ""
        if detail.kind == "email":
            emails.append(f"EMAIL;TYPE=INTERNET{preferred}:{_text(detail.value)}")
        else:
            kind = TEL_TYPES.get(detail.label, "VOICE")
            phones.append(f"TEL;TYPE={kind}{preferred}:{_text(detail.value)}")
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:accord-person-{person.org_id}-{person.id}"]
    if person.city or person.country:
        country = country_name(person.country) if person.country else ""
        parts = ("", "", person.address, person.city, person.region, person.postcode, country)
        lines.append("ADR;TYPE=WORK:" + ";".join(_text(part or "") for part in parts))
    if person.tag_list:
        lines.append("CATEGORIES:" + ",".join(_text(tag) for tag in person.tag_list))
    lines += emails
    lines.append(f"FN:{_text(person.full_name)}")
    lines.append(f"N:{_text(person.last_name)};{_text(person.first_name)};;;")
    if person.organisation_id:
        lines.append(f"ORG:{_text(person.organisation.name)}")
    lines += phones
    if person.job_title:
        lines.append(f"TITLE:{_text(person.job_title)}")
    lines.append("END:VCARD")
    return "".join(_folded(line) for line in lines)


def _text(value: str) -> str:
    """A text value escaped as vCard 3.0 (RFC 2426 section 4) wants it."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _folded(line: str) -> str:
    """``line`` ended with CRLF, folded into lines of at most 75 octets (RFC 2425 section 5.8.1)
    without splitting a character; shorter lines (counted in characters) are left whole, as
    ``vobject`` leaves them."""
    if len(line) < FOLD_AT:
        return line + "\r\n"
    out, octets = [], 0
    for char in line:
        size = len(char.encode())
        if octets + size > FOLD_AT:
            out.append("\r\n ")
            octets = 1
        out.append(char)
        octets += size
    return "".join(out) + "\r\n"


FOLD_AT = 75


# People per chunk: their cards, details and organisations are one chunk's worth of memory.
PAGE = 400
ORDER = (Person.last_name, Person.first_name, Person.id)


def pages(query: Any, size: int | None = None) -> Iterator[str]:
    """The cards of everyone ``query`` finds, by last name, first name and id, a chunk at a time.

    ``query`` must select each person's organisation with them (``tables.people_query``
    does). The query runs once (``streamed``), whatever the number of chunks, so a
    search is looked up once; each chunk's addresses and numbers take one more query.
    """

    def with_details(people: list[Any]) -> str:
        reach = details_for(people)
        return "".join(card(person, reach[person.id]) for person in people)

    for text in streamed(query.order_by(*ORDER), size or PAGE, then=with_details):
        if text:
            yield text


def filename(text: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip()).strip("-")
    return (safe or "contacts") + ".vcf"
