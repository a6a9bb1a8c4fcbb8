"""The catalogue's first steps: business hours to count SLA clocks in, a service with levels."""

from __future__ import annotations

from accord import RequestContext, SetupStep

from .models import BusinessCalendar, Service, ServiceLevel

MANAGERS = "a manager or an administrator"


def steps(ctx: RequestContext, manage: str) -> list[SetupStep]:
    org = ctx.org
    allowed = ctx.can(manage)
    first_service = Service.in_org(org).order_by(Service.id).first()
    if first_service is None:
        add_levels = ctx.url("catalogue:service_new")
    else:
        add_levels = ctx.url("catalogue:service_levels", pk=first_service.id)
    return [
        SetupStep(
            "Set your working hours",
            "A business-hours calendar makes SLA clocks stop outside them and on holidays.",
            BusinessCalendar.in_org(org).exists(),
            ctx.url("catalogue:calendar_new") if allowed else None,
            who=MANAGERS,
            order=40,
        ),
        SetupStep(
            "Add a service with its service levels",
            "Incidents are logged against a live service; its levels set their targets.",
            ServiceLevel.in_org(org).join(Service).where(Service.status == "live").exists(),
            add_levels if allowed else None,
            who=MANAGERS,
            order=50,
        ),
    ]
