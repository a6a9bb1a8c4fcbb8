"""Factories for tests of contacts and of plugins that build on it.

    from accord.plugins.contacts.testing import make_person, log_interaction

    ana = make_person(org, "Ana", "Lima", email="ana@example.org")

They write rows as the pages do (normalised details, derived columns kept
in step) without going through HTTP.
"""

from __future__ import annotations

import datetime
from typing import Any

from accord import Organisation, utcnow

from . import normalise
from .derived import refresh_contact_dates, refresh_organisations, refresh_people, set_tags
from .details import Detail, set_details
from .models import Affiliation, CustomerOrganisation, Interaction, InteractionParticipant, Person


def make_organisation(org: Organisation, name: str = "Riverside Academy", **fields: Any) -> Any:
    fields.setdefault("kind", "school")
    organisation = CustomerOrganisation.create(org=org, name=name, **fields)
    refresh_organisations([organisation.id])
    return CustomerOrganisation.get_by_id(organisation.id)


def make_person(
    org: Organisation,
    first_name: str = "Ana",
    last_name: str = "Lima",
    *,
    organisation: Any = None,
    role: str = "",
    tags: str = "",
    other_emails: tuple[str, ...] = (),
    other_phones: tuple[str, ...] = (),
    **fields: Any,
) -> Any:
    """A person of ``org``; ``email`` and ``phone`` (the primaries) and ``other_emails`` and
    ``other_phones`` are normalised as the form would."""
    if fields.get("email"):
        fields["email"] = normalise.email(fields["email"])
    if fields.get("phone"):
        fields["phone"] = normalise.phone(fields["phone"])
    person = Person.create(org=org, first_name=first_name, last_name=last_name, **fields)
    reach = [Detail(k, fields[k], primary=True) for k in ("email", "phone") if fields.get(k)]
    reach += [Detail("email", normalise.email(e), "other") for e in other_emails]
    reach += [Detail("phone", normalise.phone(p), "mobile") for p in other_phones]
    set_details(person, reach)
    if organisation is not None:
        Affiliation.create(
            org=org, person=person, organisation=organisation, role=role, is_primary=True
        )
    set_tags(person, normalise.tags(tags))
    refresh_people([person.id])
    return Person.get_by_id(person.id)


def log_interaction(
    person: Any,
    *,
    kind: str = "call",
    occurred_at: datetime.datetime | None = None,
    summary: str = "Called about the printer.",
    others: tuple[Any, ...] = (),
    **fields: Any,
) -> Any:
    """An interaction with ``person`` (and ``others``), its dates on the people updated."""
    fields.setdefault("direction", "" if kind == "note" else "inbound")
    fields.setdefault("organisation", person.organisation_id)
    interaction = Interaction.create(
        org=person.org_id,
        person=person.id,
        kind=kind,
        occurred_at=occurred_at or utcnow(),
        summary=summary,
        **fields,
    )
    people = [person.id, *(p.id for p in others)]
    InteractionParticipant.insert_many(
        [{"org": person.org_id, "interaction": interaction.id, "person": pk} for pk in people]
    ).execute()
    refresh_contact_dates(people, [interaction.organisation_id])
    return Interaction.get_by_id(interaction.id)
