"""Contacts: people and customer organisations, their interactions, timelines and follow-ups.

Stakeholder groups (``engagement.py``): members with influence and interest
per group, and an engagement plan whose activities are done when an
interaction of their kind is logged with a member. Published functions:
``engagement_coverage(org, start, end)`` (planned against done per group),
``plan_status(group)``, ``overdue_activities(org)``. Event
``contacts.group.created`` (``group_id``, ``name``). Relationship health
(``health.py``): plugins add factors through the ``relationship_health_factors``
hook (``hookspecs.py``) returning ``health.HealthFactor``s; contacts fills its
own ``contacts.person.side`` slot with a person's groups and
``contacts.organisation.side`` with the organisation's health.

A person's several email addresses and phone numbers (``details.py``;
``ContactDetail``, one primary per kind, mirrored in ``Person.email`` and
``Person.phone``). The global search tolerates typos in names (``fuzzy.py``);
``api.matching_people(org, query, limit)`` is how other plugins find the
people a query names (their incidents, complaints, problems in the search).
``accord check`` warns when pg_trgm is missing (``check_instance``).

Consent and communication preferences (``consent/``): one record per person,
honoured by every plugin. Other plugins keep no opt-out lists; they ask and
record through published functions::

    from accord.plugins.contacts.consent import may_contact, record_contact, unsubscribe_url

    may_contact(person, channel="email", purpose="surveys", at=None)
    # -> ContactDecision(allowed, reason): truthy iff allowed; reason is a sentence
    record_contact(person, channel="email", purpose="surveys", source="satisfaction", at=None)
    unsubscribe_url(org, person, "surveys")  # path of a signed one-click link for that topic

Channels: ``email``, ``phone``, ``sms``, ``post``. Purposes: ``newsletters``
(explicit opt-in needed), ``service_notices`` (essential: allowed unless
opted out, even for archived people, outside quiet hours and caps),
``surveys`` (allowed unless opted out), and any a plugin adds for an
organisation with ``define_purpose(org, ContactPurpose(key, label, ...))``
(from its ``plugin_enabled`` hook, or when a campaign topic is created).
Unknown channels or purposes raise ``ValueError``. Quiet hours are read in
the organisation's time zone (``Organisation.zone``); a frequency cap counts
the non-essential contacts ``record_contact`` kept in the last 7 or 30 days.
Event ``contacts.consent.changed`` (``person_id``, ``source``) follows every
change made on the preferences form or through an unsubscribe link.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import click
import peewee

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
    Widget,
    hookimpl,
)

from . import dashboard, engagement, fuzzy, hookspecs, import_jobs, importing, reports, setup
from . import search as searching
from .consent.models import CONSENT_MODELS
from .demo import load_demo
from .documents.models import DOCUMENT_MODELS
from .merging import MERGE_MODELS
from .models import MODELS
from .views import (
    affiliations,
    documents,
    followups,
    imports,
    interaction_list,
    interactions,
    merge,
    organisations,
    people,
)
from .views import consent as consent_views
from .views import groups as stakeholder_groups

HERE = Path(__file__).parent
VIEW, EDIT, DELETE = "contacts.view", "contacts.edit", "contacts.delete"
FORM = ("GET", "POST")


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            VIEW,
            "See people, organisations and their timelines",
            roles=("admin", "manager", "agent", "viewer"),
        ),
        Permission(
            EDIT,
            "Add and edit contacts, log interactions, complete follow-ups",
            roles=("admin", "manager", "agent"),
        ),
        Permission(
            DELETE, "Archive and restore people and organisations", roles=("admin", "manager")
        ),
        Permission(
            documents.DOCUMENTS,
            "See and download the documents kept with people and organisations",
            roles=("admin", "manager", "agent"),
        ),
    ]


@hookimpl
def register_routes() -> list[Page]:
    person = "/people/{pk:int}"
    organisation = "/organisations/{pk:int}"
    return [
        Page("/", people.index, name="index", permission=VIEW),
        Page("/people/", people.people_list, name="people", permission=VIEW),
        Page("/people/archived", people.archived_people, name="people_archived", permission=VIEW),
        Page(
            "/people/import",
            imports.upload,
            name="people_import",
            methods=FORM,
            permission=EDIT,
            uploads=True,
        ),
        Page(
            "/people/import/{job:int}",
            imports.job,
            name="import_job",
            methods=FORM,
            permission=EDIT,
        ),
        Page(
            "/people/import/{job:int}/progress",
            imports.job_progress,
            name="import_progress",
            permission=EDIT,
        ),
        Page("/people/vcard", imports.people_vcards, name="people_vcard", permission=VIEW),
        Page(f"{person}/vcard", imports.person_vcard, name="person_vcard", permission=VIEW),
        Page("/people/new", people.new, name="person_new", methods=FORM, permission=EDIT),
        Page(person, people.detail, name="person", permission=VIEW),
        Page(f"{person}/edit", people.edit, name="person_edit", methods=FORM, permission=EDIT),
        Page(
            f"{person}/archive",
            people.archive,
            name="person_archive",
            methods=FORM,
            permission=DELETE,
        ),
        Page(
            f"{person}/unarchive",
            people.unarchive,
            name="person_unarchive",
            methods=FORM,
            permission=DELETE,
        ),
        Page(
            f"{person}/interactions",
            interactions.log,
            name="interaction_log",
            methods=("POST",),
            permission=EDIT,
        ),
        Page(
            f"{person}/affiliations",
            affiliations.add,
            name="affiliation_add",
            methods=("POST",),
            permission=EDIT,
        ),
        Page(
            f"{person}/affiliations/{{aid:int}}/primary",
            affiliations.make_primary,
            name="affiliation_primary",
            methods=("POST",),
            permission=EDIT,
        ),
        Page(
            f"{person}/affiliations/{{aid:int}}/remove",
            affiliations.remove,
            name="affiliation_remove",
            methods=FORM,
            permission=EDIT,
        ),
        Page(
            "/organisations/",
            organisations.organisation_list,
            name="organisations",
            permission=VIEW,
        ),
        Page(
            "/organisations/archived",
            organisations.archived_organisations,
            name="organisations_archived",
            permission=VIEW,
        ),
        Page(
            "/organisations/new",
            organisations.new,
            name="organisation_new",
            methods=FORM,
            permission=EDIT,
        ),
        Page(
            "/organisations/suggestions",
            organisations.suggestions,
            name="organisation_suggestions",
            permission=VIEW,
        ),
        Page(organisation, organisations.detail, name="organisation", permission=VIEW),
        Page(
            f"{organisation}/edit",
            organisations.edit,
            name="organisation_edit",
            methods=FORM,
            permission=EDIT,
        ),
        Page(
            f"{organisation}/archive",
            organisations.archive,
            name="organisation_archive",
            methods=FORM,
            permission=DELETE,
        ),
        Page(
            f"{organisation}/unarchive",
            organisations.unarchive,
            name="organisation_unarchive",
            methods=FORM,
            permission=DELETE,
        ),
        Page("/follow-ups/", followups.mine, name="follow_ups", permission=VIEW),
        Page("/follow-ups/overdue", followups.overdue, name="follow_ups_overdue", permission=VIEW),
        Page("/report", reports.customers, name="report", permission=VIEW),
        Page("/people/duplicates", merge.duplicates, name="duplicates", permission=EDIT),
        Page(f"{person}/merge", merge.compare, name="person_merge", methods=FORM, permission=EDIT),
        Page(
            f"{person}/not-duplicate/{{other:int}}",
            merge.dismiss,
            name="not_duplicates",
            methods=("POST",),
            permission=EDIT,
        ),
        Page(
            "/{kind}/{pk:int}/documents",
            documents.documents,
            name="documents",
            methods=FORM,
            permission=documents.DOCUMENTS,
            uploads=True,
        ),
        Page(
            "/{kind}/{pk:int}/documents/{did:int}",
            documents.download,
            name="document",
            permission=documents.DOCUMENTS,
        ),
        Page(
            "/{kind}/{pk:int}/documents/{did:int}/delete",
            documents.delete,
            name="document_delete",
            methods=FORM,
            permission=documents.DOCUMENTS,
        ),
        Page(
            "/interactions/",
            interaction_list.interaction_list,
            name="interactions",
            permission=VIEW,
        ),
        Page(
            "/interactions/{pk:int}/held",
            interactions.mark_held,
            name="interaction_held",
            methods=("POST",),
            permission=EDIT,
        ),
        Page(
            "/interactions/{pk:int}/cancel",
            interactions.cancel,
            name="interaction_cancel",
            methods=("POST",),
            permission=EDIT,
        ),
        Page(
            "/organisations/{pk:int}/interactions",
            interactions.log_for_organisation,
            name="organisation_interaction_log",
            methods=("POST",),
            permission=EDIT,
        ),
        Page(
            "/interactions/{pk:int}/done",
            interactions.follow_up_done,
            name="follow_up_done",
            methods=("POST",),
            permission=EDIT,
        ),
        *_stakeholder_routes(),
        *_consent_routes(),
    ]


def _consent_routes() -> list[Page]:
    person = "/people/{pk:int}"
    return [
        Page(
            f"{person}/consent",
            consent_views.edit,
            name="consent_edit",
            methods=FORM,
            permission=EDIT,
        ),
        Page(
            f"{person}/consent/history",
            consent_views.history,
            name="consent_history",
            permission=VIEW,
        ),
        Page(
            "/contacts/unsubscribe/{slug}/{token}",
            consent_views.unsubscribe,
            name="unsubscribe",
            methods=FORM,
            scope="public",
        ),
    ]


def _stakeholder_routes() -> list[Page]:
    group = "/groups/{pk:int}"
    views = stakeholder_groups
    return [
        Page("/groups/", views.group_list, name="groups", permission=VIEW),
        Page("/groups/new", views.new, name="group_new", methods=FORM, permission=EDIT),
        Page("/groups/overdue", views.overdue, name="engagement_overdue", permission=VIEW),
        Page(
            "/groups/people",
            views.people_suggestions,
            name="group_person_suggestions",
            permission=VIEW,
        ),
        Page(group, views.detail, name="group", permission=VIEW),
        Page(f"{group}/edit", views.edit, name="group_edit", methods=FORM, permission=EDIT),
        Page(f"{group}/delete", views.delete, name="group_delete", methods=FORM, permission=DELETE),
        Page(f"{group}/map", views.stakeholder_map, name="group_map", permission=VIEW),
        Page(
            f"{group}/members",
            views.member_add,
            name="group_member_add",
            methods=("POST",),
            permission=EDIT,
        ),
        Page(
            f"{group}/members/{{mid:int}}/remove",
            views.member_remove,
            name="group_member_remove",
            methods=FORM,
            permission=EDIT,
        ),
        Page(
            f"{group}/activities/new",
            views.activity_new,
            name="group_activity_new",
            methods=FORM,
            permission=EDIT,
        ),
        Page(
            f"{group}/activities/{{aid:int}}/edit",
            views.activity_edit,
            name="group_activity_edit",
            methods=FORM,
            permission=EDIT,
        ),
        Page(
            f"{group}/activities/{{aid:int}}/remove",
            views.activity_remove,
            name="group_activity_remove",
            methods=FORM,
            permission=EDIT,
        ),
        Page(
            f"{group}/activities/{{aid:int}}/record",
            views.activity_record,
            name="group_activity_record",
            methods=FORM,
            permission=EDIT,
        ),
    ]


@hookimpl
def register_menu_items(ctx: RequestContext) -> list[MenuItem]:
    if not ctx.can(VIEW):
        return []
    return [
        MenuItem("People", ctx.url("contacts:people"), section="Contacts", order=20),
        MenuItem("Organisations", ctx.url("contacts:organisations"), section="Contacts", order=21),
        MenuItem("Follow-ups", ctx.url("contacts:follow_ups"), section="Contacts", order=22),
        MenuItem("Stakeholder groups", ctx.url("contacts:groups"), section="Contacts", order=23),
        MenuItem("Customers report", ctx.url("contacts:report"), section="Reports", order=820),
        *(
            [MenuItem("Duplicates", ctx.url("contacts:duplicates"), section="Contacts", order=24)]
            if ctx.can(EDIT)
            else []
        ),
    ]


@hookimpl
def register_dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    return [dashboard.widget(ctx)] if ctx.can(VIEW) else []


@hookimpl
def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    return searching.search(ctx, query, limit) if ctx.can(VIEW) else []


@hookimpl(specname="fill_slot")
def duplicates_card(ctx: RequestContext, slot: str, context: dict[str, Any]) -> str | None:
    """People who may be this person too, with a link to compare and merge."""
    if slot == "contacts.person.side" and ctx.can(EDIT):
        return merge.card(ctx, context["person"])
    return None


@hookimpl(specname="fill_slot")
def documents_card(ctx: RequestContext, slot: str, context: dict[str, Any]) -> str | None:
    """The newest documents on a person's or a customer organisation's page."""
    if not ctx.can(documents.DOCUMENTS):
        return None
    if slot == "contacts.person.side":
        return documents.card(ctx, context["person"], "people")
    if slot == "contacts.organisation.side":
        return documents.card(ctx, context["organisation"], "organisations")
    return None


@hookimpl
def startup(settings: Settings) -> None:
    documents.STORE.bind(settings)
    import_jobs.STORE.bind(settings)


@hookimpl
def check_instance(settings: Settings) -> list[str]:
    """Typo-tolerant search needs pg_trgm and its indexes on PostgreSQL."""
    return fuzzy.instance_warnings()


@hookimpl
def register_tasks(queue: Any) -> None:
    @queue.task(name="contacts.run_import")
    def run_import(job_id: int, dry_run: bool) -> str:
        return import_jobs.run_task(queue, job_id, dry_run)


@hookimpl
def purge_org_data(org: Organisation, dry_run: bool) -> dict[str, int] | None:
    return {
        "contacts_document_files": documents.STORE.purge(org, dry_run),
        "contacts_import_files": import_jobs.STORE.purge(org, dry_run),
    }


@hookimpl(specname="fill_slot")
def consent_card(ctx: RequestContext, slot: str, context: dict[str, Any]) -> str | None:
    """The "Contact preferences" card on a person's page."""
    if slot == "contacts.person.side" and ctx.can(VIEW):
        return consent_views.card(ctx, context["person"])
    return None


@hookimpl
def register_hookspecs() -> ModuleType:
    return hookspecs


@hookimpl
def register_commands(cli: click.Group) -> None:
    importing.add_commands(cli)


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
    return [
        *MODELS,
        *engagement.MODELS,
        *CONSENT_MODELS,
        *DOCUMENT_MODELS,
        *MERGE_MODELS,
        *import_jobs.IMPORT_MODELS,
    ]


@hookimpl(specname="fill_slot")
def fill_own_slots(ctx: RequestContext, slot: str, context: dict[str, Any]) -> str | None:
    """A person's stakeholder groups and an organisation's relationship health, on their pages."""
    return stakeholder_groups.fill_slot(ctx, slot, context) if ctx.can(VIEW) else None


@hookimpl
def load_demo_data(demo: DemoContext) -> None:
    load_demo(demo)


@hookimpl
def register_setup_steps(ctx: RequestContext) -> list[SetupStep]:
    return setup.steps(ctx, EDIT)
