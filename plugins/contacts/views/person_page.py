"""The page of one person: details, organisations, the log-an-interaction form and the timeline."""

from __future__ import annotations

from typing import Any

from accord import Request, Response, User, render, utcnow

from ..details import details_of
from ..forms import AffiliationForm, InteractionForm
from ..models import Affiliation, CustomerOrganisation, Person
from ..timeline import LIMIT as TIMELINE_LIMIT
from ..timeline import person_timeline
from .shared import affiliation_form, first_people, interaction_form

MAX_COLLEAGUES = 30
MAX_ORGANISATIONS = 5  # whose people are offered as colleagues; most people have one or two


def person_page(
    request: Request,
    person: Person,
    *,
    log_form: InteractionForm | None = None,
    affiliation: AffiliationForm | None = None,
    participants: list[int] | None = None,
    notice: str = "",
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """The person's page; an htmx request for ``block`` gets only that part of it."""
    context = person_context(
        request, person, log_form=log_form, affiliation=affiliation, participants=participants
    )
    context["notice"] = notice
    if block is None and "show" in request.query_params:
        block = "timeline"  # a timeline filter's htmx request: the timeline only
    return render(request, "contacts/person.html", context, block=block, status_code=status_code)


def person_context(
    request: Request,
    person: Person,
    *,
    log_form: InteractionForm | None = None,
    affiliation: AffiliationForm | None = None,
    participants: list[int] | None = None,
) -> dict[str, Any]:
    affiliations = list(
        Affiliation.select(Affiliation, CustomerOrganisation)
        .join(CustomerOrganisation)
        .where(Affiliation.person == person.id)
        .order_by(Affiliation.is_primary.desc(), CustomerOrganisation.name)
    )
    owner = User.get_or_none(User.id == person.owner_id) if person.owner_id else None
    return {
        "title": person.full_name,
        "person": person,
        "owner": owner,
        "reach": details_of(person),
        "affiliations": affiliations,
        "affiliation_form": affiliation or affiliation_form(request, person),
        "log_form": log_form or interaction_form(request, person),
        "colleagues": colleagues(person, [a.organisation_id for a in affiliations]),
        "participants": set(participants or []),
        "timeline": person_timeline(request, person),
        "timeline_limit": TIMELINE_LIMIT,
        "timeline_url": request.state.ctx.url("contacts:person", pk=person.id),
        "today": utcnow().date(),
    }


def colleagues(person: Person, organisation_ids: list[int]) -> list[Person]:
    """Active people sharing an organisation with ``person``: who else may have taken part.

    At most ``MAX_COLLEAGUES``, by name. An organisation may have 100,000 people:
    each is read in its (organisation, person) index order up to the limit, so
    the page never sorts them all; a big organisation shows some of its people.
    """
    found: dict[int, Person] = {}
    for organisation_id in organisation_ids[:MAX_ORGANISATIONS]:
        found.update(
            (p.id, p)
            for p in first_people(organisation_id, MAX_COLLEAGUES + 1)
            if p.id != person.id
        )
    named = sorted(found.values(), key=lambda p: (p.last_name, p.first_name, p.id))
    return named[:MAX_COLLEAGUES]
