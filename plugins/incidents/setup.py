"""The incidents plugin's first step: a team to take the incidents."""

from __future__ import annotations

from accord import RequestContext, SetupStep

from .models import Team
from .views.shared import MANAGE


def steps(ctx: RequestContext) -> list[SetupStep]:
    return [
        SetupStep(
            "Create a team",
            "Incidents are assigned to a team, and each tier escalates to the next.",
            Team.in_org(ctx.org).exists(),
            ctx.url("incidents:team_new") if ctx.can(MANAGE) else None,
            who="a manager or an administrator",
            order=60,
        )
    ]
