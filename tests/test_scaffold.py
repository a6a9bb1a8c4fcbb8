"""``accord plugins new``: a project that lints, loads, migrates and passes its own tests.

The project is generated once per module. Its tests run in a subprocess by
this interpreter, whose Accord provides the fixtures, with the project on
``PYTHONPATH``: nothing is installed. The slow test installs it into the wheel
venv of ``test_packaging`` as users do, with pip, and finds it by its entry point.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_packaging import installed_accord, run

from accord.cli import cli
from accord.db import database
from accord.manifest import parse_manifest
from accord.scaffold import new_plugin

NAME = "scaffolded"
PACKAGE = f"accord_{NAME}"
PROJECT = f"accord-{NAME}"
LONGEST_ID = "a" + "b" * 40  # the longest a manifest accepts: lines must still fit
FILES = {
    "pyproject.toml",
    "README.md",
    f"{PACKAGE}/plugin.toml",
    f"{PACKAGE}/__init__.py",
    f"{PACKAGE}/models.py",
    f"{PACKAGE}/views.py",
    f"{PACKAGE}/migrations/__init__.py",
    f"{PACKAGE}/migrations/0001_initial.py",
    f"{PACKAGE}/templates/{NAME}/list.html",
    f"tests/test_{NAME}.py",
}
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


def accord_new(tmp_path: Path, *args: str):
    env = {
        "ACCORD_HOME": str(tmp_path / "home"),
        "ACCORD_SECRET_KEY": "test-secret-key",
        "ACCORD_SAFE_MODE": "1",
    }
    return CliRunner().invoke(cli, ["plugins", "new", *args], env=env)


def files_under(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_plugin(NAME, tmp_path_factory.mktemp("generated"), author="Ana Li")


@pytest.fixture
def accord_extra_modules(project, monkeypatch) -> Iterator[list[str]]:
    # The generated package, imported from its folder for this test only.
    monkeypatch.syspath_prepend(str(project))
    yield [PACKAGE]
    for module in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        del sys.modules[module]


def test_new_writes_the_project_of_a_plugin(tmp_path):
    result = accord_new(tmp_path, NAME, "--dir", str(tmp_path), "--author", 'Ana "Q" Li')
    assert result.exit_code == 0, result.output
    root = tmp_path / PROJECT
    assert f"Created plugin {NAME} in {root}" in result.output
    assert files_under(root) == FILES
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["accord.plugins"] == {PACKAGE: PACKAGE}
    manifest = parse_manifest(tomllib.loads((root / PACKAGE / "plugin.toml").read_text()))
    assert (manifest.id, manifest.title, manifest.author) == (NAME, "Scaffolded", 'Ana "Q" Li')
    assert manifest.fits_core()


@pytest.mark.parametrize("name", ["Assets", "9lives", "x", "it-assets", LONGEST_ID + "c"])
def test_new_refuses_what_is_not_a_plugin_id(tmp_path, name):
    result = accord_new(tmp_path, name, "--dir", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {name!r} is not a plugin id: use 2-41 lowercase")
    assert result.output.count("\n") == 1  # one line, no usage text or traceback
    assert not (tmp_path / "out").exists()


def test_new_refuses_an_id_another_plugin_has(tmp_path):
    result = accord_new(tmp_path, "settings", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: plugin id settings is already taken by accord.plugins.settings (builtin)"
    )
    assert not (tmp_path / "accord-settings").exists()


def test_new_never_writes_into_an_existing_folder(tmp_path):
    mine = tmp_path / PROJECT / "notes.txt"
    mine.parent.mkdir()
    mine.write_text("keep me")
    result = accord_new(tmp_path, NAME, "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert files_under(tmp_path / PROJECT) == {"notes.txt"}
    assert mine.read_text() == "keep me"


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
@pytest.mark.parametrize("name", [NAME, LONGEST_ID])
def test_generated_code_passes_ruff_with_the_repositorys_rules(tmp_path, name):
    root = new_plugin(name, tmp_path)
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [RUFF, *command, "--no-cache", "."], cwd=root, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_generated_plugin_loads_and_its_migration_applies(accord_host, accord_db):
    info = accord_host.plugins[NAME]
    assert (info.status, info.reason) == ("loaded", "")
    assert accord_host.quarantined() == []
    with database.connection_context():
        assert database.table_exists(f"{NAME}_item")


def test_generated_projects_own_tests_pass(project):
    env = {**os.environ, "PYTHONPATH": str(project), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("8 passed")


@pytest.mark.slow
def test_project_from_the_wheel_pip_installs_and_loads_from_its_entry_point(
    tmp_path, tmp_path_factory
):
    installed = installed_accord(tmp_path_factory)
    home = tmp_path / "home"
    # Generated by the installed wheel's own command: its templates ship in the wheel.
    installed.accord("plugins", "new", NAME, "--dir", str(tmp_path), home=home)
    installed.pip_install(str(tmp_path / PROJECT))
    try:
        listed = json.loads(installed.accord("plugins", "list", "--json", home=home))
        row = next(r for r in listed if r["id"] == NAME)
        assert (row["status"], row["source"]) == ("loaded", f"entry point of {PROJECT}")
        assert f"applied {NAME}:0001_initial" in installed.accord("migrate", home=home)
    finally:
        # The venv is shared with other modules: leave it as it was.
        run(
            [sys.executable, "-m", "pip", "--python", str(installed.python), "uninstall"]
            + ["--quiet", "--yes", PROJECT]
        )
