"""Finding, checking and loading plugins; a broken plugin never stops the host."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

from accord.host import build_host
from accord.settings import load_settings
from accord.version import CORE_API

MANIFEST = """
id = "{id}"
title = "{title}"
version = "1.0.0"
core_api = "{core_api}"
depends = {depends}
"""


@pytest.fixture
def settings(tmp_path):
    return load_settings({"ACCORD_HOME": str(tmp_path), "ACCORD_SECRET_KEY": "k"})


@pytest.fixture
def write_plugin(tmp_path, monkeypatch):
    """Write a plugin package ``name`` on sys.path; returns its module name."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    written = []

    def write(name, *, core_api=">=1.0,<2", depends=(), code="", manifest=None):
        package = root / name
        package.mkdir()
        text = (
            manifest
            if manifest is not None
            else MANIFEST.format(
                id=name, title=name.title(), core_api=core_api, depends=list(depends)
            )
        )
        (package / "plugin.toml").write_text(textwrap.dedent(text))
        (package / "__init__.py").write_text(
            "from accord import hookimpl\n" + textwrap.dedent(code)
        )
        written.append(name)
        return name

    yield write
    for name in written:  # the next test may reuse the name with other code
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


def load(settings, *modules):
    return build_host(settings, extra=[(m, "test") for m in modules], entry_points=False)


def test_the_cores_own_plugins_load_and_are_always_on(settings):
    host = load(settings)
    core = {"auth", "dashboard", "errors", "health", "settings"}
    assert core <= set(host.order)
    assert core <= host.always_on
    assert not core & set(host.optional())


def test_a_valid_plugin_loads(settings, write_plugin):
    host = load(settings, write_plugin("pluga"))
    assert host.plugins["pluga"].status == "loaded"
    assert "pluga" in host.optional()


def test_plugin_with_incompatible_core_api_is_quarantined_with_the_reason(settings, write_plugin):
    host = load(settings, write_plugin("future", core_api=">=2.0"))
    info = host.plugins["future"]
    assert info.status == "quarantined"
    assert "needs core API >=2.0" in info.reason


def test_plugin_with_invalid_manifest_is_quarantined(settings, write_plugin):
    write_plugin("broken", manifest='id = "broken"\n')
    host = load(settings, "broken")
    assert host.plugins["broken"].status == "quarantined"
    assert "invalid manifest" in host.plugins["broken"].reason


def test_plugin_whose_manifest_is_not_toml_is_quarantined(settings, write_plugin):
    write_plugin("garbled", manifest="this is = = not toml")
    host = load(settings, "garbled")
    assert "not valid TOML" in host.plugins["garbled"].reason


def test_plugin_missing_a_dependency_is_quarantined(settings, write_plugin):
    host = load(settings, write_plugin("orphan", depends=["nowhere"]))
    assert "needs nowhere, which is not available" in host.plugins["orphan"].reason


def test_plugin_raising_at_import_is_quarantined_and_others_still_load(settings, write_plugin):
    write_plugin("explodes", code="raise RuntimeError('boom')\n")
    host = load(settings, "explodes", write_plugin("fine"))
    assert host.plugins["explodes"].reason == "failed to import: RuntimeError: boom"
    assert host.plugins["fine"].loaded


def test_dependents_of_a_plugin_that_failed_to_import_are_quarantined(settings, write_plugin):
    write_plugin("base", code="raise ImportError('no lib')\n")
    host = load(settings, "base", write_plugin("child", depends=["base"]))
    assert "needs base, which failed to load" in host.plugins["child"].reason


def test_plugin_implementing_an_unknown_hook_is_quarantined(settings, write_plugin):
    write_plugin("typo", code="@hookimpl\ndef register_rotues():\n    return []\n")
    host = load(settings, "typo")
    assert host.plugins["typo"].reason == "implements unknown hooks: register_rotues"


def test_dependency_cycles_are_refused(settings, write_plugin):
    host = load(settings, write_plugin("aa", depends=["bb"]), write_plugin("bb", depends=["aa"]))
    assert "dependency cycle" in host.plugins["aa"].reason
    assert "dependency cycle" in host.plugins["bb"].reason


def test_plugins_load_in_dependency_order_with_a_stable_tie_break(settings, write_plugin):
    modules = [
        write_plugin("zeta"),
        write_plugin("alpha", depends=["zeta"]),
        write_plugin("beta"),
    ]
    host = load(settings, *modules)
    mine = [pid for pid in host.optional() if pid in {"alpha", "beta", "zeta"}]
    assert mine == ["beta", "zeta", "alpha"]


def test_duplicate_plugin_ids_keep_the_first(settings, write_plugin):
    write_plugin(
        "first", manifest=MANIFEST.format(id="same", title="A", core_api=">=1.0", depends=[])
    )
    write_plugin(
        "second", manifest=MANIFEST.format(id="same", title="B", core_api=">=1.0", depends=[])
    )
    host = load(settings, "first", "second")
    assert host.plugins["same"].module == "first"
    assert any("already taken" in info.reason for info in host.quarantined())


def test_dependencies_and_dependents_are_transitive(settings, write_plugin):
    host = load(
        settings,
        write_plugin("base"),
        write_plugin("middle", depends=["base"]),
        write_plugin("top", depends=["middle"]),
    )
    assert host.dependencies("top") == ["base", "middle"]
    assert host.dependents("base") == ["middle", "top"]


def test_hook_subsets_are_cached_per_enabled_set_not_per_organisation(settings, write_plugin):
    host = load(settings, write_plugin("pluga"), write_plugin("plugb"))
    assert host.hooks_for({"pluga"}) is host.hooks_for(frozenset({"pluga"}))
    assert host.hooks_for({"pluga"}) is not host.hooks_for({"plugb"})


def test_disabled_plugins_hook_implementations_are_not_called(settings, write_plugin):
    code = """
    @hookimpl
    def search(ctx, query, limit):
        return ["{name}"]
    """
    host = load(
        settings,
        write_plugin("pluga", code=code.format(name="a")),
        write_plugin("plugb", code=code.format(name="b")),
    )
    assert host.hooks_for({"pluga"}).search(ctx=None, query="x", limit=5) == [["a"]]


def test_safe_mode_skips_entry_point_plugins(tmp_path):
    settings = load_settings(
        {"ACCORD_HOME": str(tmp_path), "ACCORD_SECRET_KEY": "k", "ACCORD_SAFE_MODE": "1"}
    )
    host = build_host(settings)
    assert all(info.source == "builtin" for info in host.plugins.values())


def test_an_integration_runs_only_where_both_plugins_are_enabled(settings, write_plugin):
    write_plugin("suppliers")
    tickets = write_plugin(
        "tickets",
        manifest=MANIFEST.format(id="tickets", title="I", core_api=">=1.0", depends=[])
        + '[integrations]\nsuppliers = "tickets.with_suppliers"\n',
    )
    package = Path(importlib.util.find_spec(tickets).submodule_search_locations[0])
    (package / "with_suppliers.py").write_text(
        "from accord import hookimpl\n\n"
        "@hookimpl\ndef search(ctx, query, limit):\n    return ['both']\n"
    )
    host = load(settings, "suppliers", tickets)
    assert host.integrations == {"tickets+suppliers": ("tickets", "suppliers")}

    def answers(enabled):
        return host.hooks_for(enabled).search(ctx=None, query="x", limit=1)

    assert answers({"tickets"}) == []
    assert answers({"tickets", "suppliers"}) == [["both"]]


def test_an_integration_with_an_absent_plugin_is_not_registered(settings, write_plugin):
    tickets = write_plugin(
        "tickets",
        manifest=MANIFEST.format(id="tickets", title="I", core_api=">=1.0", depends=[])
        + '[integrations]\nsuppliers = "tickets.with_suppliers"\n',
    )
    host = load(settings, tickets)
    assert host.integrations == {}
    assert host.plugins["tickets"].loaded


def test_a_tested_up_to_ceiling_below_the_core_only_warns(settings, write_plugin):
    write_plugin(
        "oldie",
        manifest=MANIFEST.format(id="oldie", title="Old", core_api=">=1.0", depends=[])
        + 'tested_up_to = "0.9"\n',
    )
    host = load(settings, "oldie")
    assert host.plugins["oldie"].loaded
    assert host.plugins["oldie"].warning == (
        f"tested up to core API 0.9; this Accord offers {CORE_API}"
    )


def test_permissions_can_be_declared_in_the_manifest(settings, write_plugin):
    from accord.permissions import PermissionTable

    write_plugin(
        "notes",
        manifest=MANIFEST.format(id="notes", title="N", core_api=">=1.0", depends=[])
        + '[permissions."notes.read"]\ndescription = "Read notes"\nroles = ["admin", "agent"]\n',
    )
    table = PermissionTable(load(settings, "notes"))
    assert "notes.read" in table.for_role("agent", frozenset({"notes"}))
    assert "notes.read" not in table.for_role("viewer", frozenset({"notes"}))


def test_a_manifest_permission_outside_the_plugins_namespace_is_refused(settings, write_plugin):
    write_plugin(
        "sneaky",
        manifest=MANIFEST.format(id="sneaky", title="S", core_api=">=1.0", depends=[])
        + '[permissions."settings.plugins"]\nroles = ["viewer"]\n',
    )
    host = load(settings, "sneaky")
    assert "must be a table named sneaky.<name>" in host.plugins["sneaky"].reason


def test_a_deprecated_hook_keeps_working_with_a_warning(settings):
    import pluggy

    from accord.hookspecs import hookspec

    class OldSpecs:
        @hookspec(warn_on_impl=DeprecationWarning("old_hook is deprecated; use new_hook"))
        def old_hook(self):
            """Deprecated."""

    class Implementer:
        @pluggy.HookimplMarker("accord")
        def old_hook(self):
            return "still works"

    host = load(settings)
    host.pm.add_hookspecs(OldSpecs)
    with pytest.warns(DeprecationWarning, match="use new_hook"):
        host.pm.register(Implementer(), name="legacy")
    assert host.pm.hook.old_hook() == ["still works"]
