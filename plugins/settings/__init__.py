"""Organisation administration: name and time zone, members, plugins, the audit log."""

from __future__ import annotations

from pathlib import Path

from accord import DemoContext, MenuItem, Page, Permission, RequestContext, SetupStep, hookimpl

from . import lifecycle, members, organisation, plugin_settings, setup, views


@hookimpl
def register_template_dir() -> Path:
    return Path(__file__).parent / "templates"


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission("settings.plugins", "Switch plugins on and off", roles=("admin",)),
        Permission("settings.audit", "Read the audit log", roles=("admin", "manager")),
        Permission(
            "settings.members",
            "Invite, deactivate and remove members, change roles, reset passwords",
            roles=("admin",),
        ),
        Permission(
            "settings.organisation", "Rename the organisation, set its time zone", roles=("admin",)
        ),
    ]


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/plugins", views.plugin_list, name="plugins", permission="settings.plugins"),
        Page(
            "/plugins/{plugin}/enable",
            views.enable,
            name="enable",
            methods=("POST",),
            permission="settings.plugins",
        ),
        Page(
            "/plugins/{plugin}/disable",
            views.disable,
            name="disable",
            methods=("GET", "POST"),
            permission="settings.plugins",
        ),
        Page(
            "/organisation",
            organisation.edit,
            name="organisation",
            methods=("GET", "POST"),
            permission="settings.organisation",
        ),
        Page("/audit", views.audit_log, name="audit", permission="settings.audit"),
        Page("/members", members.member_list, name="members", permission="settings.members"),
        Page(
            "/members/add",
            members.add,
            name="member_add",
            methods=("POST",),
            permission="settings.members",
        ),
        Page("/members/{member:int}", members.detail, name="member", permission="settings.members"),
        Page(
            "/invitations/{link:int}/resend",
            members.resend,
            name="invitation_resend",
            methods=("POST",),
            permission="settings.members",
        ),
        Page(
            "/invitations/{link:int}/withdraw",
            members.revoke,
            name="invitation_withdraw",
            methods=("POST",),
            permission="settings.members",
        ),
        Page(
            "/members/{member:int}/deactivate",
            members.deactivate,
            name="member_deactivate",
            methods=("GET", "POST"),
            permission="settings.members",
        ),
        Page(
            "/members/{member:int}/reactivate",
            members.reactivate,
            name="member_reactivate",
            methods=("POST",),
            permission="settings.members",
        ),
        Page(
            "/members/{member:int}/reset-password",
            members.reset_password,
            name="member_reset_password",
            methods=("POST",),
            permission="settings.members",
        ),
        Page(
            "/members/{member:int}/reset-two-factor",
            members.reset_two_factor,
            name="member_reset_two_factor",
            methods=("GET", "POST"),
            permission="settings.members",
        ),
        Page(
            "/members/{member:int}/role",
            members.change_role,
            name="member_role",
            methods=("POST",),
            permission="settings.members",
        ),
        Page(
            "/members/{member:int}/remove",
            members.remove,
            name="member_remove",
            methods=("GET", "POST"),
            permission="settings.members",
        ),
        Page(
            "/plugins/{plugin}/purge",
            lifecycle.purge,
            name="purge",
            methods=("GET", "POST"),
            permission="settings.plugins",
        ),
        Page(
            "/plugins/{plugin}/settings",
            plugin_settings.edit,
            name="plugin_settings",
            methods=("GET", "POST"),
            permission="settings.plugins",
        ),
    ]


@hookimpl
def register_menu_items(ctx: RequestContext) -> list[MenuItem]:
    items = []
    if ctx.can("settings.plugins"):
        items.append(
            MenuItem("Plugins", ctx.url("settings:plugins"), section="Settings", order=900)
        )
    if ctx.can("settings.members"):
        items.append(
            MenuItem("Members", ctx.url("settings:members"), section="Settings", order=905)
        )
    if ctx.can("settings.organisation"):
        items.append(
            MenuItem(
                "Organisation", ctx.url("settings:organisation"), section="Settings", order=895
            )
        )
    if ctx.can("settings.audit"):
        items.append(
            MenuItem("Audit log", ctx.url("settings:audit"), section="Settings", order=910)
        )
    return items


@hookimpl
def load_demo_data(demo: DemoContext) -> None:
    members.load_demo(demo)


@hookimpl
def register_setup_steps(ctx: RequestContext) -> list[SetupStep]:
    return setup.steps(ctx)
