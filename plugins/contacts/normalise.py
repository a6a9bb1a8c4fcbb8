"""Contact details in one canonical form: email addresses, phone numbers, tags, search text."""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_REGION = "GB"
MAX_TAGS = 20
MAX_TAG_LENGTH = 50


class InvalidValue(ValueError):
    """The text is not a valid value; the message says why, for the person who typed it."""


def email(text: str) -> str:
    """``text`` as a normalised address (domain lower-cased, Unicode NFC), or ``InvalidValue``.

    Deliverability is not checked: that needs the network, and an address of
    a customer is recorded as given.
    """
    try:
        return str(validate_email(text.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise InvalidValue(str(exc)) from None


def phone(text: str, region: str = DEFAULT_REGION) -> str:
    """``text`` as an E.164 number (``+442079460958``), or ``InvalidValue``.

    A number without a country code is read as a number of ``region``.
    """
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidValue(
            "Enter a phone number with its area code, like 020 7946 0958, "
            "or with its country code, like +353 1 234 5678."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str | None) -> str:
    """An E.164 number as people write it: ``+44 20 7946 0958``."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_search_forms(e164: str | None) -> list[str]:
    """Every way someone may type the number in a search: E.164 and national digits."""
    if not e164:
        return []
    forms = [e164]
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return forms
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    forms.append(re.sub(r"\D", "", national))
    return forms


def tags(text: str) -> list[str]:
    """Comma-separated tag names, tidied, no repeats (ignoring case); or ``InvalidValue``."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        name = " ".join(part.split())
        if not name:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise InvalidValue(f"Keep each tag to {MAX_TAG_LENGTH} characters (“{name[:20]}…”).")
        seen.setdefault(name.casefold(), name)
    if len(seen) > MAX_TAGS:
        raise InvalidValue(f"Use at most {MAX_TAGS} tags.")
    return list(seen.values())


PHONE_GROUP = re.compile(r"^\+?\(?\d[\d()./-]*$")


def search_query(text: str) -> str:
    """``text`` with a phone number typed in groups joined into one term.

    "0113 496 0123" and "(0113) 496-0123" both become "01134960123", which
    the search line holds, rather than three terms that each match thousands
    of people sharing an area code.
    """
    terms: list[str] = []
    joining = False
    for term in text.split():
        group = bool(PHONE_GROUP.match(term))
        digits = re.sub(r"[^\d+]", "", term) if group else term
        if group and joining:
            terms[-1] += digits
        else:
            terms.append(digits)
        joining = group
    return " ".join(terms)


def search_text(parts: Iterable[str | None]) -> str:
    """One lower-case line of everything a list search should find a record by."""
    words = " ".join(" ".join(str(p).split()) for p in parts if p)
    return words.casefold()[:1000]
