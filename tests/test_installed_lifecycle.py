"""A pip-installed plugin's whole life on an installed Accord: the path operators take.

Install, enable for one organisation, serve there (and nowhere else), disable,
purge that organisation's data, uninstall: for the example plugin and for a
freshly scaffolded one.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import httpx2
import pytest
from test_packaging import ROOT, Installed, copy_tree, installed_accord, run, serving

from accord.testing import TEST_PASSWORD, csrf_from

pytestmark = pytest.mark.slow


def sign_in(url: str, email: str) -> httpx2.Client:
    client = httpx2.Client(base_url=url, timeout=10)
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return client


def tables(home: Path) -> set[str]:
    with sqlite3.connect(home / "accord.db") as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def live_cycle(
    installed: Installed, home: Path, plugin_id: str, make_record: dict[str, str]
) -> None:
    accord = installed.accord
    accord("migrate", home=home)
    for slug in ("a", "b"):
        accord("org", "create", slug, "--name", slug.upper(), home=home)
        accord(
            "user",
            "create",
            f"admin@{slug}.test",
            "--name",
            "Admin",
            "--org",
            slug,
            "--role",
            "admin",
            "--password-stdin",
            home=home,
            stdin=TEST_PASSWORD + "\n",
        )
    assert f"enabled {plugin_id} for a" in accord(
        "plugins", "enable", plugin_id, "--org", "a", home=home
    )

    with serving(installed, home) as url:
        a, b = sign_in(url, "admin@a.test"), sign_in(url, "admin@b.test")
        page = f"/o/a/{plugin_id}/"
        assert a.get(page).status_code == 200
        assert b.get(f"/o/b/{plugin_id}/").status_code == 404
        form = a.get(page + make_record["form"])
        created = a.post(
            page + make_record["form"],
            data={**make_record["data"], "csrf_token": csrf_from(form.text)},
        )
        assert created.status_code == 303, created.text
        a.close()
        b.close()

    owned = {t for t in tables(home) if t.startswith(f"{plugin_id}_")}
    assert owned, "the plugin's migration created its tables"
    refused = subprocess_accord(
        installed, home, "plugins", "purge", plugin_id, "--org", "a", "--yes"
    )
    assert refused.returncode != 0 and "enabled" in (refused.stdout + refused.stderr)
    accord("plugins", "disable", plugin_id, "--org", "a", home=home)
    dry = accord("plugins", "purge", plugin_id, "--org", "a", "--dry-run", home=home)
    assert any(f"{plugin_id}_" in line and "1" in line for line in dry.splitlines()), dry
    accord("plugins", "purge", plugin_id, "--org", "a", "--yes", home=home)
    accord("plugins", "uninstall", plugin_id, "--yes", home=home)
    assert not {t for t in tables(home) if t.startswith(f"{plugin_id}_")}
    listed = json.loads(accord("plugins", "list", "--json", home=home))
    assert next(r for r in listed if r["id"] == plugin_id)["status"] == "loaded"
    assert (
        "not installed"
        in subprocess_accord(installed, home, "plugins", "enable", plugin_id, "--org", "a").stderr
    )


def subprocess_accord(installed: Installed, home: Path, *args: str):
    import subprocess

    from test_packaging import accord_env

    return subprocess.run(
        [str(installed.venv / "bin" / "accord"), *args],
        env=accord_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )


def uninstall_package(installed: Installed, project: str) -> None:
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(installed.python),
            "uninstall",
            "--quiet",
            "--yes",
            project,
        ]
    )


def test_the_example_plugin_lives_and_leaves_cleanly(tmp_path, tmp_path_factory):
    installed = installed_accord(tmp_path_factory)
    example = copy_tree(ROOT / "examples" / "accord-announcements", tmp_path / "example")
    installed.pip_install(str(example))
    try:
        live_cycle(
            installed,
            tmp_path / "home",
            "announcements",
            {
                "form": "new",
                "data": {
                    "title": "Email maintenance",
                    "body": "Saturday 06:00-08:00",
                    "severity": "maintenance",
                    "starts_at": "2026-01-01T08:00",
                    "ends_at": "",
                },
            },
        )
    finally:
        uninstall_package(installed, "accord-announcements")


def test_a_scaffolded_plugin_lives_and_leaves_cleanly(tmp_path, tmp_path_factory):
    installed = installed_accord(tmp_path_factory)
    home = tmp_path / "home"
    installed.accord("plugins", "new", "kit", "--dir", str(tmp_path), home=home)
    installed.pip_install(str(tmp_path / "accord-kit"))
    try:
        live_cycle(installed, home, "kit", {"form": "new", "data": {"name": "Laptop", "notes": ""}})
    finally:
        uninstall_package(installed, "accord-kit")
