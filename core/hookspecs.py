"""The hook contract between Accord's core and its plugins.

Every hook a plugin may implement is specified here, grouped by when it is
called. Hook implementations may be plain functions; return ``None`` (or
nothing) to contribute nothing. Per-request hooks are called only on plugins
enabled for the request's organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    import click
    import huey
    import peewee

    from .context import RequestContext
    from .models import Organisation
    from .settings import Settings
    from .types import (
        DemoContext,
        MenuItem,
        Page,
        Permission,
        SearchResult,
        SetupStep,
        Widget,
    )

hookspec = pluggy.HookspecMarker("accord")


def since(version: str) -> Callable[[F], F]:
    """Record the hook API version that introduced a hook (shown in the reference)."""

    def mark(fn: F) -> F:
        fn.accord_since = version  # type: ignore[attr-defined]
        return fn

    return mark


# ---------------------------------------------------------------------------
# Start-up: called once per process over every loaded plugin.
# ---------------------------------------------------------------------------


@since("1.0")
@hookspec
def startup(settings: Settings) -> None:
    """Prepare process-wide state after the database is open.

    Called once per process, before the first request. Do not keep state that
    must be shared between workers: several processes serve one instance.

    :param settings: the effective settings.
    """


@since("1.0")
@hookspec
def register_models() -> list[type[peewee.Model]]:
    """Return the peewee models this plugin owns.

    The core uses them to purge an organisation's data and to check that
    every table a plugin owns is named after it. Tables are created by
    migrations, not from this list.
    """


@since("1.0")
@hookspec
def register_migrations() -> Path | None:
    """Return the folder holding this plugin's migrations.

    Files named ``0001_name.py`` … each define ``up(migrator, db)``; they run
    in numeric order and are recorded in the plugin's own history, so two
    plugins never clash. ``accord migrate`` applies pending ones.
    """


@since("1.0")
@hookspec
def register_hookspecs() -> object:
    """Return a module or class of hook specifications this plugin publishes.

    Mark them with ``accord.hookspec``; other plugins implement them with
    ``@hookimpl`` and must list this plugin in ``depends`` (or mark their
    implementation ``@hookimpl(optionalhook=True)`` and list it in
    ``optional_depends``). Call them through ``ctx.hooks.<name>`` so only
    plugins enabled for the organisation answer.
    """


@since("1.0")
@hookspec
def register_permissions() -> list[Permission]:
    """Return the permissions this plugin checks and the roles that hold them."""


@since("1.0")
@hookspec
def register_routes() -> list[Page]:
    """Return the pages this plugin serves.

    Paths of organisation pages are relative to ``/o/<org>/<plugin>``; the
    core returns 404 for them where the plugin is disabled.
    """


@since("1.0")
@hookspec
def register_template_dir() -> Path | None:
    """Return the plugin's template folder.

    Put templates in a sub-folder named after the plugin
    (``templates/<plugin>/list.html``) so that names never collide.
    """


@since("1.0")
@hookspec
def register_static_dir() -> Path | None:
    """Return the plugin's static folder, served at ``/static/<plugin>/``."""


@since("1.0")
@hookspec
def register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``accord`` command line.

    :param cli: the top-level ``accord`` group; add commands or groups to it.
    """


@since("1.1")
@hookspec
def check_instance(settings: Settings) -> list[str]:
    """Return warnings for ``accord check``: what works, but less well than it should here.

    Called with the database connected and migrated as far as it is; say what
    is missing and how to fix it, one sentence each (an empty list: nothing).

    :param settings: the loaded application settings.
    """


@since("1.0")
@hookspec
def register_tasks(queue: huey.Huey) -> None:
    """Declare background and periodic tasks on the job queue.

    Use ``@queue.task()`` and ``@queue.periodic_task(crontab(...))``. Tasks run
    in ``accord worker``. A periodic task works across organisations, so it
    should act only where the plugin is enabled:
    ``accord.enablement.organisations_with(host, "<plugin>")``.

    A task queued by a page or by another task (``accord.jobs.enqueue``) reaches
    the queue only once that page's or task's changes are committed, and never if
    they are rolled back. Each periodic task runs once per period however many
    workers run (the first to claim the period runs it); still write it so that a
    second run changes nothing, since a period whose claim fails is run anyway.
    Return values are not kept: record results in the database.

    :param queue: the instance's huey queue (SQLite or Redis backed).
    """


# ---------------------------------------------------------------------------
# Per request: called only on plugins enabled for the organisation.
# ---------------------------------------------------------------------------


@since("1.0")
@hookspec
def register_menu_items(ctx: RequestContext) -> list[MenuItem]:
    """Return navigation entries for the current user in the current organisation.

    Check ``ctx.can(permission)`` so users see only what they may open.

    :param ctx: the request's organisation, user and permissions.
    """


@since("1.0")
@hookspec
def register_dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    """Return cards for the organisation's dashboard.

    :param ctx: the request's organisation, user and permissions.
    """


@since("1.1")
@hookspec
def register_setup_steps(ctx: RequestContext) -> list[SetupStep]:
    """Return what a new organisation must set up before this plugin is useful.

    The dashboard lists every enabled plugin's steps on its "Getting started"
    card, in ``order``, until all are done. Compute ``done`` from the data with
    a cheap query (an ``exists()``, never a scan): it runs on every dashboard
    view. Give ``url`` only when ``ctx.can()`` the permission the page needs,
    and name in ``who`` the people who can do it, so others know whom to ask.

    :param ctx: the request's organisation, user and permissions.
    """


@since("1.0")
@hookspec
def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    """Return records matching ``query`` for the global search box.

    Return at most ``limit`` results the user may see, best first.

    :param ctx: the request's organisation, user and permissions.
    :param query: the text the user typed, stripped, never empty.
    :param limit: the most results wanted from this plugin.
    """


@since("1.0")
@hookspec
def fill_slot(ctx: RequestContext, slot: str, context: dict[str, Any]) -> str | None:
    """Return HTML for a named slot on another plugin's page, or None.

    Pages declare slots with ``{{ slot("contacts.person.side", person=person) }}``;
    ``slot`` is that name and ``context`` its keyword arguments. Return markup
    you have escaped (render a template of your own). An implementation that
    raises shows nothing to users and a placeholder to admins; the page still
    renders.

    :param ctx: the request's organisation, user and permissions.
    :param slot: the slot's name, ``<plugin>.<page>.<place>`` by convention.
    :param context: what the page passes to the slot (the record shown, …).
    """


# ---------------------------------------------------------------------------
# Organisation lifecycle and data.
# ---------------------------------------------------------------------------


@since("1.0")
@hookspec
def plugin_enabled(org: Organisation, plugin_id: str) -> None:
    """React to a plugin being enabled for an organisation.

    Called on every plugin enabled there, the new one included, inside the
    transaction that enables it.

    :param org: the organisation.
    :param plugin_id: the plugin just enabled.
    """


@since("1.2")
@hookspec
def check_plugin_settings(
    settings: Settings, org: Organisation, plugin_id: str, values: dict[str, Any]
) -> dict[str, str]:
    """Return what is wrong with settings an organisation is saving, by setting key.

    Called on every loaded plugin when someone saves the settings of
    ``plugin_id`` in the settings form, after each value passed its type's
    check (so ``values`` are cleaned: integers are ints); answer only for your
    own ``plugin_id``, with one sentence per setting (an empty dict: all is
    well). The form shows the messages beside their fields with status 422 and
    saves nothing. Use it for checks a type cannot make: a server name the
    instance does not allow, two settings that contradict each other.

    :param settings: the loaded application settings (instance-wide limits).
    :param org: the organisation whose settings are saved.
    :param plugin_id: the plugin whose settings are saved.
    :param values: the cleaned values by setting key (secrets may be empty: kept).
    """


@since("1.0")
@hookspec
def plugin_disabled(org: Organisation, plugin_id: str) -> None:
    """React to a plugin being disabled for an organisation (its data is kept).

    Called on the plugins still enabled there and on the one disabled.

    :param org: the organisation.
    :param plugin_id: the plugin just disabled.
    """


@since("1.0")
@hookspec
def purge_org_data(org: Organisation, dry_run: bool) -> dict[str, int] | None:
    """Count, or delete, this plugin's data of ``org`` kept outside its TenantModels.

    The core itself deletes the rows of the ``TenantModel`` s returned by
    ``register_models``; implement this only for other data of the
    organisation (rows keyed another way, files, an index). Called only on
    the plugin being purged, before the core deletes its rows, inside the
    purge's transaction. Return ``{name: count}`` with names ``<plugin>_…``.

    :param org: the organisation whose data is purged.
    :param dry_run: True to count only; False to delete, returning what was deleted.
    """


@since("1.0")
@hookspec
def handle_event(org: Organisation, event: str, payload: dict[str, Any]) -> None:
    """React to a domain event (``incident.created``, ``contact.merged`` …).

    Delivered after the transaction that emitted it commits, and only to
    plugins enabled for ``org``. Slow work belongs in a background task:
    enqueue one from here.

    :param org: the organisation the event happened in.
    :param event: the event's name, ``<plugin>.<what happened>``.
    :param payload: JSON-serialisable details chosen by the emitting plugin.
    """


@since("1.0")
@hookspec
def load_demo_data(demo: DemoContext) -> None:
    """Fill the demo organisation with realistic records of this plugin.

    Called in dependency order, so a plugin finds its dependencies' demo
    records already there.

    :param demo: the organisation and the demo users by role.
    """


# ---------------------------------------------------------------------------
# Errors.
# ---------------------------------------------------------------------------


@since("1.0")
@hookspec(firstresult=True)
def render_error(request: Any, status_code: int, message: str) -> Any:
    """Return the response for an error page, or None to leave it to others.

    Stops at first non-None result.

    :param request: the request that failed (a Starlette ``Request``).
    :param status_code: 403, 404, 409, 422, 429, 500, 503 ….
    :param message: a sentence for a person, never a traceback.
    """
