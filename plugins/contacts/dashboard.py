"""The contacts card on the dashboard: my overdue follow-ups and the latest interactions."""

from __future__ import annotations

from peewee import JOIN

from accord import RequestContext, Widget, render_to_string, utcnow

from .models import Interaction, Person, held

RECENT = 5


def widget(ctx: RequestContext) -> Widget:
    today = utcnow().date()
    mine = Interaction.in_org(ctx.org).where(
        (Interaction.follow_up_assignee == ctx.user.id)
        & Interaction.follow_up_due.is_null(False)
        & Interaction.follow_up_done_at.is_null()
    )
    recent = (
        Interaction.in_org(ctx.org)
        .select_extend(Person.id, Person.first_name, Person.last_name)
        .join(Person, JOIN.LEFT_OUTER, on=(Interaction.person == Person.id))
        .where(held())  # the latest that took place, not those coming up
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(RECENT)
    )
    html = render_to_string(
        ctx.request,
        "contacts/_widget.html",
        {
            "overdue": mine.where(Interaction.follow_up_due < today).count(),
            "due_today": mine.where(Interaction.follow_up_due == today).count(),
            "recent": list(recent),
        },
    )
    return Widget(title="Contacts", html=html, order=20)
