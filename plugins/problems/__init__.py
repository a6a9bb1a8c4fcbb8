"""Problems: problem records behind recurring incidents, the known-error database, and a detector.

Hooks only, below. Other plugins (list ``problems`` in ``depends``) may use:

``models``
    ``Problem`` (``reference`` like PRB-0007, ``title``, ``service`` a catalogue
    ``Service``, ``category``, ``symptoms``, ``root_cause``, ``workaround``,
    ``status`` new → investigating → known_error → resolved → closed,
    ``fix_change`` and ``fix_description``), ``ProblemIncident`` (the link to
    an incidents ``Incident``) and ``Proposal`` (a group the detector found).
``known_errors.suggest(org, service, text) -> list[Problem]``
    The known errors most like ``text``, of ``service`` or of none, best first.
``detector.find_groups(incidents, threshold=, min_size=)``
    The recurring-incident detector, pure: groups of ``IncidentText`` of one
    service and category whose text is alike (rapidfuzz ``token_set_ratio``).

Rules: a problem becomes a known error only with a workaround, and is resolved
only with its root cause and the change that fixed it.

Events (``handle_event``), emitted after the change commits, each with
``{"problem_id"}`` and: ``problems.created`` ``{"reference"}``;
``problems.status_changed`` ``{"from", "to"}``; ``problems.incident_linked``
and ``problems.incident_unlinked`` ``{"incident_id"}``. Resolving a problem
does not touch its incidents: their pages show the problem's state and fix
(the ``incidents.incident.side`` slot), and the agent who owns each decides.

Slots it fills: ``incidents.intake.suggestions`` (up to three known errors
matching the service and the text typed, with their workaround),
``incidents.incident.side`` (the incident's problems, or a form to link it to
one), ``catalogue.service.side`` (the service's open problems).

A daily periodic task (``problems.detect_recurring_incidents``, 05:30) and the
"Look for recurring incidents now" button refresh the detector's proposals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import peewee
from huey import crontab

from accord import (
    DemoContext,
    MenuItem,
    Page,
    Permission,
    RequestContext,
    SearchResult,
    Widget,
    hookimpl,
)

from . import routes, tasks, widgets
from .demo import add_demo_problems
from .models import MODELS
from .views.shared import MANAGE, VIEW, WORK

HERE = Path(__file__).parent


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            VIEW, "See problems and known errors", roles=("admin", "manager", "agent", "viewer")
        ),
        Permission(
            WORK,
            "Record problems, link incidents, move problems on",
            roles=("admin", "manager", "agent"),
        ),
        Permission(
            MANAGE,
            "Close problems, run the recurring-incident detector, dismiss its proposals",
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
        MenuItem("Problems", ctx.url("problems:index"), section=section, order=20),
        MenuItem("Known errors", ctx.url("problems:known_errors"), section=section, order=21),
        MenuItem("Proposed problems", ctx.url("problems:proposals"), section=section, order=22),
    ]


@hookimpl
def register_dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    return [widgets.dashboard_widget(ctx)] if ctx.can(VIEW) else []


@hookimpl
def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    return widgets.search(ctx, query, limit) if ctx.can(VIEW) else []


@hookimpl
def fill_slot(ctx: RequestContext, slot: str, context: dict[str, Any]) -> str | None:
    if not ctx.can(VIEW):
        return None
    if slot == "incidents.intake.suggestions":
        return widgets.suggestions(ctx, context.get("service"), context.get("text") or "")
    if slot == "incidents.incident.side":
        return widgets.incident_side(ctx, context["incident"])
    if slot == "catalogue.service.side":
        return widgets.service_side(ctx, context["service"])
    return None


@hookimpl
def register_tasks(queue: Any) -> None:
    @queue.periodic_task(crontab(hour="5", minute="30"), name="problems.detect_recurring_incidents")
    def detect_recurring_incidents() -> int:
        return tasks.detect_recurring_incidents()


@hookimpl
def register_template_dir() -> Path:
    return HERE / "templates"


@hookimpl
def register_migrations() -> Path:
    return HERE / "migrations"


@hookimpl
def register_models() -> list[type[peewee.Model]]:
    return MODELS


# trylast: pluggy calls the most recently registered plugin first, so without it the
# demo would run before incidents' demo incidents exist.
@hookimpl(trylast=True)
def load_demo_data(demo: DemoContext) -> None:
    add_demo_problems(demo)


@hookimpl
def register_static_dir() -> Path:
    return HERE / "static"
