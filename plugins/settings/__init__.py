"""Organisation administration: which plugins are on, and the audit log."""

from __future__ import annotations

from pathlib import Path

from accord import MenuItem, Page, Permission, RequestContext, hookimpl

from . import views


@hookimpl
def register_template_dir() -> Path:
    return Path(__file__).parent / "templates"


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission("settings.plugins", "Switch plugins on and off", roles=("admin",)),
        Permission("settings.audit", "Read the audit log", roles=("admin", "manager")),
    ]


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/plugins", views.plugin_list, name="plugins", permission="settings.plugins"),
        Page("/plugins/{plugin}/enable", views.enable, name="enable", methods=("POST",),
             permission="settings.plugins"),
        Page("/plugins/{plugin}/disable", views.disable, name="disable", methods=("GET", "POST"),
             permission="settings.plugins"),
        Page("/audit", views.audit_log, name="audit", permission="settings.audit"),
    ]


@hookimpl
def register_menu_items(ctx: RequestContext) -> list[MenuItem]:
    items = []
    if ctx.can("settings.plugins"):
        items.append(MenuItem("Plugins", ctx.url("settings:plugins"), section="Settings", order=900))
    if ctx.can("settings.audit"):
        items.append(MenuItem("Audit log", ctx.url("settings:audit"), section="Settings", order=910))
    return items
