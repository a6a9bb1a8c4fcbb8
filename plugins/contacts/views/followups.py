"""Follow-ups: the open ones assigned to me, and every overdue one."""

from __future__ import annotations

import datetime
from typing import Any

from peewee import JOIN

from accord import Column, Filter, Request, Response, Table, User, render_table, utcnow

from ..models import CustomerOrganisation, Interaction, Person
from ..tables import organisation_name, owner_is, staff_choices, user_name

TEMPLATE = "contacts/follow_ups.html"
Assignee = User.alias("assignee")
DUE = [("overdue", "Overdue"), ("today", "Due today"), ("week", "Due in the next 7 days")]


def mine(request: Request) -> Response:
    ctx = request.state.ctx
    query = follow_ups_query(ctx.org).where(Interaction.follow_up_assignee == ctx.user.id)
    context = {"title": "My follow-ups", "tab": "mine", "today": utcnow().date()}
    return render_table(request, MY_FOLLOW_UPS, query, template=TEMPLATE, context=context)


def overdue(request: Request) -> Response:
    ctx = request.state.ctx
    query = follow_ups_query(ctx.org).where(Interaction.follow_up_due < utcnow().date())
    context = {"title": "Overdue follow-ups", "tab": "overdue", "today": utcnow().date()}
    return render_table(request, OVERDUE_FOLLOW_UPS, query, template=TEMPLATE, context=context)


def _due(value: str) -> Any:
    today = utcnow().date()
    if value == "overdue":
        return Interaction.follow_up_due < today
    if value == "today":
        return Interaction.follow_up_due == today
    return Interaction.follow_up_due.between(today, today + datetime.timedelta(days=7))


def _link_follow_up(url: Any, interaction: Interaction) -> str:
    if interaction.person_id:
        return url("contacts:person", pk=interaction.person_id)
    return url("contacts:organisation", pk=interaction.organisation_id)


def _follow_up_columns(*, assignee: bool) -> list[Column]:
    columns = [
        Column("Due", "follow_up_due", sortable=True, template="contacts/_cell_due.html"),
        Column("Follow-up", "follow_up_action", link=_link_follow_up),
        Column("Person", accessor=lambda i: i.person.full_name if i.__rel__.get("person") else ""),
        Column("Organisation", accessor=organisation_name),
        Column("From", accessor=lambda i: f"{i.kind_label}, {i.occurred_at:%Y-%m-%d}"),
    ]
    if assignee:
        columns.append(Column("Assigned to", accessor=user_name("follow_up_assignee")))
    columns.append(
        Column(
            "",
            accessor=lambda i: i.follow_up_done_at,
            template="contacts/_cell_done.html",
            export=False,
        )
    )
    return columns


MY_FOLLOW_UPS = Table(
    Interaction,
    _follow_up_columns(assignee=False),
    filters=[Filter("due", "Due", DUE, where=_due)],
    sort="follow_up_due",
    filename="my-follow-ups",
    empty_message=(
        "Nothing to follow up. Follow-ups given to you when interactions are logged appear here."
    ),
    id="my-follow-ups",
)

OVERDUE_FOLLOW_UPS = Table(
    Interaction,
    _follow_up_columns(assignee=True),
    filters=[
        Filter(
            "assignee", "Assigned to", staff_choices, where=owner_is(Interaction.follow_up_assignee)
        )
    ],
    sort="follow_up_due",
    filename="overdue-follow-ups",
    empty_message="No follow-up is overdue.",
    id="overdue-follow-ups",
)


def follow_ups_query(org: Any) -> Any:
    """Open follow-ups of ``org`` with their person, organisation and assignee."""
    return (
        Interaction.in_org(org)
        .select_extend(
            Person.id,
            Person.first_name,
            Person.last_name,
            CustomerOrganisation.id,
            CustomerOrganisation.name,
            Assignee.id,
            Assignee.name,
        )
        .join_from(Interaction, Person, JOIN.LEFT_OUTER, on=(Interaction.person == Person.id))
        .join_from(
            Interaction,
            CustomerOrganisation,
            JOIN.LEFT_OUTER,
            on=(Interaction.organisation == CustomerOrganisation.id),
        )
        .join_from(
            Interaction,
            Assignee,
            JOIN.LEFT_OUTER,
            on=(Interaction.follow_up_assignee == Assignee.id),
        )
        .where(Interaction.follow_up_due.is_null(False) & Interaction.follow_up_done_at.is_null())
    )
