"""Service catalogue: services, owners, components, business-hours calendars, service levels.

Hooks only, below. Other plugins (list ``catalogue`` in ``depends``) may use:

``service_level(service, priority) -> ServiceLevel | None``
    The agreed level of a service for priority 1–4: ``response_minutes``,
    ``resolution_minutes`` (business minutes) and ``warning_percent``.
``service_levels(service) -> dict[int, ServiceLevel]``
    Every agreed level of a service, by priority.
``business_hours_for(service) -> hours.BusinessHours``
    The business hours a service is supported in (its calendar, public
    holidays and closures; 24×7 when it has no calendar), with ``add(start,
    minutes)``, ``minutes_between(a, b)``, ``business_time(a, b)`` and
    ``intervals(a, b)`` (stretches that counted or not, each with a reason).
``calendar_spec(calendar) -> hours.CalendarSpec``
    A calendar with its closures, for ``hours.BusinessHours``.
``live_services(org)``
    A query of the organisation's live services, for pickers.
``models``
    ``Service``, ``ServiceCategory``, ``ServiceComponent`` (the capacity plugin
    attaches measurements to it), ``ServiceComponentLink``, ``BusinessCalendar``,
    ``Closure``, ``ServiceLevel`` and ``PRIORITIES``.

Events (``handle_event``), emitted after the change commits:
``catalogue.levels_changed`` ``{"service_id"}``;
``catalogue.calendar_changed`` ``{"calendar_id"}`` (hours, zone, holidays or closures);
``catalogue.service_status_changed`` ``{"service_id", "from", "to"}``.

Slots: ``catalogue.service.side`` (``service=``) beside a service,
``catalogue.component.side`` (``component=``) beside a component.
"""

from __future__ import annotations

from pathlib import Path

import peewee

from accord import (
    DemoContext,
    MenuItem,
    Page,
    Permission,
    RequestContext,
    SearchResult,
    SetupStep,
    Widget,
    hookimpl,
)

from . import setup, widgets
from .api import business_hours_for, calendar_spec, live_services, service_level, service_levels
from .demo import add_demo_catalogue
from .models import MODELS
from .views import calendars, categories, closures, components, levels, links, offer, services

__all__ = [
    "business_hours_for",
    "calendar_spec",
    "live_services",
    "service_level",
    "service_levels",
]

HERE = Path(__file__).parent
VIEW, MANAGE = "catalogue.view", "catalogue.manage"
EDIT = ("GET", "POST")


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            VIEW, "See the service catalogue", roles=("admin", "manager", "agent", "viewer")
        ),
        Permission(MANAGE, "Change services, levels and calendars", roles=("admin", "manager")),
    ]


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/", services.service_list, name="services", permission=VIEW),
        Page("/new", services.create, name="service_new", methods=EDIT, permission=MANAGE),
        Page("/offer", offer.offer, name="offer", permission=VIEW),
        Page("/{pk:int}", services.detail, name="service", permission=VIEW),
        Page("/{pk:int}/edit", services.edit, name="service_edit", methods=EDIT, permission=MANAGE),
        Page(
            "/{pk:int}/retire",
            services.retire,
            name="service_retire",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page(
            "/{pk:int}/levels",
            levels.edit_levels,
            name="service_levels",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page(
            "/{pk:int}/components",
            links.add,
            name="service_component_add",
            methods=("POST",),
            permission=MANAGE,
        ),
        Page(
            "/{pk:int}/components/{link:int}/remove",
            links.remove,
            name="service_component_remove",
            methods=("POST",),
            permission=MANAGE,
        ),
        Page("/categories", categories.category_list, name="categories", permission=VIEW),
        Page(
            "/categories/new",
            categories.create,
            name="category_new",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page(
            "/categories/{pk:int}/edit",
            categories.edit,
            name="category_edit",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page(
            "/categories/{pk:int}/delete",
            categories.delete,
            name="category_delete",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page("/components", components.component_list, name="components", permission=VIEW),
        Page(
            "/components/new",
            components.create,
            name="component_new",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page("/components/{pk:int}", components.detail, name="component", permission=VIEW),
        Page(
            "/components/{pk:int}/edit",
            components.edit,
            name="component_edit",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page(
            "/components/{pk:int}/delete",
            components.delete,
            name="component_delete",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page("/calendars", calendars.calendar_list, name="calendars", permission=VIEW),
        Page(
            "/calendars/new",
            calendars.create,
            name="calendar_new",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page("/calendars/{pk:int}", calendars.detail, name="calendar", permission=VIEW),
        Page(
            "/calendars/{pk:int}/edit",
            calendars.edit,
            name="calendar_edit",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page(
            "/calendars/{pk:int}/delete",
            calendars.delete,
            name="calendar_delete",
            methods=EDIT,
            permission=MANAGE,
        ),
        Page(
            "/calendars/{pk:int}/closures",
            closures.add,
            name="closure_add",
            methods=("POST",),
            permission=MANAGE,
        ),
        Page(
            "/calendars/{pk:int}/closures/{closure:int}/delete",
            closures.delete,
            name="closure_delete",
            methods=EDIT,
            permission=MANAGE,
        ),
    ]


@hookimpl
def register_menu_items(ctx: RequestContext) -> list[MenuItem]:
    if not ctx.can(VIEW):
        return []
    section = "Service catalogue"
    return [
        MenuItem("Services", ctx.url("catalogue:services"), section=section, order=30),
        MenuItem("Components", ctx.url("catalogue:components"), section=section, order=31),
        MenuItem("Business hours", ctx.url("catalogue:calendars"), section=section, order=32),
        MenuItem("Customer catalogue", ctx.url("catalogue:offer"), section=section, order=33),
    ]


@hookimpl
def register_dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    return [widgets.dashboard_widget(ctx)] if ctx.can(VIEW) else []


@hookimpl
def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    return widgets.search(ctx, query, limit) if ctx.can(VIEW) else []


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


@hookimpl
def load_demo_data(demo: DemoContext) -> None:
    add_demo_catalogue(demo)


@hookimpl
def register_setup_steps(ctx: RequestContext) -> list[SetupStep]:
    return setup.steps(ctx, MANAGE)
