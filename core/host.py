"""Find plugins, check their manifests, load them in dependency order.

A plugin that cannot load (invalid manifest, incompatible core API, missing
dependency, import error, unknown hook) is quarantined with its reason; the
host starts without it.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Any

import pluggy

from . import hookspecs
from .audit import PLUGIN_PACKAGES
from .manifest import Manifest, ManifestError, read_manifest
from .settings import Settings
from .version import CORE_API

log = logging.getLogger("accord.plugins")

ENTRY_POINT_GROUP = "accord.plugins"
hookimpl = pluggy.HookimplMarker("accord")


@dataclass
class PluginInfo:
    """What the host knows of one plugin, loaded or not."""

    module: str
    source: str  # "builtin" or "entry point <dist>"
    manifest: Manifest | None = None
    status: str = "pending"  # "loaded" or "quarantined"
    reason: str = ""
    warning: str = ""  # loaded, but something the operator should know

    @property
    def id(self) -> str:
        return self.manifest.id if self.manifest else self.module

    @property
    def loaded(self) -> bool:
        return self.status == "loaded"


class HookSubset:
    """``pm.hook``, restricted to the plugins enabled for one organisation."""

    def __init__(self, pm: pluggy.PluginManager, removed: frozenset[str]) -> None:
        self._pm = pm
        self._removed = [p for p in (pm.get_plugin(name) for name in removed) if p is not None]
        self._callers: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        caller = self._callers.get(name)
        if caller is None:
            caller = self._pm.subset_hook_caller(name, self._removed)
            self._callers[name] = caller
        return caller


class PluginHost:
    """The loaded plugins and the plugin manager that calls them."""

    def __init__(
        self,
        pm: pluggy.PluginManager,
        plugins: dict[str, PluginInfo],
        integrations: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self.pm = pm
        self.plugins = plugins
        # Registered name ("incidents+suppliers") -> the two plugins it needs enabled.
        self.integrations = integrations or {}
        self.order = [pid for pid, info in plugins.items() if info.loaded]
        self.always_on = frozenset(
            pid for pid in self.order if plugins[pid].manifest and plugins[pid].manifest.always_on
        )
        self._subset = lru_cache(maxsize=512)(self._make_subset)

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def loaded(self) -> list[PluginInfo]:
        return [self.plugins[pid] for pid in self.order]

    def quarantined(self) -> list[PluginInfo]:
        return [info for info in self.plugins.values() if not info.loaded]

    def manifest(self, plugin_id: str) -> Manifest:
        info = self.plugins[plugin_id]
        assert info.manifest is not None
        return info.manifest

    def optional(self) -> list[str]:
        """Loaded plugins an organisation may switch on and off."""
        return [pid for pid in self.order if pid not in self.always_on]

    def hooks_for(self, enabled: Iterable[str]) -> HookSubset:
        """Hook callers for an organisation with ``enabled`` plugins switched on.

        Cached per distinct set of enabled plugins, not per organisation, so
        the cost does not grow with the number of organisations.
        """
        on = frozenset(enabled) | self.always_on
        removed = frozenset(self.optional()) - on
        removed |= {name for name, pair in self.integrations.items() if not set(pair) <= on}
        return self._subset(frozenset(removed))

    def _make_subset(self, removed: frozenset[str]) -> HookSubset:
        return HookSubset(self.pm, removed)

    def dependencies(self, plugin_id: str) -> list[str]:
        """Every plugin ``plugin_id`` needs, transitively, in load order."""
        needed: set[str] = set()
        stack = [plugin_id]
        while stack:
            for dep in self.manifest(stack.pop()).depends:
                if dep not in needed:
                    needed.add(dep)
                    stack.append(dep)
        return [pid for pid in self.order if pid in needed]

    def dependents(self, plugin_id: str) -> list[str]:
        """Every loaded plugin that needs ``plugin_id``, transitively."""
        return [pid for pid in self.order if plugin_id in self.dependencies(pid)]

    def in_load_order(self, impls: list[Any]) -> list[Any]:
        """``impls`` sorted by their plugin's place in the load (dependency) order.

        An integration ("a+b") comes after both of its plugins.
        """
        rank = {pid: index for index, pid in enumerate(self.order)}
        last = len(rank)

        def place(impl: Any) -> int:
            return max(rank.get(part, last) for part in impl.plugin_name.split("+"))

        return sorted(impls, key=place)

    def impls_by_plugin(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook_name`` on each plugin separately, in load order.

        Returns ``[(plugin_id, result), …]``, leaving out ``None`` results.

        For start-up hooks whose results must be attributed to their plugin
        (routes are mounted under the plugin's own prefix) or follow the
        dependency order (migrations create tables before others point at them).
        """
        caller = getattr(self.pm.hook, hook_name)
        results = []
        for impl in self.in_load_order(caller.get_hookimpls()):
            args = {name: kwargs[name] for name in impl.argnames}
            result = impl.function(**args)
            if result is not None:
                results.append((impl.plugin_name, result))
        return results


def _discover(settings: Settings, *, entry_points: bool = True) -> list[PluginInfo]:
    found = [PluginInfo(module, "builtin") for module in settings.get("plugins", "builtin", [])]
    if not entry_points:
        return found
    if settings.safe_mode:
        log.warning("safe mode: third-party plugins are not loaded")
        return found
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist else "unknown distribution"
        found.append(PluginInfo(ep.value.split(":")[0], f"entry point of {dist}"))
    return found


def _quarantine(info: PluginInfo, reason: str) -> None:
    info.status, info.reason = "quarantined", reason
    log.error("plugin %s not loaded: %s", info.id, reason)


def _dependency_order(candidates: dict[str, PluginInfo]) -> list[str]:
    """Topological order with a stable tie-break (plugin id); quarantines what cannot load."""
    changed = True
    while changed:  # a missing dependency may make its dependents unloadable too
        changed = False
        for info in list(candidates.values()):
            assert info.manifest is not None
            missing = [d for d in info.manifest.depends if d not in candidates]
            if missing:
                _quarantine(info, f"needs {', '.join(missing)}, which is not available")
                del candidates[info.id]
                changed = True
    order: list[str] = []
    placed: set[str] = set()
    remaining = sorted(candidates)
    while remaining:
        ready = [
            pid
            for pid in remaining
            if set(candidates[pid].manifest.depends) <= placed  # type: ignore[union-attr]
        ]
        if not ready:
            for pid in remaining:
                _quarantine(
                    candidates[pid], "is part of a dependency cycle: " + ", ".join(remaining)
                )
            break
        order.extend(ready)
        placed.update(ready)
        remaining = [pid for pid in remaining if pid not in placed]
    return order


def _foreign_tables(pm: pluggy.PluginManager, pid: str, ids: list[str]) -> list[str]:
    """Tables ``pid`` declares in ``register_models`` not named ``<pid>_…``."""
    from .lifecycle import foreign_tables  # imported late: lifecycle builds on the host

    models = [
        model
        for impl in pm.hook.register_models.get_hookimpls()
        if impl.plugin_name == pid
        for model in impl.function() or []
    ]
    return foreign_tables(pid, models, ids)


def build_host(
    settings: Settings,
    *,
    extra: Iterable[tuple[str, str]] = (),
    objects: Iterable[tuple[object, Manifest]] = (),
    entry_points: bool = True,
    core_api: str = CORE_API,
) -> PluginHost:
    """Discover, validate and register plugins.

    ``extra`` adds ``(module, source)`` pairs to what is discovered; ``objects``
    adds already-imported plugin objects with their manifests (throwaway
    plugins in tests); ``entry_points=False`` skips pip-installed plugins.
    """
    pm = pluggy.PluginManager("accord")
    pm.add_hookspecs(hookspecs)
    infos = _discover(settings, entry_points=entry_points)
    infos += [PluginInfo(module, source) for module, source in extra]
    provided: dict[str, object] = {}
    for obj, manifest in objects:
        infos.append(PluginInfo(f"<{manifest.id}>", "registered object", manifest))
        provided[manifest.id] = obj
    candidates: dict[str, PluginInfo] = {}
    every: dict[str, PluginInfo] = {}
    for info in infos:
        try:
            info.manifest = info.manifest or read_manifest(info.module)
        except ManifestError as exc:
            every[info.module] = info
            _quarantine(info, f"invalid manifest: {exc}")
            continue
        if info.id in every:
            _quarantine(info, f"id {info.id} is already taken by {every[info.id].module}")
            every[f"{info.module} (duplicate)"] = info
            continue
        every[info.id] = info
        if not info.manifest.fits_core(core_api):
            _quarantine(
                info, f"needs core API {info.manifest.core_api}, this Accord offers {core_api}"
            )
            continue
        if info.manifest.untested_with(core_api):
            info.warning = (
                f"tested up to core API {info.manifest.tested_up_to}; this Accord offers {core_api}"
            )
            log.warning("plugin %s %s", info.id, info.warning)
        candidates[info.id] = info

    loaded: list[str] = []
    for pid in _dependency_order(candidates):
        info = candidates[pid]
        broken = [d for d in info.manifest.depends if not every[d].loaded]  # type: ignore[union-attr]
        if broken:
            _quarantine(info, f"needs {', '.join(broken)}, which failed to load")
            continue
        try:
            module = provided[pid] if pid in provided else importlib.import_module(info.module)
            pm.register(module, name=pid)
        except Exception as exc:  # a third-party import may raise anything
            _quarantine(info, f"failed to import: {type(exc).__name__}: {exc}")
            continue
        unknown = [
            caller.name
            for caller in pm.get_hookcallers(module) or []
            if not caller.has_spec()
            and not all(impl.optionalhook for impl in caller.get_hookimpls())
        ]
        if unknown:
            pm.unregister(module)
            _quarantine(info, f"implements unknown hooks: {', '.join(sorted(unknown))}")
            continue
        foreign = _foreign_tables(pm, pid, list(every))
        if foreign:
            pm.unregister(module)
            _quarantine(info, f"declares tables not named after it: {', '.join(foreign)}")
            continue
        for impl in pm.hook.register_hookspecs.get_hookimpls():
            if impl.plugin_name == pid:
                pm.add_hookspecs(impl.function())
        info.status = "loaded"
        loaded.append(pid)
        if pid not in provided:
            PLUGIN_PACKAGES[info.module] = pid
    # Loaded plugins in dependency order first, then the others as found.
    ordered = {pid: every[pid] for pid in loaded}
    ordered.update((key, info) for key, info in every.items() if key not in ordered)
    integrations = _register_integrations(pm, ordered)
    if os.environ.get("ACCORD_TRACE_HOOKS"):
        trace_hook_calls(pm)
    return PluginHost(pm, ordered, integrations)


def _register_integrations(
    pm: pluggy.PluginManager, plugins: dict[str, PluginInfo]
) -> dict[str, tuple[str, str]]:
    """Register each declared integration whose two plugins are both loaded.

    An integration is a module of hooks that a plugin declares in its manifest
    (``[integrations] suppliers = "accord_incidents.with_suppliers"``); it is
    called only for organisations where both plugins are enabled.
    """
    registered: dict[str, tuple[str, str]] = {}
    for pid, info in plugins.items():
        if not info.loaded or info.manifest is None:
            continue
        for other, module_name in sorted(info.manifest.integrations.items()):
            if other not in plugins or not plugins[other].loaded:
                continue
            name = f"{pid}+{other}"
            try:
                pm.register(importlib.import_module(module_name), name=name)
            except Exception as exc:  # the two plugins keep working without it
                log.error("integration %s not loaded: %s: %s", name, type(exc).__name__, exc)
                continue
            registered[name] = (pid, other)
    return registered


def trace_hook_calls(pm: pluggy.PluginManager) -> None:
    """Log every hook call with its implementations and how long it took."""
    local = threading.local()
    tracer = logging.getLogger("accord.hooks")

    def before(hook_name: str, impls: list[Any], kwargs: dict[str, Any]) -> None:
        local.__dict__.setdefault("started", []).append(time.perf_counter())

    def after(outcome: Any, hook_name: str, impls: list[Any], kwargs: dict[str, Any]) -> None:
        started = local.__dict__.get("started") or [time.perf_counter()]
        elapsed = (time.perf_counter() - started.pop()) * 1000
        names = ", ".join(impl.plugin_name for impl in reversed(impls))
        tracer.warning("hook %s [%s] %.2f ms", hook_name, names, elapsed)

    pm.add_hookcall_monitoring(before, after)
