"""The organisation's dashboard (widgets from enabled plugins) and the global search."""

from __future__ import annotations

from pathlib import Path

from accord import MenuItem, Page, Permission, RequestContext, Widget, hookimpl

from . import setup, views


@hookimpl
def register_template_dir() -> Path:
    return Path(__file__).parent / "templates"


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(setup.PERMISSION, "Hide the Getting started card for everyone", roles=("admin",))
    ]


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/", views.index, name="index"),
        Page("/search", views.search, name="search"),
        Page(
            "/getting-started/hide",
            views.hide_getting_started,
            name="hide_getting_started",
            methods=("POST",),
            permission=setup.PERMISSION,
        ),
    ]


@hookimpl
def register_menu_items(ctx: RequestContext) -> list[MenuItem]:
    return [MenuItem("Dashboard", ctx.url("dashboard:index"), section="Overview", order=0)]


@hookimpl
def register_dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    return [views.organisation_widget(ctx)]
