"""Incidents: the service desk's incidents, teams, queues, SLA clocks and emails to reporters.

Hooks only, below. Other plugins (list ``incidents`` in ``depends``) may use:

``models``
    ``Incident`` (``reference``, ``status``, ``priority``, ``reporter`` a contacts
    ``Person``, ``service`` a catalogue ``Service``, ``team``, ``assignee``, the
    SLA times ``response_due``/``resolution_due`` and ``sla_state(now)``,
    ``is_major`` and ``parent`` (a major incident's children), ``merged_into``
    (a duplicate's survivor), ``escalated_at``), ``Team``, ``TeamMember``,
    ``Activity`` (the timeline), ``ClockLedger``, ``SlaAlert``.
``links.children(incident)``, ``links.merged_ids(incident)``
    A major incident's children; the duplicates merged into an incident.
``clock.run_clock(hours, start, target, holds=, markers=, stop=, now=)``
    The SLA clock over the catalogue's business hours, pure: due and warning
    times, state, and the ledger of what counted and why.
``sla.clocks(incident)``
    An incident's response and resolution clocks, computed afresh.
``mail.queue_message(incident, subject, body, *, kind="message")``
    Email the incident's reporter through the incidents outbox and SMTP settings
    (in the caller's transaction; sent by the worker once it commits: at once
    when an event whose payload carries ``incident_id`` follows, else within a
    minute). Returns the ``OutboundEmail``, or None when reporter emails are off
    or the reporter has no email address. It shows on the incident's timeline.
``workflow.reopen(incident, incident.version, reason, *, window_days, user, now=None)``
    Reopen a resolved incident (``workflow.NotAllowed`` with the reason when it
    is not resolved, was merged into another, or the window has passed; use
    ``plugin_settings.get(org, "incidents")["reopen_days"]`` for the window). It
    writes the timeline, restarts the clocks, emails the reporter and emits
    ``incidents.status_changed``. Call it inside a transaction; ``StaleEdit``
    if the version is not the current one.

``watching.watch(incident, user)``, ``watching.tell(incident, what, actor=, kind=)``
    Make someone a watcher; tell the watchers (never ``actor``) in the app that
    ``what`` happened ("resolved by Sam Lee"), through ``accord.notify``. The
    workflow does this for every change; whoever logged an incident and its
    assignees watch it.
``response.rule_for(incident)``
    What meets the response target in the incident's organisation (setting
    ``response_met_by``): the first public reply (default), the start of work, or
    whichever comes first; a resolution always does. ``responded_at`` is that
    moment, ``response_via`` which it was.

Events (``handle_event``), emitted after the change commits, each with
``{"incident_id"}`` and: ``incidents.created`` ``{"reference", "priority",
"service_id", "reporter_id"}``; ``incidents.status_changed`` ``{"from", "to"}``;
``incidents.resolved`` ``{"resolution_code"}`` (also for each child a major
incident resolves); ``incidents.replied`` ``{"activity_id"}``;
``incidents.merged`` ``{"into_id"}`` (the duplicate's id is ``incident_id``).
Changes made by the periodic tasks (escalation, closing resolved incidents after
``close_after_days``) announce no event: a task has no request to deliver them after.

Emails are sent by the worker, never in a request: each event about an incident
queues ``incidents.deliver_emails`` (the organisation's due emails).
Periodic tasks (``accord worker``): ``incidents.send_due_emails`` and
``incidents.escalate`` each minute (SLA alerts once per clock and state, then the
organisation's escalation rules), ``incidents.close_resolved`` hourly, and
``incidents.build_summaries`` hourly (the service desk report's daily summaries of
organisations that have none, or whose time zone changed: ``summaries.py``).
``accord incidents rebuild-summaries [--org SLUG]`` recounts them from the incidents.

When two contacts are merged (``merge_people``) their incidents move to the
person who stays as reporter.

Slots it offers: ``incidents.incident.side`` and ``incidents.incident.actions`` on an
incident's page (``incident`` in the context); ``incidents.intake.suggestions`` on the log
form, refreshed as the title, description or service change (``service``, a catalogue
``Service`` or None, and ``text``, the title and description typed so far).

Hooks of contacts it implements: ``relationship_health_factors`` (SLA compliance
of a customer organisation's incidents in the last 90 days).

Slots it fills: ``contacts.person.side`` (the person's open incidents),
``contacts.person.actions`` (log an incident for them),
``contacts.organisation.side`` (the customer's open incidents) and
``catalogue.service.side`` (open incidents of the service). It adds the
person's and the customer organisation's incidents to contacts' timelines.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click
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
    SetupStep,
    TimelineEntry,
    Widget,
    hookimpl,
)
from accord.plugins.contacts.models import CustomerOrganisation

from . import attachments_store, commands, routes, setup, smtp_hosts, tasks, widgets
from .demo import add_demo_service_desk
from .models import MODELS, Incident
from .views.shared import MANAGE, VIEW, WORK

HERE = Path(__file__).parent
log = logging.getLogger("accord.plugins.incidents")


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            VIEW, "See incidents, queues and teams", roles=("admin", "manager", "agent", "viewer")
        ),
        Permission(WORK, "Log and work incidents", roles=("admin", "manager", "agent")),
        Permission(
            MANAGE,
            "Manage teams, the priority matrix, canned replies and emails",
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
    # The queue itself rather than the index, so "Log incident" is not highlighted with it.
    queue = ctx.url("incidents:queue", queue="mine" if ctx.can(WORK) else "all")
    items = [MenuItem("Incident queues", queue, section=section, order=10)]
    if ctx.can(WORK):
        items.append(MenuItem("Log incident", ctx.url("incidents:new"), section=section, order=11))
    items.append(MenuItem("Teams", ctx.url("incidents:teams"), section=section, order=12))
    items.append(
        MenuItem("Service desk report", ctx.url("incidents:report"), section="Reports", order=810)
    )
    if ctx.can(MANAGE):
        items += [
            MenuItem("Canned replies", ctx.url("incidents:canned"), section=section, order=13),
            MenuItem("Priority matrix", ctx.url("incidents:matrix"), section=section, order=14),
            MenuItem(
                "Reporter emails", ctx.url("incidents:email_templates"), section=section, order=15
            ),
            MenuItem(
                "Escalation rules", ctx.url("incidents:escalation"), section=section, order=16
            ),
        ]
    return items


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
    if slot == "catalogue.service.side":
        return widgets.service_side(ctx, context["service"])
    return None


@hookimpl
def contact_timeline_entries(ctx: RequestContext, person: Any, limit: int) -> list[TimelineEntry]:
    return widgets.person_entries(ctx, person, limit) if ctx.can(VIEW) else []


@hookimpl
def organisation_timeline_entries(
    ctx: RequestContext, organisation: Any, limit: int
) -> list[TimelineEntry]:
    return widgets.organisation_entries(ctx, organisation, limit) if ctx.can(VIEW) else []


@hookimpl
def relationship_health_factors(ctx: RequestContext, subject: Any) -> list[Any]:
    # Stakeholder groups have no incidents of their own: nothing to measure.
    if not ctx.can(VIEW) or not isinstance(subject, CustomerOrganisation):
        return []
    return widgets.sla_health(ctx, subject)


@hookimpl
def merge_people(org: Organisation, survivor: Any, duplicate: Any) -> dict[str, int]:
    moved = (
        Incident.update(reporter=survivor.id)
        .where((Incident.org == org.id) & (Incident.reporter == duplicate.id))
        .execute()
    )
    return {"incidents reported": moved}


@hookimpl
def handle_event(org: Organisation, event: str, payload: dict[str, Any]) -> None:
    if payload.get("incident_id"):
        # The change has committed: the worker sends its email now (also one another
        # plugin queued with mail.queue_message before its own event), never the request.
        tasks.queue_delivery(org)
    elif event in ("catalogue.levels_changed", "catalogue.calendar_changed"):
        tasks.follow_catalogue(org, event, payload)


@hookimpl
def check_plugin_settings(
    settings: Settings, org: Organisation, plugin_id: str, values: dict[str, Any]
) -> dict[str, str]:
    # The SMTP server must be a host name the instance allows: no probing inside.
    return smtp_hosts.settings_problems(settings, values) if plugin_id == "incidents" else {}


@hookimpl
def register_tasks(queue: Any) -> None:
    tasks.bind_queue(queue)

    @queue.task(name=tasks.DELIVER_TASK)
    def deliver_emails(org_id: int) -> int:
        return tasks.deliver_emails(org_id)

    @queue.periodic_task(crontab(minute="*"), name="incidents.send_due_emails")
    def send_due_emails() -> int:
        return tasks.send_due_emails()

    @queue.periodic_task(crontab(minute="*"), name="incidents.escalate")
    def escalate() -> int:
        return tasks.escalate()

    @queue.periodic_task(crontab(minute="7"), name="incidents.close_resolved")
    def close_resolved() -> int:
        return tasks.close_all_resolved()

    @queue.periodic_task(crontab(minute="17"), name="incidents.build_summaries")
    def build_summaries() -> int:
        return tasks.build_summaries()


@hookimpl
def register_commands(cli: click.Group) -> None:
    commands.add_commands(cli)


@hookimpl
def startup(settings: Settings) -> None:
    attachments_store.bind(settings)
    smtp_hosts.bind(settings)


@hookimpl
def purge_org_data(org: Organisation, dry_run: bool) -> dict[str, int] | None:
    return {"incidents_attachment_files": attachments_store.purge(org, dry_run)}


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


# trylast: pluggy calls the most recently registered plugin first, so without it the
# demo would run before the catalogue's and contacts' demo records exist.
@hookimpl(trylast=True)
def load_demo_data(demo: DemoContext) -> None:
    add_demo_service_desk(demo)


@hookimpl
def register_setup_steps(ctx: RequestContext) -> list[SetupStep]:
    return setup.steps(ctx)
