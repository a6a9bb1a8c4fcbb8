"""A person's organisations: adding one with a role, choosing the main one, removing one."""

from __future__ import annotations

from accord import (
    HTTPException,
    Request,
    Response,
    confirm_page,
    flash,
    form_data,
    get_or_404,
    redirect,
)

from ..derived import refresh_contact_dates, refresh_people
from ..models import Affiliation, CustomerOrganisation, Person
from .person_page import person_page
from .shared import affiliation_form


def _person_and_affiliation(request: Request) -> tuple[Person, Affiliation]:
    person = get_or_404(Person, request, request.path_params["pk"])
    affiliation = get_or_404(Affiliation, request, request.path_params["aid"])
    if affiliation.person_id != person.id:
        raise HTTPException(404)
    return person, affiliation


def add(request: Request) -> Response:
    ctx = request.state.ctx
    person = get_or_404(Person, request, request.path_params["pk"])
    form = affiliation_form(request, person, form_data(request))
    if form.is_valid():
        already = Affiliation.select().where(
            (Affiliation.person == person.id)
            & (Affiliation.organisation == form.cleaned["organisation"])
        )
        if already.exists():
            form.add_error("organisation", f"{person.full_name} is already with it.")
    if not form.is_valid():
        return person_page(request, person, affiliation=form, status_code=422)
    organisation = CustomerOrganisation.get_in_org(ctx.org, form.cleaned["organisation"])
    first = not Affiliation.select().where(Affiliation.person == person.id).exists()
    primary = first or form.cleaned["is_primary"]
    if primary:
        Affiliation.update(is_primary=False).where(Affiliation.person == person.id).execute()
    Affiliation.create(
        org=ctx.org,
        person=person,
        organisation=organisation,
        role=form.cleaned["role"] or "",
        is_primary=primary,
    )
    refresh_people([person.id])
    refresh_contact_dates([], [organisation.id])  # their interactions now count for it
    flash(request, f"{person.full_name} is now with {organisation.name}.")
    return redirect(request, ctx.url("contacts:person", pk=person.id))


def make_primary(request: Request) -> Response:
    ctx = request.state.ctx
    person, affiliation = _person_and_affiliation(request)
    Affiliation.update(is_primary=False).where(Affiliation.person == person.id).execute()
    Affiliation.update(is_primary=True).where(Affiliation.id == affiliation.id).execute()
    refresh_people([person.id])
    flash(
        request, f"{affiliation.organisation.name} is now {person.full_name}’s main organisation."
    )
    return redirect(request, ctx.url("contacts:person", pk=person.id))


def remove(request: Request) -> Response:
    ctx = request.state.ctx
    person, affiliation = _person_and_affiliation(request)
    back = ctx.url("contacts:person", pk=person.id)
    name = affiliation.organisation.name
    if request.method == "GET":
        return confirm_page(
            request,
            f"Remove {person.full_name} from {name}?",
            f"{person.full_name} will no longer be listed among {name}’s people. "
            "Their interactions with it stay on both timelines.",
            ctx.url("contacts:affiliation_remove", pk=person.id, aid=affiliation.id),
            "Remove",
            cancel_url=back,
        )
    affiliation.delete_instance()
    if affiliation.is_primary:
        successor = (
            Affiliation.select()
            .where(Affiliation.person == person.id)
            .order_by(Affiliation.id)
            .first()
        )
        if successor is not None:
            Affiliation.update(is_primary=True).where(Affiliation.id == successor.id).execute()
    refresh_people([person.id])
    refresh_contact_dates([], [affiliation.organisation_id])
    flash(request, f"{person.full_name} is no longer with {name}.")
    return redirect(request, back)
