"""A third-party plugin, pip-installed beside Accord's wheel, driven through the CLI and HTTP.

``examples/accord-announcements`` goes into the venv that ``test_packaging``
builds (one build per session). Organisation ``a`` enables the plugin, ``b``
does not; a real ``accord serve`` answers both. The example's own tests run
here too, so the example stays a working one.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from test_packaging import (
    ROOT,
    Installed,
    copy_tree,
    installed_accord,
    run,
    serving,
)

from accord.testing import TEST_PASSWORD, csrf_from

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "examples" / "accord-announcements"
PAGE = "/o/{org}/announcements/"


@dataclass(frozen=True)
class Instance:
    installed: Installed
    home: Path
    url: str

    @contextmanager
    def signed_in(self, email: str) -> Iterator[httpx2.Client]:
        """A client signed in as ``email`` through the real sign-in form."""
        with httpx2.Client(base_url=self.url, timeout=10) as client:
            token = csrf_from(client.get("/login").text)
            response = client.post(
                "/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": token}
            )
            assert response.status_code == 303, response.text
            yield client


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Accord's venv with the example installed as users do: ``pip install <folder>``."""
    installed = installed_accord(tmp_path_factory)
    # From a copy, so that setuptools' build/ and *.egg-info never land in the work tree.
    example = copy_tree(EXAMPLE, tmp_path_factory.mktemp("example") / EXAMPLE.name)
    installed.pip_install(str(example))
    return installed


@pytest.fixture(scope="module")
def instance(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """Organisations a (plugin enabled) and b (not), an admin in each, and a running server."""
    home = tmp_path_factory.mktemp("instance")
    installed.accord("migrate", home=home)
    for slug in ("a", "b"):
        installed.accord("org", "create", slug, "--name", slug.upper(), home=home)
        user = ["user", "create", f"admin@{slug}.test", "--name", f"Admin {slug.upper()}"]
        role = ["--org", slug, "--role", "admin", "--password-stdin"]
        installed.accord(*user, *role, home=home, stdin=TEST_PASSWORD + "\n")
    installed.accord("plugins", "enable", "announcements", "--org", "a", home=home)
    with serving(installed, home) as url:
        yield Instance(installed, home, url)


def test_plugin_is_loaded_from_its_entry_point(instance):
    listed = json.loads(instance.installed.accord("plugins", "list", "--json", home=instance.home))
    row = next(r for r in listed if r["id"] == "announcements")
    assert row["status"] == "loaded"
    assert row["source"] == "entry point of accord-announcements"


def test_migrate_applied_the_plugins_migration(instance):
    assert "Nothing to migrate." in instance.installed.accord("migrate", home=instance.home)


def test_plugin_page_answers_where_it_is_enabled(instance):
    with instance.signed_in("admin@a.test") as client:
        page = client.get(PAGE.format(org="a"))
    assert page.status_code == 200
    assert "<h1>Announcements</h1>" in page.text


def test_plugin_page_is_not_found_where_it_is_disabled(instance):
    with instance.signed_in("admin@b.test") as client:
        assert client.get(PAGE.format(org="b")).status_code == 404


def test_published_announcement_reaches_the_dashboard(instance):
    new = PAGE.format(org="a") + "new"
    with instance.signed_in("admin@a.test") as client:
        response = client.post(
            new,
            data={
                "csrf_token": csrf_from(client.get(new).text),
                "title": "Email service: planned maintenance on Saturday",
                "severity": "maintenance",
                "body": "Mail is queued during the window, not lost.",
                "starts_at": "2020-01-01T08:00",
                "ends_at": "",
            },
        )
        assert response.status_code == 303, response.text
        assert "Email service: planned maintenance" in client.get("/o/a/dashboard/").text


def test_the_examples_own_tests_pass(tmp_path):
    # Run by this interpreter, whose Accord provides the fixtures, on this suite's
    # database; the example is imported from a copy, so nothing is installed.
    example = copy_tree(EXAMPLE, tmp_path / EXAMPLE.name)
    env = {**os.environ, "PYTHONPATH": str(example)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    assert " passed" in run(command, cwd=example, env=env)
