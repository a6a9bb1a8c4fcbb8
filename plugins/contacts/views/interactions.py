"""Interactions: logging one from a person's page, and marking its follow-up done."""

from __future__ import annotations

from accord import (
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

from ..derived import refresh_contact_dates
from ..models import Interaction, InteractionParticipant, Person
from .person_page import colleagues, person_page
from .shared import affiliated_organisations, interaction_form, model_values, safe_next


def log(request: Request) -> Response:
    """Log an interaction with a person: the activity block again for htmx, else a redirect."""
    ctx = request.state.ctx
    person = get_or_404(Person, request, request.path_params["pk"])
    data = form_data(request)
    form = interaction_form(request, person, data)
    allowed = {p.id for p in colleagues(person, [pk for pk, _ in affiliated_organisations(person)])}
    chosen = [int(v) for v in data.getlist("participants") if str(v).isdigit()]
    others = [pk for pk in dict.fromkeys(chosen) if pk in allowed]
    if not form.is_valid():
        return person_page(
            request, person, log_form=form, participants=others, block="activity", status_code=422
        )
    values = model_values(Interaction, form)
    if values["follow_up_due"] and not values["follow_up_assignee"]:
        values["follow_up_assignee"] = ctx.user.id  # whoever logs it, unless they say otherwise
    interaction = Interaction.create(org=ctx.org, person=person, logged_by=ctx.user, **values)
    InteractionParticipant.insert_many(
        [
            {"org": ctx.org.id, "interaction": interaction.id, "person": pk}
            for pk in [person.id, *others]
        ]
    ).execute()
    refresh_contact_dates([person.id, *others], [interaction.organisation_id])
    emit(
        ctx.org,
        "contacts.interaction.logged",
        {
            "interaction_id": interaction.id,
            "kind": interaction.kind,
            "person_ids": [person.id, *others],
            "organisation_id": interaction.organisation_id,
            "occurred_at": interaction.occurred_at.isoformat(),
            "follow_up_due": due.isoformat() if (due := interaction.follow_up_due) else None,
        },
    )
    message = f"{interaction.kind_label} with {person.full_name} is logged."
    if wants_fragment(request):
        person = Person.get_by_id(person.id)  # its dates have moved on
        return person_page(request, person, notice=message, block="activity")
    flash(request, message)
    return redirect(request, ctx.url("contacts:person", pk=person.id) + "#activity")


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
        people = InteractionParticipant.select(InteractionParticipant.person).where(
            InteractionParticipant.interaction == interaction.id
        )
        refresh_contact_dates([p.person_id for p in people], [interaction.organisation_id])
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
