"""Announcements: service notices for staff, on a page, the dashboard and in search."""

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
    Widget,
    hookimpl,
)

from . import views
from .demo import add_demo_announcements
from .models import Announcement

HERE = Path(__file__).parent


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            "announcements.view",
            "Read announcements",
            roles=("admin", "manager", "agent", "viewer"),
        ),
        Permission(
            "announcements.manage", "Publish and delete announcements", roles=("admin", "manager")
        ),
    ]


@hookimpl
def register_routes() -> list[Page]:
    view, manage = "announcements.view", "announcements.manage"
    return [
        Page("/", views.announcement_list, name="list", permission=view),
        Page("/new", views.create, name="new", methods=("GET", "POST"), permission=manage),
        Page("/{pk:int}", views.detail, name="detail", permission=view),
        Page(
            "/{pk:int}/delete",
            views.delete,
            name="delete",
            methods=("GET", "POST"),
            permission=manage,
        ),
    ]


@hookimpl
def register_menu_items(ctx: RequestContext) -> list[MenuItem]:
    if not ctx.can("announcements.view"):
        return []
    return [MenuItem("Announcements", ctx.url("announcements:list"), section="Overview", order=10)]


@hookimpl
def register_dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    if not ctx.can("announcements.view"):
        return []
    return [views.dashboard_widget(ctx)]


@hookimpl
def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    if not ctx.can("announcements.view"):
        return []
    return views.search(ctx, query, limit)


@hookimpl
def register_template_dir() -> Path:
    return HERE / "templates"


@hookimpl
def register_migrations() -> Path:
    return HERE / "migrations"


@hookimpl
def register_models() -> list[type[peewee.Model]]:
    return [Announcement]


@hookimpl
def load_demo_data(demo: DemoContext) -> None:
    add_demo_announcements(demo)
