"""What several pages need: their forms with the organisation's choices, and safe redirects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peewee import CharField, TextField

from accord import Form, Request, TenantModel, form_data, utcnow
from accord.inputs import integer

from .. import lookups
from ..details import details_of
from ..forms import AffiliationForm, InteractionForm, NewPersonForm, OrganisationForm, PersonForm
from ..models import Affiliation, CustomerOrganisation, Person, published


def person_form(
    request: Request, data: Mapping[str, Any] | None = None, *, person: Person | None = None
) -> PersonForm:
    """The person form with this organisation's staff to choose from."""
    org = request.state.ctx.org
    if person is not None and data is None:
        form: PersonForm = PersonForm.from_instance(person)
        form.show_details(details_of(person))
    elif person is not None:
        form = PersonForm(data)
    elif data is None:
        # "Add a person" from an organisation's page starts with that organisation.
        start = request.query_params.get("organisation", "")
        named = None
        if integer(start) is not None:
            named = (
                CustomerOrganisation.in_org(org)
                .where(CustomerOrganisation.id == integer(start))
                .first()
            )
        initial = {
            "owner": request.state.ctx.user.id,
            "country": lookups.region(request),
            "organisation": named.name if named else "",
        }
        form = NewPersonForm(initial=initial)
    else:
        form = NewPersonForm(data)
    form.org = org
    form.fields["owner"].choices = lookups.staff(org)
    form.region = lookups.region(request)
    return form


def organisation_form(
    request: Request,
    data: Mapping[str, Any] | None = None,
    *,
    organisation: CustomerOrganisation | None = None,
) -> OrganisationForm:
    org = request.state.ctx.org
    if data is not None:
        form = OrganisationForm(data)
    elif organisation is not None:
        form = OrganisationForm.from_instance(organisation)  # the parent shown by name
    else:
        initial = {"account_owner": request.state.ctx.user.id, "country": lookups.region(request)}
        form = OrganisationForm(initial=initial)
    form.org = org
    form.fields["account_owner"].choices = lookups.staff(org)
    return form


def interaction_form(
    request: Request, person: Person, data: Mapping[str, Any] | None = None
) -> InteractionForm:
    """The form that logs an interaction with ``person``, for one of their organisations."""
    user = request.state.ctx.user
    if data is None:
        initial = {
            "occurred_at": utcnow().replace(second=0, microsecond=0),
            "organisation": person.organisation_id,
            "follow_up_assignee": user.id,
        }
        form = InteractionForm(initial=initial, prefix="log-", zone=request.state.ctx.org.zone)
    else:
        form = InteractionForm(data, prefix="log-", zone=request.state.ctx.org.zone)
    form.fields["organisation"].choices = affiliated_organisations(person)
    form.fields["follow_up_assignee"].choices = lookups.staff(request.state.ctx.org)
    return form


def organisation_interaction_form(
    request: Request, organisation: CustomerOrganisation, data: Mapping[str, Any] | None = None
) -> InteractionForm:
    """The form that logs an interaction with ``organisation`` (already chosen)."""
    ctx = request.state.ctx
    if data is None:
        initial = {
            "occurred_at": utcnow().replace(second=0, microsecond=0),
            "organisation": organisation.id,
            "follow_up_assignee": ctx.user.id,
        }
        form = InteractionForm(initial=initial, prefix="log-", zone=ctx.org.zone)
    else:
        form = InteractionForm(data, prefix="log-", zone=ctx.org.zone)
    form.fields["organisation"].choices = [(organisation.id, organisation.name)]
    form.fields["follow_up_assignee"].choices = lookups.staff(ctx.org)
    return form


BATCHES = 3  # of person ids read to find enough active people among archived ones


def first_affiliations(organisation_id: int, limit: int) -> list[Affiliation]:
    """Up to ``limit`` affiliations of active people with a customer organisation, with the person.

    Taken in the (organisation, person) index's order, then the people by their
    ids (no join a planner could turn into a walk over every person), so the
    cost is the same for an organisation of ten people or of 100,000; callers
    sort the few they get by name. Archived people are skipped a batch at a time.
    """
    found: list[Affiliation] = []
    after = 0
    for _ in range(BATCHES):
        batch = list(
            Affiliation.select()
            .where((Affiliation.organisation == organisation_id) & (Affiliation.person > after))
            .order_by(Affiliation.organisation, Affiliation.person)
            .limit(limit)
        )
        if not batch:
            break
        people = {
            p.id: p
            for p in Person.select().where(
                Person.id.in_([a.person_id for a in batch])
                & (Person.status == "active")
                & published(Person)
            )
        }
        for affiliation in batch:
            if affiliation.person_id in people:
                affiliation.person = people[affiliation.person_id]
                found.append(affiliation)
        if len(found) >= limit or len(batch) < limit:
            break
        after = batch[-1].person_id
    return found[:limit]


def first_people(organisation_id: int, limit: int) -> list[Person]:
    """The people of ``first_affiliations``."""
    return [a.person for a in first_affiliations(organisation_id, limit)]


def organisation_people(organisation: CustomerOrganisation, limit: int = 200) -> list[Person]:
    """Some of the organisation's active people, by name: who may have taken part.

    All of them when there are at most ``limit``; otherwise ``limit`` of them (see
    ``first_people``), since a picker of 100,000 names helps nobody.
    """
    found = first_people(organisation.id, limit)
    return sorted(found, key=lambda p: (p.last_name, p.first_name, p.id))


def affiliation_form(
    request: Request, person: Person, data: Mapping[str, Any] | None = None
) -> AffiliationForm:
    form = AffiliationForm(data, prefix="aff-")
    form.org = request.state.ctx.org
    return form


def affiliated_organisations(person: Person) -> list[tuple[int, str]]:
    rows = (
        Affiliation.select(Affiliation, CustomerOrganisation.id, CustomerOrganisation.name)
        .join(CustomerOrganisation)
        .where(Affiliation.person == person.id)
        .order_by(Affiliation.is_primary.desc(), CustomerOrganisation.name)
    )
    return [(a.organisation.id, a.organisation.name) for a in rows]


def model_values(model: type[TenantModel], form: Form) -> dict[str, Any]:
    """The form's cleaned values that are columns of ``model``; blank text stays ``""``."""
    fields = model._meta.fields
    values = {}
    for name, value in form.cleaned.items():
        field = fields.get(name)
        if field is None:
            continue
        if isinstance(value, list):  # tags
            value = ", ".join(value)
        if value is None and isinstance(field, CharField | TextField) and not field.null:
            value = ""
        values[name] = value
    return values


def safe_next(request: Request, fallback: str) -> str:
    """The ``next`` field of a form when it is a page of this organisation, else ``fallback``."""
    target = str(form_data(request).get("next") or request.query_params.get("next") or "")
    prefix = f"/o/{request.state.ctx.org.slug}/"
    if target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return fallback
