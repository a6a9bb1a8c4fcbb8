"""Reporters are contacts: finding one while logging, or adding one there and then.

Everything incidents needs from the contacts plugin's data goes through this
module, which uses only its ``Person`` and ``CustomerOrganisation`` models.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from peewee import JOIN

from accord import Organisation
from accord.plugins.contacts.models import CustomerOrganisation, Person

MAX_RESULTS = 8
MAX_TERMS = 6
DEFAULT_REGION = "GB"


def find(org: Organisation, query: str, limit: int = MAX_RESULTS) -> list[Person]:
    """Active people of ``org`` whose name, email, phone or organisation contain every term."""
    terms = " ".join(query.split()).casefold().split()[:MAX_TERMS]
    if not terms:
        return []
    matches = reduce(operator.and_, [Person.search_text.contains(term) for term in terms])
    return list(
        Person.in_org(org)
        .select_extend(CustomerOrganisation.id, CustomerOrganisation.name)
        .join(
            CustomerOrganisation,
            JOIN.LEFT_OUTER,
            on=(Person.organisation == CustomerOrganisation.id),
        )
        .where(matches & (Person.status == "active"))
        .order_by(Person.last_name, Person.first_name, Person.id)
        .limit(limit)
    )


def describe(person: Person) -> str:
    """Name, organisation and email: enough to tell two Ana Limas apart."""
    organisation = person.__rel__.get("organisation")
    parts = [person.full_name]
    if organisation is not None:
        parts.append(str(organisation.name))
    elif person.organisation_id:
        other = CustomerOrganisation.get_or_none(CustomerOrganisation.id == person.organisation_id)
        if other is not None:
            parts.append(str(other.name))
    if person.email:
        parts.append(str(person.email))
    return " · ".join(parts)


class InvalidDetail(ValueError):
    """An email address or phone number that cannot be a contact's; the message says why."""


def normal_email(text: str) -> str:
    try:
        return str(validate_email(text.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise InvalidDetail(str(exc)) from None


def normal_phone(text: str, region: str = DEFAULT_REGION) -> str:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidDetail("Enter a phone number with its area code, like 020 7946 0958.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def create(org: Organisation, details: dict[str, Any]) -> Person:
    """A new person in contacts, from the few details taken on the phone.

    Email and phone are stored normalised, as contacts stores them, and the
    search line is filled so contacts' own lists find the person at once.
    """
    email = normal_email(details["email"]) if details.get("email") else None
    phone = normal_phone(details["phone"]) if details.get("phone") else None
    words = [details["first_name"], details["last_name"], email or "", phone or ""]
    search = " ".join(" ".join(str(w).split()) for w in words if w).casefold()[:1000]
    return Person.create(
        org=org,
        first_name=details["first_name"],
        last_name=details["last_name"],
        email=email,
        phone=phone,
        search_text=search,
    )
