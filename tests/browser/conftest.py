"""Browser fixtures: the real app under uvicorn, driven by Debian's headless Chromium.

``live_server`` serves the ``app`` fixture (fresh database, throwaway plugins
from ``accord_plugins``) on 127.0.0.1 with a free port, in a background
thread; ``page`` is a Playwright page in a fresh browser context (no cookies)
whose relative URLs go to that server, and ``page_without_javascript`` the
same with JavaScript off. ``sign_in_as(email)`` signs in through the real
form. Test code creates rows directly with the usual fixtures (``org``,
``make_user``) on the main thread while the server's worker threads use their
own connections.

JavaScript errors, Content-Security-Policy violations and stylesheets or
scripts that fail to load fail the test that caused them. Set
``ACCORD_SCREENSHOTS=/some/dir`` to keep the screenshots tests take with the
``screenshot("name")`` fixture; a failing test leaves one in
``test-results/browser/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]
TIMEOUT_MS = 10_000
FAILURE_DIR = Path("test-results") / "browser"

# Chromium logs every 4xx page as a console error; 422 and 404 pages are what some tests expect.
# Sub-resources are checked by type instead (ASSETS).
HTTP_STATUS_CONSOLE = "Failed to load resource: the server responded with a status of"
ASSETS = frozenset({"stylesheet", "script", "image", "font"})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_failed_key] = report.failed
    return report


_failed_key = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class LiveServer:
    """uvicorn serving one app in a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        host, port = self.sock.getsockname()
        self.url = f"http://{host}:{port}"
        config = uvicorn.Config(
            app,
            lifespan="off",
            ws="none",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run,
            kwargs={"sockets": [self.sock]},
            name="accord-live-server",
            daemon=True,
        )

    def start(self) -> None:
        self.thread.start()
        for _ in range(200):
            if self.server.started or not self.thread.is_alive():
                break
            threading.Event().wait(0.025)
        if not self.server.started:
            raise RuntimeError("uvicorn did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
        if self.thread.is_alive():
            raise RuntimeError("uvicorn did not stop within 10 s")


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The base URL of ``app`` served by uvicorn, e.g. ``http://127.0.0.1:40123``."""
    server = LiveServer(app)
    server.start()
    yield server.url
    server.stop()


@contextmanager
def open_page(
    browser: Any, base_url: str, request: pytest.FixtureRequest, **options: Any
) -> Iterator[Any]:
    """A page in a fresh browser context (no cookies) that watches for faults of the site."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 800}, **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" and not msg.text.startswith(HTTP_STATUS_CONSOLE)
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} for {response.url}")
            if response.request.resource_type in ASSETS and response.status >= 400
            else None
        ),
    )
    page.on(
        "requestfailed",
        lambda req: (
            problems.append(f"{req.url} failed: {req.failure}")
            # A navigation cancels what the previous page was still loading: not a fault.
            if req.resource_type in ASSETS and req.failure != "net::ERR_ABORTED"
            else None
        ),
    )
    yield page
    if request.node.stash.get(_failed_key, False):
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        name = request.node.name + ("-no-js" if options.get("java_script_enabled") is False else "")
        page.screenshot(path=str(FAILURE_DIR / f"{name}.png"), full_page=True)
    context.close()
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def page(browser: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page whose relative URLs go to the live server: ``page.goto("/login")``."""
    with open_page(browser, live_server, request) as fresh:
        yield fresh


@pytest.fixture
def page_without_javascript(
    browser: Any, live_server: str, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """Like ``page``, with JavaScript switched off: what every page must still do."""
    with open_page(browser, live_server, request, java_script_enabled=False) as fresh:
        yield fresh


@pytest.fixture
def screenshot(page: Any) -> Callable[[str], None]:
    """``screenshot("dashboard")`` keeps the page in $ACCORD_SCREENSHOTS, when set, for a human."""

    def take(name: str) -> None:
        folder = os.environ.get("ACCORD_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"accord-{name}.png"), full_page=True)

    return take


@pytest.fixture
def sign_in_as(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Sign in through the real form and wait to leave it: ``sign_in_as("ana@acme.test")``.

    Uses the ``page`` fixture unless given another: ``sign_in_as(email, page=other)``.
    """
    from accord.testing import TEST_PASSWORD

    def sign_in(email: str, password: str = TEST_PASSWORD, *, page: Any = None) -> None:
        page = page or request.getfixturevalue("page")
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)

    return sign_in
