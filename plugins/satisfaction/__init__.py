"""Satisfaction: a survey for the reporter of every resolved incident, its results, follow-ups.

On ``incidents.resolved`` a survey is created for the configured share of
incidents (sampled by a hash of the incident, so always the same ones), due
after the configured delay. The worker's minute task sends due surveys where
contacts' consent allows (``may_contact(person, "email", "surveys")``;
otherwise the survey records why it was not sent) through incidents' outbox
(``queue_message``). The email's links lead to ``/survey/<signed token>``, a
public page: a score from 1 to 5 with a comment, or "it is not resolved",
which reopens the incident within incidents' reopen window. Each survey is
answered once. A score at or below the low score opens a recovery task for
the lead of the incident's team, or a complaint (``complaints.api
.open_complaint``) where the organisation chose that and complaints is on.

Hooks only, below. It publishes no functions. Slots it fills:
``incidents.incident.side`` (the incident's survey and its answer),
``catalogue.service.side`` (the service's average over 90 days). A
dashboard card shows the last 30 days' average and the open recovery tasks. It reacts
to ``incidents.resolved`` (survey) and ``incidents.status_changed`` (a survey
not yet sent is cancelled when the incident is reopened). For contacts it
moves surveys to the survivor when two people are merged and adds a
"Satisfaction" factor (the customer's last six months of scores) to a customer
organisation's relationship health.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import peewee
from huey import crontab

from accord import (
    DemoContext,
    MenuItem,
    Organisation,
    Page,
    Permission,
    RequestContext,
    Settings,
    Widget,
    hookimpl,
)
from accord.plugins.contacts.models import CustomerOrganisation

from . import links, relationships, routes, surveys, widgets
from .demo import add_demo_surveys
from .models import MODELS
from .routes import COPY_LINK, RECOVER, VIEW

HERE = Path(__file__).parent


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            VIEW,
            "See satisfaction results and recovery tasks",
            roles=("admin", "manager", "agent", "viewer"),
        ),
        Permission(RECOVER, "Complete recovery tasks", roles=("admin", "manager", "agent")),
        # Not agents: whoever has the link can answer, and agents are the ones being rated.
        Permission(
            COPY_LINK,
            "Copy a survey's link, to give it to the reporter another way",
            roles=("admin", "manager"),
        ),
    ]


@hookimpl
def register_routes() -> list[Page]:
    return routes.pages()


@hookimpl
def register_menu_items(ctx: RequestContext) -> list[MenuItem]:
    if not ctx.can(VIEW):
        return []
    section = "Service desk"
    return [
        MenuItem(
            "Satisfaction results", ctx.url("satisfaction:results"), section="Reports", order=840
        ),
        MenuItem(
            "Satisfaction answers", ctx.url("satisfaction:answers"), section="Reports", order=841
        ),
        MenuItem("Recovery tasks", ctx.url("satisfaction:tasks"), section=section, order=41),
    ]


@hookimpl
def register_dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    return [widgets.dashboard_widget(ctx)] if ctx.can(VIEW) else []


@hookimpl
def fill_slot(ctx: RequestContext, slot: str, context: dict[str, Any]) -> str | None:
    if not ctx.can(VIEW):
        return None
    if slot == "incidents.incident.side":
        return widgets.incident_side(ctx, context["incident"])
    if slot == "catalogue.service.side":
        return widgets.service_side(ctx, context["service"])
    return None


@hookimpl
def handle_event(org: Organisation, event: str, payload: dict[str, Any]) -> None:
    if event == "incidents.resolved":
        survey = surveys.invite(org, int(payload["incident_id"]))
        if survey is not None and survey.send_after <= survey.created_at:
            surveys.send_due(org)  # no delay: send now rather than in a minute
    elif (
        event == "incidents.status_changed"
        and payload.get("from") == "resolved"
        and payload.get("to") != "closed"
    ):
        surveys.cancel_for_reopened(org, int(payload["incident_id"]))


@hookimpl
def register_tasks(queue: Any) -> None:
    @queue.periodic_task(crontab(minute="*"), name="satisfaction.send_due_surveys")
    def send_due_surveys() -> int:
        return surveys.send_due_everywhere()


@hookimpl
def startup(settings: Settings) -> None:
    links.bind(settings)


@hookimpl
def register_template_dir() -> Path:
    return HERE / "templates"


@hookimpl
def register_migrations() -> Path:
    return HERE / "migrations"


@hookimpl
def register_models() -> list[type[peewee.Model]]:
    return MODELS


# trylast, like incidents; the demo runs in dependency order, after incidents' demo.
@hookimpl(trylast=True)
def load_demo_data(demo: DemoContext) -> None:
    add_demo_surveys(demo)


@hookimpl
def merge_people(org: Organisation, survivor: Any, duplicate: Any) -> dict[str, int]:
    return relationships.merge_people(org, survivor, duplicate)


@hookimpl
def relationship_health_factors(ctx: RequestContext, subject: Any) -> list[Any]:
    if not ctx.can(VIEW) or not isinstance(subject, CustomerOrganisation):
        return []
    return relationships.health(ctx, subject)
