"""Complaints: a complaint process distinct from incidents, reported by service and cause.

A complaint is received (from a contacts ``Person``, about a catalogue
service and an incident when those plugins are on), acknowledged within the
organisation's target (``acknowledge_days`` business days), investigated,
responded to and closed with the lesson learned and the improvement action it
led to. A manager may delete one logged by mistake, with everything on it.

Its timeline (``timeline.py``, narrowed with ``?show=notes|correspondence|changes|files``)
holds its audit trail and what staff add: internal notes (never sent), files
(``attachments.py``: the core's file store, size from ``[plugins.complaints]
max_attachment_mb``, default 10; deleted files leave their name) and
correspondence (``correspondence.py``): emails to the complainant, sent through
incidents' SMTP settings (``incidents.mail.send_message``) from complaints' own
outbox where incidents is on and a mail server is set, with contacts' consent for
``service_notices``; and letters, calls, meetings and emails recorded by hand. A
message to the complainant may acknowledge the complaint or be its response.

Hooks only, below. Other plugins may use:

``api.open_complaint(org, *, person, description, source, incident=None, service=None, user=None)``
    Record a complaint (status ``received``) in the caller's transaction and
    return it; see its docstring. List ``complaints`` in ``depends`` or
    ``optional_depends`` and call it only where complaints is enabled.
``models.Complaint``
    ``reference``, ``status``, ``person``, ``customer``, ``service_id``,
    ``incident_id``, ``cause``, ``acknowledge_due``, ``acknowledgement(now)``.

Events (``handle_event``), emitted after the change commits, each with
``{"complaint_id", "reference"}`` and: ``complaints.received`` ``{"source"}``;
``complaints.status_changed`` ``{"from", "to"}``; ``complaints.closed``;
``complaints.email_queued`` ``{"message_id"}`` (an email to the complainant is
in the outbox: on this event complaints queues ``complaints.deliver_emails``,
and the worker sends it). Periodic task:
``complaints.send_due_emails`` each minute retries what could not be sent.

Slots it fills: ``contacts.person.side`` and ``contacts.organisation.side``
(open complaints), ``contacts.person.actions`` (log a complaint for them),
``incidents.incident.side`` (complaints about the incident, and logging one;
filled only where incidents is on, since only its page offers the slot). A
dashboard card counts open complaints and overdue acknowledgements.

For contacts it moves complaints to the survivor when two people are merged
(``merge_people``) and adds a "Complaints" factor to a customer organisation's
relationship health: the complaints of the last six months, and how many are
still open.
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
    SearchResult,
    Settings,
    Widget,
    hookimpl,
)
from accord.plugins.contacts.models import CustomerOrganisation

from . import attachments, correspondence, links, routes, widgets
from .demo import add_demo_complaints
from .models import MODELS
from .views.shared import MANAGE, VIEW, WORK

HERE = Path(__file__).parent


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            VIEW, "See complaints and their report", roles=("admin", "manager", "agent", "viewer")
        ),
        Permission(WORK, "Log complaints and work them", roles=("admin", "manager", "agent")),
        Permission(
            MANAGE, "Close complaints with their lesson and improvement", roles=("admin", "manager")
        ),
    ]


@hookimpl
def register_routes() -> list[Page]:
    return routes.pages()


@hookimpl
def register_menu_items(ctx: RequestContext) -> list[MenuItem]:
    if not ctx.can(VIEW):
        return []
    # One entry: the report is a page under it (a second entry would be highlighted with it).
    return [
        MenuItem("Complaints", ctx.url("complaints:index"), section="Service desk", order=30),
        MenuItem("Complaints report", ctx.url("complaints:report"), section="Reports", order=830),
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
    if slot == "contacts.person.side":
        return widgets.person_side(ctx, context["person"])
    if slot == "contacts.person.actions" and ctx.can(WORK):
        return widgets.log_for_person(ctx, context["person"])
    if slot == "contacts.organisation.side":
        return widgets.organisation_side(ctx, context["organisation"])
    if slot == "incidents.incident.side":
        return widgets.incident_side(ctx, context["incident"])
    return None


@hookimpl
def handle_event(org: Organisation, event: str, payload: dict[str, Any]) -> None:
    if event == "complaints.email_queued":
        # The email's row has committed: the worker sends it now, never the request.
        correspondence.queue_delivery(org)


@hookimpl
def register_tasks(queue: Any) -> None:
    correspondence.bind_queue(queue)

    @queue.task(name=correspondence.DELIVER_TASK)
    def deliver_emails(org_id: int) -> int:
        return correspondence.deliver_emails(org_id)

    @queue.periodic_task(crontab(minute="*"), name="complaints.send_due_emails")
    def send_due_emails() -> int:
        return correspondence.send_due_emails()


@hookimpl
def startup(settings: Settings) -> None:
    attachments.bind(settings)


@hookimpl
def purge_org_data(org: Organisation, dry_run: bool) -> dict[str, int] | None:
    return {"complaints_attachment_files": attachments.purge(org, dry_run)}


@hookimpl
def register_template_dir() -> Path:
    return HERE / "templates"


@hookimpl
def register_static_dir() -> Path:
    return HERE / "static"


@hookimpl
def register_migrations() -> Path:
    return HERE / "migrations"


@hookimpl
def register_models() -> list[type[peewee.Model]]:
    return MODELS


# trylast, like incidents: contacts' demo people must exist first.
@hookimpl(trylast=True)
def load_demo_data(demo: DemoContext) -> None:
    add_demo_complaints(demo)


@hookimpl
def merge_people(org: Organisation, survivor: Any, duplicate: Any) -> dict[str, int]:
    return links.merge_people(org, survivor, duplicate)


@hookimpl
def relationship_health_factors(ctx: RequestContext, subject: Any) -> list[Any]:
    if not ctx.can(VIEW) or not isinstance(subject, CustomerOrganisation):
        return []
    return links.health(ctx, subject)
