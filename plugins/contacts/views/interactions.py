"""Interactions: logged or planned from a page, then held or cancelled; follow-ups done."""

from __future__ import annotations

from typing import Any

from accord import (
    HTTPException,
    Organisation,
    Request,
    Response,
    emit,
    flash,
    form_data,
    get_or_404,
    redirect,
    render,
    save_versioned,
    utcnow,
    wants_fragment,
)
from accord.inputs import integer

from ..derived import refresh_contact_dates
from ..models import CustomerOrganisation, Interaction, InteractionParticipant, Person
from .organisations import organisation_page
from .person_page import colleagues, person_page
from .shared import (
    affiliated_organisations,
    interaction_form,
    model_values,
    organisation_interaction_form,
    organisation_people,
    safe_next,
)


def log(request: Request) -> Response:
    """Log an interaction with a person: the activity block again for htmx, else a redirect."""
    ctx = request.state.ctx
    person = get_or_404(Person, request, request.path_params["pk"])
    data = form_data(request)
    form = interaction_form(request, person, data)
    allowed = {p.id for p in colleagues(person, [pk for pk, _ in affiliated_organisations(person)])}
    chosen = [n for n in (integer(v) for v in data.getlist("participants")) if n is not None]
    others = [pk for pk in dict.fromkeys(chosen) if pk in allowed]
    if not form.is_valid():
        return person_page(
            request, person, log_form=form, participants=others, block="activity", status_code=422
        )
    interaction = _save(request, model_values(Interaction, form), person.id, [person.id, *others])
    message = _saved(interaction, person.full_name)
    if wants_fragment(request):
        person = Person.get_by_id(person.id)  # its dates have moved on
        return person_page(request, person, notice=message, block="activity")
    flash(request, message)
    return redirect(request, ctx.url("contacts:person", pk=person.id) + "#activity")


def log_for_organisation(request: Request) -> Response:
    """Log an interaction with a customer organisation, with the people of it who took part."""
    ctx = request.state.ctx
    organisation = get_or_404(CustomerOrganisation, request, request.path_params["pk"])
    data = form_data(request)
    form = organisation_interaction_form(request, organisation, data)
    allowed = {p.id for p in organisation_people(organisation)}
    chosen = [n for n in (integer(v) for v in data.getlist("participants")) if n is not None]
    people = [pk for pk in dict.fromkeys(chosen) if pk in allowed]
    if not form.is_valid():
        return organisation_page(
            request, organisation, log_form=form, participants=people, status_code=422
        )
    values = {**model_values(Interaction, form), "organisation": organisation.id}
    # Logged for the first who took part, so it shows as theirs in the lists that name one.
    interaction = _save(request, values, people[0] if people else None, people)
    flash(request, _saved(interaction, organisation.name))
    return redirect(request, ctx.url("contacts:organisation", pk=organisation.id) + "#activity")


def _save(
    request: Request, values: dict[str, Any], person_id: int | None, people: list[int]
) -> Interaction:
    ctx = request.state.ctx
    if values["follow_up_due"] and not values["follow_up_assignee"]:
        values["follow_up_assignee"] = ctx.user.id  # whoever logs it, unless they say otherwise
    interaction = Interaction.create(org=ctx.org, person=person_id, logged_by=ctx.user, **values)
    InteractionParticipant.insert_many(
        [{"org": ctx.org.id, "interaction": interaction.id, "person": pk} for pk in people]
    ).execute()
    refresh_contact_dates(people, [interaction.organisation_id])
    _announce(ctx.org, interaction, people)
    return interaction


def _announce(org: Organisation, interaction: Interaction, people: list[int]) -> None:
    # "logged" means it took place: listeners count it as contact. A plan is announced apart.
    event = "contacts.interaction.logged" if interaction.held else "contacts.interaction.planned"
    emit(
        org,
        event,
        {
            "interaction_id": interaction.id,
            "kind": interaction.kind,
            "person_ids": people,
            "organisation_id": interaction.organisation_id,
            "occurred_at": interaction.occurred_at.isoformat(),
            "follow_up_due": due.isoformat() if (due := interaction.follow_up_due) else None,
        },
    )


def _saved(interaction: Interaction, name: str) -> str:
    if interaction.planned:
        return f"{interaction.kind_label} with {name} is planned."
    return f"{interaction.kind_label} with {name} is logged."


def _participants(interaction: Interaction) -> list[int]:
    rows = InteractionParticipant.select(InteractionParticipant.person).where(
        InteractionParticipant.interaction == interaction.id
    )
    return [p.person_id for p in rows]


def mark_held(request: Request) -> Response:
    """A planned interaction took place: from now on it counts as contact."""
    return _settle(request, "held")


def cancel(request: Request) -> Response:
    return _settle(request, "cancelled")


def _settle(request: Request, status: str) -> Response:
    ctx = request.state.ctx
    interaction = get_or_404(Interaction, request, request.path_params["pk"])
    if not interaction.planned:
        raise HTTPException(409, f"This {interaction.kind_label.lower()} is no longer planned.")
    changes: dict[str, Any] = {"status": status}
    if status == "held" and interaction.occurred_at > utcnow():
        changes["occurred_at"] = utcnow()  # held early: contact was made now, not as planned
    save_versioned(interaction, interaction.version, changes)
    interaction = Interaction.get_by_id(interaction.id)
    people = _participants(interaction)
    refresh_contact_dates(people, [interaction.organisation_id])
    if status == "held":
        _announce(ctx.org, interaction, people)
    word = "held" if status == "held" else "cancelled"
    flash(request, f"{interaction.kind_label} on {interaction.occurred_at:%Y-%m-%d} is {word}.")
    fallback = (
        ctx.url("contacts:person", pk=interaction.person_id)
        if interaction.person_id
        else ctx.url("contacts:organisation", pk=interaction.organisation_id)
    )
    return redirect(request, safe_next(request, fallback))


def follow_up_done(request: Request) -> Response:
    """Mark a follow-up done: the follow-up's new state for htmx, else back where it was."""
    ctx = request.state.ctx
    interaction = get_or_404(Interaction, request, request.path_params["pk"])
    if interaction.follow_up_open:
        save_versioned(
            interaction,
            interaction.version,
            {"follow_up_done_at": utcnow(), "follow_up_done_by": ctx.user.id},
        )
        refresh_contact_dates(_participants(interaction), [interaction.organisation_id])
        emit(ctx.org, "contacts.follow_up.done", {"interaction_id": interaction.id})
    if wants_fragment(request):
        return render(request, "contacts/_follow_up_state.html", {"i": interaction})
    flash(request, f"Follow-up “{interaction.follow_up_action}” is done.")
    fallback = (
        ctx.url("contacts:person", pk=interaction.person_id)
        if interaction.person_id
        else ctx.url("contacts:follow_ups")
    )
    return redirect(request, safe_next(request, fallback))
