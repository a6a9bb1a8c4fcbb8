"""Plugin administration and the audit log."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from accord import (
    Column,
    Filter,
    Table,
    flash,
    history,
    plugin_settings,
    redirect,
    render,
    render_table,
)
from accord.enablement import EnablementError
from accord.enablement import disable as disable_plugin
from accord.enablement import enable as enable_plugin
from accord.lifecycle import has_data, uninstalled
from accord.models import AuditEntry, Membership, Organisation, User

AUDIT_PAGE_SIZE = 50
AUDIT_ACTIONS = [
    ("create", "Created"),
    ("update", "Changed"),
    ("delete", "Deleted"),
    ("plugin.enable", "Plugin enabled"),
    ("plugin.disable", "Plugin disabled"),
    ("plugin.settings", "Plugin settings changed"),
    ("plugin.purge", "Plugin data purged"),
    ("member.remove", "Member removed"),
    ("member.set", "Role set"),
]
SYSTEM_ACTOR = "system"


def _host(request: Request):
    return request.app.state.accord.host


def plugin_list(request: Request) -> Response:
    ctx = request.state.ctx
    host = _host(request)
    unset = plugin_settings.missing_by_plugin(host, ctx.org)
    gone = uninstalled()
    rows = [
        {
            "manifest": host.manifest(pid),
            "enabled": pid in ctx.enabled,
            "dependents": [d for d in host.dependents(pid) if d in ctx.enabled],
            "source": host.plugins[pid].source,
            "missing": [spec.label for spec in unset.get(pid, [])],
            "has_data": pid not in ctx.enabled and has_data(host, ctx.org, pid),
            "installed": pid not in gone,
            "warning": host.plugins[pid].warning,
        }
        for pid in host.optional()
    ]
    return render(
        request,
        "settings/plugins.html",
        {"rows": rows, "quarantined": host.quarantined(), "title": "Plugins"},
        block="plugin_table",
    )


def _optional_plugin(request: Request) -> str:
    plugin_id = request.path_params["plugin"]
    if plugin_id not in _host(request).optional():
        raise HTTPException(404)
    return plugin_id


def enable(request: Request) -> Response:
    plugin_id = _optional_plugin(request)
    ctx = request.state.ctx
    try:
        added = enable_plugin(_host(request), ctx.org, plugin_id)
    except EnablementError as exc:
        title = _host(request).manifest(plugin_id).title
        flash(request, f"{title} was not enabled: {exc}.", "error")
        return redirect(request, ctx.url("settings:plugins"))
    extra = [pid for pid in added if pid != plugin_id]
    message = f"{_host(request).manifest(plugin_id).title} is enabled."
    if extra:
        message += f" Also enabled, because it needs them: {', '.join(extra)}."
    flash(request, message)
    return redirect(request, ctx.url("settings:plugins"))


def disable(request: Request) -> Response:
    plugin_id = _optional_plugin(request)
    ctx = request.state.ctx
    host = _host(request)
    manifest = host.manifest(plugin_id)
    if request.method == "GET":
        return render(
            request, "settings/disable.html", {"manifest": manifest, "title": "Disable plugin"}
        )
    try:
        disable_plugin(host, ctx.org, plugin_id)
    except EnablementError as exc:
        flash(request, f"{manifest.title} was not disabled: {exc}.", "error")
    else:
        flash(
            request,
            f"{manifest.title} is disabled. Its data is kept and returns when you enable it again.",
        )
    return redirect(request, ctx.url("settings:plugins"))


def _plugin_choices(request: Request) -> list[tuple[str, str]]:
    host = _host(request)
    return [("core", "Core"), *((pid, host.manifest(pid).title) for pid in host.order)]


def _actor_choices(request: Request) -> list[tuple[str, str]]:
    members = (
        User.select(User.id, User.email)
        .join(Membership)
        .where(Membership.org == request.state.ctx.org)
        .order_by(User.email)
    )
    return [
        *((str(u.id), u.email) for u in members),
        (SYSTEM_ACTOR, "No one (system, sign-in, tests)"),
    ]


def _by_actor(value: str):
    return AuditEntry.actor.is_null() if value == SYSTEM_ACTOR else AuditEntry.actor == int(value)


def _changes(entry: AuditEntry) -> str:
    # One row at a time (CSV): related records show as #id rather than a query per row.
    return history.as_text(history.describe([entry], entry.org, related=False)[0])


AUDIT_TABLE = Table(
    AuditEntry,
    [
        Column("When", "at", sortable=True),
        Column(
            "Who",
            "actor_label",
            sortable=True,
            accessor=lambda e: history.actor_label(e.actor_label),
        ),
        Column(
            "Action", "action", sortable=True, accessor=lambda e: history.action_label(e.action)
        ),
        Column("Plugin", "plugin", sortable=True),
        Column("What", "summary", accessor=history.what),
        Column("Changes", accessor=_changes),
    ],
    search=["summary", "actor_label", "record_id"],
    filters=[
        Filter("plugin", "Plugin", _plugin_choices),
        Filter("action", "Action", AUDIT_ACTIONS),
        Filter("actor", "Who", _actor_choices, where=_by_actor),
    ],
    sort="-at",
    page_size=AUDIT_PAGE_SIZE,
    filename="audit-log",
    empty_message="Nothing has been recorded for this organisation yet.",
    search_label="Search the audit log",
    id="audit",
    zone_in_headers=True,
)


def audit_log(request: Request) -> Response:
    """The organisation's audit log; ``?format=csv`` downloads every entry the filters select."""
    # The organisation comes with each entry, so the CSV shows its times without a query per row.
    entries = (
        AuditEntry.select(AuditEntry, Organisation)
        .join(Organisation)
        .where(AuditEntry.org == request.state.ctx.org)
    )
    return render_table(
        request,
        AUDIT_TABLE,
        entries,
        "settings/audit.html",
        {"title": "Audit log", "plugin_titles": dict(_plugin_choices(request))},
    )
