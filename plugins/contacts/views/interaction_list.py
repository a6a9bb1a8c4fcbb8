"""The interactions held: the list a customers report's channel or staff bar links to."""

from __future__ import annotations

from peewee import JOIN

from accord import Column, DateRange, Filter, Request, Response, Table, User, render_table

from ..choices import INTERACTION_KINDS
from ..models import CustomerOrganisation, Interaction, Person, held
from ..tables import owner_is, staff_choices

LoggedBy = User.alias("logged_by")


def _person(row: Interaction) -> str:
    person = row.__rel__.get("person")
    return person.full_name if person is not None and person.id else ""


def _name(row: Interaction, attr: str) -> str:
    related = row.__rel__.get(attr)
    return str(related.name or "") if related is not None and related.id else ""


def _person_link(url, row: Interaction) -> str | None:
    return url("contacts:person", pk=row.person_id) if row.person_id else None


INTERACTIONS = Table(
    Interaction,
    [
        Column("When", "occurred_at", sortable=True),
        Column("Channel", "kind", accessor=lambda i: i.kind_label),
        Column("With", accessor=_person, link=_person_link),
        Column("Organisation", accessor=lambda i: _name(i, "organisation"), secondary=True),
        Column("Summary", "summary", secondary=True),
        Column("Logged by", accessor=lambda i: _name(i, "logged_by"), secondary=True),
    ],
    search=["summary", "outcome"],
    search_label="Words in summaries",
    filters=[
        Filter("kind", "Channel", list(INTERACTION_KINDS.items())),
        Filter("logged_by", "Logged by", staff_choices, where=owner_is(Interaction.logged_by)),
        DateRange("held", "Held", "occurred_at"),
    ],
    sort="-occurred_at",
    filename="interactions",
    empty_message="No interactions held yet.",
    id="interactions",
)


def interaction_list(request: Request) -> Response:
    org = request.state.ctx.org
    query = (
        Interaction.in_org(org)
        .where(held())
        .select_extend(Person.id, Person.first_name, Person.last_name)
        .select_extend(CustomerOrganisation.id, CustomerOrganisation.name)
        .select_extend(LoggedBy.id, LoggedBy.name)
        .join_from(Interaction, Person, JOIN.LEFT_OUTER, on=(Interaction.person == Person.id))
        .join_from(
            Interaction,
            CustomerOrganisation,
            JOIN.LEFT_OUTER,
            on=(Interaction.organisation == CustomerOrganisation.id),
        )
        .join_from(
            Interaction, LoggedBy, JOIN.LEFT_OUTER, on=(Interaction.logged_by == LoggedBy.id)
        )
    )
    context = {"title": "Interactions", "intro": "Calls, meetings, emails and visits held."}
    return render_table(request, INTERACTIONS, query, context=context)
