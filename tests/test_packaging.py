"""Accord as users get it: the wheel, installed in a fresh virtual environment.

The wheel is built once per session from a copy of the source tree and
installed into a venv under pytest's base temp; ``test_example_plugin.py``
reuses that venv (see ``installed_accord``), so the suite pays for one build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
# Build inputs only: a copy without these builds in seconds and leaves the
# work tree untouched (setuptools writes build/ and *.egg-info beside setup.py).
NOT_BUILD_INPUTS = {
    ".git",
    ".venv",
    "var",
    "build",
    "dist",
    "tests",
    "examples",
    "bench",
    "docs",
    "test-results",
    "node_modules",
}
NEVER_COPIED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*_cache")
SERVER_START_SECONDS = 30

SHIPPED = [
    "accord/__init__.py",
    "accord/plugins/auth/templates/auth/login.html",
    "accord/web/static/htmx.min.js",
    "accord/web/templates/base.html",
    "accord/config/default.toml",
    "accord/migrations/0001_initial.py",
    "accord/plugins/settings/plugin.toml",
]


@dataclass(frozen=True)
class Installed:
    """A venv with Accord installed from its wheel."""

    wheel: Path
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def accord(self, *args: str, home: Path, stdin: str | None = None, **env: str) -> str:
        """Run the ``accord`` command of this venv; its output, or the test fails."""
        return run(
            [str(self.venv / "bin" / "accord"), *args], env=accord_env(home, **env), stdin=stdin
        )

    def pip_install(self, *requirements: str) -> None:
        # The test runner's pip installs into the venv (``--python``), so the
        # venv needs no pip of its own: that saves seconds per session.
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(self.python),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *requirements,
            ]
        )


def run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> str:
    result = subprocess.run(
        command, env=env, input=stdin, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def accord_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an instance at ``home``, free of this process's settings and paths."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ACCORD_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(ACCORD_HOME=str(home), PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def copy_tree(source: Path, target: Path, *, skip: Collection[str] = ()) -> Path:
    """Copy ``source`` to ``target`` without caches, build output, dot-files or ``skip``."""
    target.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.name in skip or entry.name.endswith(".egg-info") or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name, ignore=NEVER_COPIED)
        else:
            shutil.copy2(entry, target / entry.name)
    return target


def installed_accord(factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel and install it in a new venv, once per session (shared by modules)."""
    if os.environ.get("ACCORD_TEST_DATABASE_URL"):
        # The installed instance runs on SQLite whatever the suite's database, so the
        # PostgreSQL pass of scripts/run_tests.py would only repeat these tests.
        pytest.skip("the installed wheel is tested in the SQLite pass")
    root = factory.getbasetemp() / "accord-installed"
    ready = root / "wheel-path"
    if ready.exists():
        return Installed(Path(ready.read_text()), root / "venv")
    shutil.rmtree(root, ignore_errors=True)
    source = copy_tree(ROOT, root / "source", skip=NOT_BUILD_INPUTS)
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(root / "dist"), str(source)])
    (wheel,) = (root / "dist").glob("accord-*.whl")
    run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")])
    installed = Installed(wheel, root / "venv")
    installed.pip_install(str(wheel))
    ready.write_text(str(wheel))
    return installed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(installed: Installed, home: Path, **env: str) -> Iterator[str]:
    """``accord serve`` in a subprocess until the block ends; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = home / f"serve-{port}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(installed.venv / "bin" / "accord"), "serve", "--port", str(port)],
            env=accord_env(home, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl+C in the terminal stops pytest, not the server
        )
        try:
            _wait_until_healthy(server, url, log_path)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_healthy(server: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"accord serve exited {server.returncode}:\n{log_path.read_text()}", pytrace=False
            )
        try:
            if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"accord serve did not answer /healthz in {SERVER_START_SECONDS}s:\n{log_path.read_text()}",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return installed_accord(tmp_path_factory)


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize("path", SHIPPED)
def test_wheel_ships(installed, path):
    assert path in wheel_files(installed.wheel)


def test_wheel_installs_only_the_accord_package(installed):
    top_level = {name.split("/")[0] for name in wheel_files(installed.wheel)}
    packages = {name for name in top_level if not name.endswith(".dist-info")}
    assert packages == {"accord"}  # never a bare core, plugins, web or config


def builtin_plugin_ids() -> list[str]:
    """Ids of the plugins ``config/default.toml`` names as built in, from their manifests."""
    config = tomllib.loads((ROOT / "config" / "default.toml").read_text())
    folders = [module.removeprefix("accord.plugins.") for module in config["plugins"]["builtin"]]
    manifests = [ROOT / "plugins" / folder / "plugin.toml" for folder in folders]
    return sorted(tomllib.loads(path.read_text())["id"] for path in manifests)


def test_installed_wheel_loads_every_builtin_plugin(installed, tmp_path):
    # Safe mode: only what the wheel ships, whatever else this shared venv holds.
    listed = installed.accord("plugins", "list", "--json", home=tmp_path, ACCORD_SAFE_MODE="1")
    plugins = {row["id"]: row["status"] for row in json.loads(listed)}
    assert plugins == dict.fromkeys(builtin_plugin_ids(), "loaded")


def test_installed_wheel_serves_the_sign_in_page_and_its_assets(installed, tmp_path):
    installed.accord("migrate", home=tmp_path, ACCORD_SAFE_MODE="1")
    with serving(installed, tmp_path, ACCORD_SAFE_MODE="1") as url:
        assert httpx2.get(f"{url}/healthz").json() == {"status": "ok"}
        login = httpx2.get(f"{url}/login")
        assert login.status_code == 200
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', login.text)
        assert stylesheet, "no stylesheet link on the sign-in page"
        css = httpx2.get(url + stylesheet.group(1))
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        assert httpx2.get(f"{url}/static/htmx.min.js").status_code == 200
