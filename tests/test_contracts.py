"""The architecture's promises, checked: documented hooks, a core that knows no plugin."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from accord import hookspecs

ROOT = Path(__file__).resolve().parent.parent
SPECS = [
    (name, fn)
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(fn, "accord_spec")
]


def test_there_are_hook_specifications():
    assert len(SPECS) >= 15


@pytest.mark.parametrize("name,spec", SPECS, ids=[name for name, _ in SPECS])
def test_every_hook_is_documented_with_each_argument(name, spec):
    doc = inspect.getdoc(spec)
    assert doc, f"{name} has no docstring"
    for argument in inspect.signature(spec).parameters:
        assert f":param {argument}:" in doc, f"{name} does not document {argument}"


@pytest.mark.parametrize("name,spec", SPECS, ids=[name for name, _ in SPECS])
def test_firstresult_hooks_say_so(name, spec):
    if spec.accord_spec.get("firstresult"):
        assert "Stops at first non-None result." in inspect.getdoc(spec)


@pytest.mark.parametrize("name,spec", SPECS, ids=[name for name, _ in SPECS])
def test_every_hook_is_typed(name, spec):
    signature = inspect.signature(spec)
    assert signature.return_annotation is not inspect.Signature.empty
    assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values())


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_core_never_imports_a_plugin():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.startswith("accord.plugins")
        )
        for path in (ROOT / "core").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_plugins_use_only_the_public_core_surface_or_named_modules():
    # Plugins import from ``accord`` (the public API) or its documented modules,
    # never from private ``_`` modules.
    for path in (ROOT / "plugins").rglob("*.py"):
        for module in imported_modules(path):
            assert not any(part.startswith("_") for part in module.split(".")[1:]), (path, module)


@pytest.mark.parametrize("name,spec", SPECS, ids=[name for name, _ in SPECS])
def test_every_hook_says_which_api_version_introduced_it(name, spec):
    assert getattr(spec, "accord_since", None), f"{name} lacks @since(...)"


def test_the_hook_reference_in_docs_is_generated_from_the_specs():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_plugin_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_vendored_htmx_matches_its_recorded_checksum():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_htmx.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
