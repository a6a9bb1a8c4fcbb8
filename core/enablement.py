"""Which plugins are switched on for an organisation, stored in the database.

Every request reads the state afresh (one indexed query), so a change takes
effect on the next request in every worker with no restart.
"""

from __future__ import annotations

from .audit import record
from .clock import utcnow
from .db import database
from .host import PluginHost
from .lifecycle import uninstalled
from .models import Organisation, PluginEnablement
from .plugin_settings import missing


class EnablementError(Exception):
    """The change is refused; the message says why."""


class SettingsRequired(EnablementError):
    """Required settings have no value in the organisation yet: ``{plugin_id: [labels]}``."""

    def __init__(self, host: PluginHost, plugin_id: str, labels: dict[str, list[str]]) -> None:
        self.labels = labels
        named = [
            label if pid == plugin_id else f"{label} of {host.manifest(pid).title}"
            for pid, found in labels.items()
            for label in found
        ]
        text = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
        super().__init__(f"set {text} first")


def enabled_plugins(host: PluginHost, org: Organisation) -> frozenset[str]:
    rows = PluginEnablement.select(PluginEnablement.plugin).where(
        (PluginEnablement.org == org) & (PluginEnablement.enabled == True)  # noqa: E712
    )
    loaded = set(host.order)
    return host.always_on | frozenset(r.plugin for r in rows if r.plugin in loaded)


def _set(org: Organisation, plugin_id: str, enabled: bool) -> None:
    updated = (
        PluginEnablement.update(enabled=enabled, changed_at=utcnow())
        .where((PluginEnablement.org == org) & (PluginEnablement.plugin == plugin_id))
        .execute()
    )
    if not updated:
        PluginEnablement.create(org=org, plugin=plugin_id, enabled=enabled)


def _require_optional(host: PluginHost, plugin_id: str) -> None:
    info = host.plugins.get(plugin_id)
    if info is None:
        raise EnablementError(f"there is no plugin {plugin_id!r}")
    if not info.loaded:
        raise EnablementError(f"plugin {plugin_id} is not loaded: {info.reason}")
    if plugin_id in host.always_on:
        raise EnablementError(f"plugin {plugin_id} is part of the core and always on")


def enable(host: PluginHost, org: Organisation, plugin_id: str) -> list[str]:
    """Enable ``plugin_id`` and whatever it needs; return the plugins newly enabled.

    Refused (``SettingsRequired``) while any of them lacks a required setting in ``org``.
    """
    _require_optional(host, plugin_id)
    with database.atomic():
        current = enabled_plugins(host, org)
        wanted = [*host.dependencies(plugin_id), plugin_id]
        gone = sorted(set(wanted) & uninstalled())
        if gone:
            raise EnablementError(
                f"{', '.join(gone)} {'is' if len(gone) == 1 else 'are'} not installed; "
                f"run `accord plugins install {gone[0]}` first"
            )
        added = [pid for pid in wanted if pid not in current]
        unset = {pid: [s.label for s in missing(host.manifest(pid), org)] for pid in added}
        if any(unset.values()):
            raise SettingsRequired(host, plugin_id, {p: ls for p, ls in unset.items() if ls})
        for pid in added:
            _set(org, pid, True)
            note = "" if pid == plugin_id else f" (needed by {plugin_id})"
            record(org, "plugin.enable", f"enabled plugin {pid}{note}", plugin=pid)
        hooks = host.hooks_for(current | set(added))
        for pid in added:
            hooks.plugin_enabled(org=org, plugin_id=pid)
    return added


def disable(host: PluginHost, org: Organisation, plugin_id: str) -> bool:
    """Disable ``plugin_id``; refused while an enabled plugin depends on it. Data is kept.

    Returns whether it was on (False: nothing was done).
    """
    _require_optional(host, plugin_id)
    with database.atomic():
        current = enabled_plugins(host, org)
        if plugin_id not in current:
            return False
        dependents = [pid for pid in host.dependents(plugin_id) if pid in current]
        if dependents:
            raise EnablementError(
                f"{plugin_id} is needed by {', '.join(dependents)}; disable "
                f"{'it' if len(dependents) == 1 else 'them'} first"
            )
        host.hooks_for(current).plugin_disabled(org=org, plugin_id=plugin_id)
        _set(org, plugin_id, False)
        record(org, "plugin.disable", f"disabled plugin {plugin_id}", plugin=plugin_id)
    return True


def organisations_with(host: PluginHost, plugin_id: str) -> list[Organisation]:
    """Organisations where ``plugin_id`` is on: periodic tasks work for these only."""
    if plugin_id in host.always_on:
        return list(Organisation.select().order_by(Organisation.id))
    return list(
        Organisation.select()
        .join(PluginEnablement)
        .where((PluginEnablement.plugin == plugin_id) & (PluginEnablement.enabled == True))  # noqa: E712
        .order_by(Organisation.id)
    )
