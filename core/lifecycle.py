"""A plugin's life on an instance: installed, purged for an organisation, uninstalled.

*Available* once its package is found; *installed* once its migrations have
run (``accord migrate`` installs every plugin not uninstalled); *enabled* or
*disabled* per organisation (``enablement.py``); *purged* for one organisation
when its rows there are deleted; *uninstalled* when its tables are dropped and
its migration history forgotten, so installing it again starts afresh.

Purge and uninstall are exact because of one rule: every table a plugin
declares in ``register_models`` is named ``<plugin id>_…``, and a plugin that
adds data to another plugin's records does so in tables of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee
from peewee import CharField, DateTimeField

from .audit import record
from .clock import utcnow
from .db import BaseModel, database
from .models import Organisation, PluginEnablement, TenantModel
from .schema import MigrationRecord, migrate, pending

if TYPE_CHECKING:
    from .host import PluginHost

INSTALLED, UNINSTALLED = "installed", "uninstalled"
Models = list[type[peewee.Model]]


class PluginInstall(BaseModel):
    """Whether a plugin's tables are in this database, and at which version."""

    plugin = CharField(max_length=100, unique=True)
    version = CharField(max_length=50)
    state = CharField(max_length=20, choices=[(INSTALLED, INSTALLED), (UNINSTALLED, UNINSTALLED)])
    changed_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "accord_plugin_install"


class LifecycleError(Exception):
    """The transition is refused; the message says why."""


def uninstalled() -> frozenset[str]:
    """Plugins uninstalled from this instance: their migrations are not run."""
    if not PluginInstall.table_exists():  # the core's 0004 has not run yet
        return frozenset()
    rows = PluginInstall.select(PluginInstall.plugin).where(PluginInstall.state == UNINSTALLED)
    return frozenset(r.plugin for r in rows)


def state_of(plugin_id: str) -> str:
    """``"installed"``, ``"uninstalled"`` or ``"available"`` (found, never migrated)."""
    row = PluginInstall.get_or_none(PluginInstall.plugin == plugin_id)
    return str(row.state) if row else "available"


def record_installs(host: PluginHost, plugin_ids: list[str]) -> None:
    """Mark these loaded plugins installed unless uninstalled (after ``migrate``)."""
    known = {r.plugin: r for r in PluginInstall.select()}
    for pid in plugin_ids:
        version, row = host.manifest(pid).version, known.get(pid)
        if row is None:
            PluginInstall.create(plugin=pid, version=version, state=INSTALLED)
            record(None, "plugin.install", f"installed plugin {pid} {version}", plugin=pid)
        elif row.state == INSTALLED and row.version != version:
            change = {"version": [row.version, version]}
            row.version, row.changed_at = version, utcnow()
            row.save()
            summary = f"plugin {pid} is now version {version}"
            record(None, "plugin.upgrade", summary, plugin=pid, changes=change)


def _set_state(host: PluginHost, plugin_id: str, state: str) -> None:
    values = {"version": host.manifest(plugin_id).version, "state": state, "changed_at": utcnow()}
    if not PluginInstall.update(**values).where(PluginInstall.plugin == plugin_id).execute():
        PluginInstall.create(plugin=plugin_id, **values)


# --- ownership -------------------------------------------------------------


def foreign_tables(plugin_id: str, models: Models, plugin_ids: list[str]) -> list[str]:
    """Tables among ``models`` not named after ``plugin_id``.

    A table belongs to the plugin with the longest id it starts with (so
    ``notes_extra_tag`` is ``notes_extra``'s, not ``notes``'); ``accord_``
    tables belong to the core.
    """
    owners = sorted({*plugin_ids, plugin_id, "accord"}, key=len, reverse=True)
    tables = [m._meta.table_name for m in models]
    return [
        t for t in tables if next((o for o in owners if t.startswith(o + "_")), "") != plugin_id
    ]


def models_of(host: PluginHost, plugin_id: str) -> Models:
    """The models ``plugin_id`` declares (with its integrations'), parents first."""
    found: Models = []
    for name, models in host.impls_by_plugin("register_models"):
        if name.split("+")[0] == plugin_id:
            found.extend(models)
    return list(peewee.sort_models(found))  # type: ignore[attr-defined]


def ownership_problems(host: PluginHost) -> list[str]:
    """One line per loaded plugin declaring a table not named after it."""
    ids = list(host.plugins)
    problems = []
    for pid in host.order:
        foreign = foreign_tables(pid, models_of(host, pid), ids)
        if foreign:
            problems.append(
                f"plugin {pid} declares tables not named after it: {', '.join(foreign)}"
            )
    return problems


def _require(host: PluginHost, plugin_id: str) -> None:
    info = host.plugins.get(plugin_id)
    if info is None:
        raise LifecycleError(f"there is no plugin {plugin_id!r}")
    if not info.loaded:
        raise LifecycleError(f"plugin {plugin_id} is not loaded: {info.reason}")
    foreign = foreign_tables(plugin_id, models_of(host, plugin_id), list(host.plugins))
    if foreign:
        raise LifecycleError(
            f"plugin {plugin_id} declares tables not named after it ({', '.join(foreign)}), "
            "so its data cannot be removed exactly"
        )


# --- purge one organisation's data -----------------------------------------


def _tenant_tables(host: PluginHost, plugin_id: str) -> list[type[TenantModel]]:
    """The plugin's organisation-owned models whose tables exist, children first."""
    existing = set(database.get_tables())
    models = models_of(host, plugin_id)
    return [
        m for m in reversed(models) if issubclass(m, TenantModel) and m._meta.table_name in existing
    ]


def _hook_data(
    host: PluginHost, org: Organisation, plugin_id: str, dry_run: bool
) -> dict[str, int]:
    """Rows the plugin's own ``purge_org_data`` reports (or deletes), if it has one."""
    caller = getattr(host.pm.hook, "purge_org_data", None)
    counts: dict[str, int] = {}
    for impl in caller.get_hookimpls() if caller else []:
        if impl.plugin_name.split("+")[0] == plugin_id:
            args = {"org": org, "dry_run": dry_run}
            counts.update(impl.function(**{k: args[k] for k in impl.argnames}) or {})
    return counts


def purge_counts(host: PluginHost, org: Organisation, plugin_id: str) -> dict[str, int]:
    """Rows per table that purging ``plugin_id`` from ``org`` would delete."""
    counts = _hook_data(host, org, plugin_id, dry_run=True)
    for model in _tenant_tables(host, plugin_id):
        counts[model._meta.table_name] = model.select().where(model.org == org).count()
    return counts


def has_data(host: PluginHost, org: Organisation, plugin_id: str) -> bool:
    """Whether ``plugin_id`` holds rows of ``org`` (to offer "Purge data…")."""
    return any(purge_counts(host, org, plugin_id).values())


def purge_refusal(host: PluginHost, org: Organisation, plugin_id: str) -> str | None:
    """Why ``plugin_id``'s data of ``org`` may not be purged now, or None."""
    _require(host, plugin_id)
    if plugin_id in host.always_on:
        return f"{plugin_id} is part of the core and always on"
    enabled = PluginEnablement.select().where(
        (PluginEnablement.org == org)
        & (PluginEnablement.plugin == plugin_id)
        & (PluginEnablement.enabled == True)  # noqa: E712
    )
    if enabled.exists():
        return f"{plugin_id} is enabled for {org.slug}; disable it first"
    holders = sorted(
        owner
        for owner, models in _referrers(host, plugin_id).items()
        if any(
            m.select().where(m.org == org).exists() for m in models if issubclass(m, TenantModel)
        )
    )
    if holders:
        holds, them = ("holds", "it") if len(holders) == 1 else ("hold", "them")
        return (
            f"{', '.join(holders)} still {holds} data of {org.slug} that refers to "
            f"{plugin_id}'s; purge {them} first"
        )
    return None


def purge(
    host: PluginHost, org: Organisation, plugin_id: str, *, dry_run: bool = True
) -> dict[str, int]:
    """Count (``dry_run``) or delete ``plugin_id``'s rows of ``org``; return rows per table.

    Deleting is refused while the plugin is enabled there, or while another
    plugin holds rows of ``org`` referring to these. Children go before
    parents; one audit entry records the counts.
    """
    if dry_run:
        _require(host, plugin_id)
        return purge_counts(host, org, plugin_id)
    with database.atomic():
        refusal = purge_refusal(host, org, plugin_id)
        if refusal:
            raise LifecycleError(refusal)
        counts = _hook_data(host, org, plugin_id, dry_run=False)
        for model in _tenant_tables(host, plugin_id):
            counts[model._meta.table_name] = model.delete().where(model.org == org).execute()
        record(
            org,
            "plugin.purge",
            f"purged plugin {plugin_id}: {describe(counts)}",
            plugin=plugin_id,
            changes={table: [n, 0] for table, n in counts.items()},
        )
    return counts


def describe(counts: dict[str, int]) -> str:
    """``"3 rows (notes_note 2, notes_notebook 1)"``."""
    total = sum(counts.values())
    detail = ", ".join(f"{table} {n}" for table, n in counts.items() if n)
    return f"{total} row{'' if total == 1 else 's'}" + (f" ({detail})" if detail else "")


# --- install and uninstall -------------------------------------------------


def _referrers(host: PluginHost, plugin_id: str) -> dict[str, Models]:
    """Other plugins' models with a foreign key to one of ``plugin_id``'s, by owner."""
    mine = set(models_of(host, plugin_id))
    found: dict[str, Models] = {}
    for name, models in host.impls_by_plugin("register_models"):
        owner = name.split("+")[0]
        for model in models if owner != plugin_id else []:
            if any(rel in mine for rel in model._meta.refs.values()):
                found.setdefault(owner, []).append(model)
    return found


def orgs_holding_data(host: PluginHost, plugin_id: str) -> list[Organisation]:
    # One pass over every organisation: uninstalling is rare, and exactness
    # (the plugin's own purge hook included) matters more than speed here.
    orgs = Organisation.select().order_by(Organisation.slug)
    return [org for org in orgs if has_data(host, org, plugin_id)]


def uninstall_refusal(host: PluginHost, plugin_id: str) -> str | None:
    """Why ``plugin_id`` may not be uninstalled now, or None."""
    _require(host, plugin_id)
    if plugin_id in host.always_on:
        return f"{plugin_id} is part of the core and cannot be uninstalled"
    gone = uninstalled()
    if plugin_id in gone:
        return f"{plugin_id} is already uninstalled"
    needing = [pid for pid in host.dependents(plugin_id) if pid not in gone]
    needing += sorted(set(_referrers(host, plugin_id)) - gone - set(needing))
    if needing:
        them = "it" if len(needing) == 1 else "them"
        return f"{plugin_id} is needed by {', '.join(needing)}; uninstall {them} first"
    holding = [org.slug for org in orgs_holding_data(host, plugin_id)]
    if holding:
        holds = "holds" if len(holding) == 1 else "hold"
        return (
            f"{', '.join(holding)} still {holds} data of {plugin_id}; purge it there first "
            f"(accord plugins purge {plugin_id} --org {holding[0]})"
        )
    return None


def tables_of(host: PluginHost, plugin_id: str) -> list[str]:
    """The plugin's tables that exist, in the order uninstall drops them."""
    existing = set(database.get_tables())
    tables = [m._meta.table_name for m in reversed(models_of(host, plugin_id))]
    return [t for t in tables if t in existing]


def uninstall(host: PluginHost, plugin_id: str) -> list[str]:
    """Drop ``plugin_id``'s tables and forget its migrations; return the tables dropped."""
    with database.atomic():
        refusal = uninstall_refusal(host, plugin_id)
        if refusal:
            raise LifecycleError(refusal)
        dropped = tables_of(host, plugin_id)
        states = PluginEnablement.select().where(PluginEnablement.plugin == plugin_id)
        for state in states.where(PluginEnablement.enabled == True):  # noqa: E712
            record(
                state.org,
                "plugin.disable",
                f"disabled plugin {plugin_id} (uninstalled)",
                plugin=plugin_id,
            )
        PluginEnablement.delete().where(PluginEnablement.plugin == plugin_id).execute()
        database.drop_tables(models_of(host, plugin_id), safe=True)  # children first
        MigrationRecord.delete().where(
            (MigrationRecord.plugin == plugin_id)
            | MigrationRecord.plugin.startswith(f"{plugin_id}+")
        ).execute()
        _set_state(host, plugin_id, UNINSTALLED)
        summary = f"uninstalled plugin {plugin_id}; dropped {', '.join(dropped) or 'no tables'}"
        record(
            None,
            "plugin.uninstall",
            summary,
            plugin=plugin_id,
            changes={"state": [INSTALLED, UNINSTALLED]},
        )
    return dropped


def install(host: PluginHost, plugin_id: str) -> list[str]:
    """Mark ``plugin_id`` installed and run its pending migrations; return them.

    Each migration runs in its own transaction, as ``accord migrate`` runs it:
    if one fails, the plugin stays installed with that migration pending.
    """
    _require(host, plugin_id)
    with database.atomic():
        if any(item.plugin == "core" for item in pending(host)):
            raise LifecycleError("the core's migrations are pending; run `accord migrate` first")
        missing = [pid for pid in host.dependencies(plugin_id) if pid in uninstalled()]
        if missing:
            which, them = ("is", "it") if len(missing) == 1 else ("are", "them")
            raise LifecycleError(
                f"{plugin_id} needs {', '.join(missing)}, which {which} uninstalled; "
                f"install {them} first"
            )
        before = state_of(plugin_id)
        _set_state(host, plugin_id, INSTALLED)
        if before != INSTALLED:
            version = host.manifest(plugin_id).version
            record(
                None,
                "plugin.install",
                f"installed plugin {plugin_id} {version}",
                plugin=plugin_id,
                changes={"state": [before, INSTALLED]},
            )
    return migrate(host, plugin=plugin_id)
