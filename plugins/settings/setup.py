"""The organisation's own first steps: its time zone, its plugins, a second member."""

from __future__ import annotations

from accord import RequestContext, SetupStep
from accord.models import AccountToken, AuditEntry, Membership


def steps(ctx: RequestContext) -> list[SetupStep]:
    org = ctx.org
    always_on = ctx.request.app.state.accord.host.always_on
    # UTC is the default: it counts as chosen once it differs or the details were saved.
    zone_chosen = (
        org.time_zone != "UTC"
        or AuditEntry.select()
        .where(
            (AuditEntry.org == org)
            & (AuditEntry.table == "accord_organisation")
            & (AuditEntry.action == "update")
        )
        .exists()
    )
    second_member = (
        Membership.select().where(Membership.org == org).limit(2).count() > 1
        or AccountToken.select()
        .where(
            (AccountToken.org == org)
            & (AccountToken.purpose == "invite")
            & (AccountToken.used_at.is_null())
        )
        .exists()
    )

    def link(permission: str, name: str) -> str | None:
        return ctx.url(name) if ctx.can(permission) else None

    return [
        SetupStep(
            "Set the time zone",
            "Reports count days and months, and times show, in the organisation's zone.",
            zone_chosen,
            link("settings.organisation", "settings:organisation"),
            order=10,
        ),
        SetupStep(
            "Choose the plugins you need",
            "Contacts, the catalogue, incidents and the rest are switched on per organisation.",
            bool(ctx.enabled - always_on),
            link("settings.plugins", "settings:plugins"),
            order=20,
        ),
        SetupStep(
            "Invite a colleague",
            "Agents, managers and viewers each see what their role allows.",
            second_member,
            link("settings.members", "settings:members"),
            order=30,
        ),
    ]
