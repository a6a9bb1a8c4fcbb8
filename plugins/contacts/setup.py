"""The contacts plugin's first step: the customers themselves, added or imported."""

from __future__ import annotations

from accord import RequestContext, SetupStep

from .models import CustomerOrganisation, Person


def steps(ctx: RequestContext, edit: str) -> list[SetupStep]:
    org = ctx.org
    return [
        SetupStep(
            "Add or import your customers",
            "Incidents, complaints and campaigns are about people in your contacts.",
            Person.in_org(org).exists() or CustomerOrganisation.in_org(org).exists(),
            ctx.url("contacts:people_import") if ctx.can(edit) else None,
            who="an agent, a manager or an administrator",
            order=70,
        )
    ]
