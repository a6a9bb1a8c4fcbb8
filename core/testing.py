"""Pytest fixtures for Accord and its plugins (registered as the ``accord`` pytest plugin).

``recorded_queries()`` (from ``query_plans.py``) records the SQL a block runs
and finds the statements that would read a whole table, on either database.

Every test gets a fresh database: a new SQLite file, or on PostgreSQL (set
``ACCORD_TEST_DATABASE_URL=postgresql://...``) an emptied ``public`` schema,
with every migration applied. Plugin authors use the same fixtures:

    def test_my_page(accord_plugins, signed_in, org):
        client = signed_in("agent")
        assert client.get(f"/o/{org.slug}/myplugin/").status_code == 200
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from . import accounts, enablement, plugin_settings
from ._testdb import fresh_database
from .audit import Actor, acting_as
from .db import database, open_database
from .host import PluginHost, build_host
from .manifest import Manifest, parse_manifest
from .models import Organisation, User
from .query_plans import QueryLog, Scan, Statement, recorded_queries

__all__ = ["QueryLog", "Scan", "Statement", "recorded_queries"]  # and the fixtures below
from .settings import Settings, load_settings

TEST_PASSWORD = "correct horse battery"
HTMX_HEADERS = {"HX-Request": "true", "HX-Request-Type": "partial"}
CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
SUBMISSION_FIELD = re.compile(r'name="submission_id" value="([^"]+)"')


def manifest(plugin_id: str, **fields: Any) -> Manifest:
    """A manifest for a throwaway plugin: ``manifest("notes", depends=["contacts"])``."""
    data = {"id": plugin_id, "title": plugin_id.title(), "version": "1.0.0", "core_api": ">=1.0,<2"}
    data.update(fields)
    return parse_manifest(data)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Argon2 at production cost makes every sign-in in a test take ~100 ms;
    # the hash format and verification path stay the same.
    from argon2 import PasswordHasher

    from . import security

    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def accord_settings(tmp_path: Path) -> Settings:
    """Settings for a throwaway instance under ``tmp_path``."""
    environ = {
        "ACCORD_HOME": str(tmp_path / "instance"),
        "ACCORD_SECRET_KEY": "test-secret-key",
        "ACCORD_DATABASE_URL": os.environ.get("ACCORD_TEST_DATABASE_URL")
        or f"sqlite:///{tmp_path / 'instance' / 'accord.db'}",
    }
    settings = load_settings(environ)
    # Background tasks run inside the request that queues them, so tests see their effect.
    settings.data.setdefault("jobs", {})["immediate"] = True
    return settings


@pytest.fixture
def accord_plugins() -> list[tuple[object, Manifest]]:
    """Throwaway plugins for one test: append ``(object, manifest(...))`` before using the app."""
    return []


@pytest.fixture
def accord_extra_modules() -> list[str]:
    """Plugin modules to load besides the built-ins (override in a test module)."""
    return []


@pytest.fixture
def accord_host(
    accord_settings: Settings,
    accord_plugins: list[tuple[object, Manifest]],
    accord_extra_modules: list[str],
) -> PluginHost:
    """The plugin host; pip-installed plugins are left out so tests see only what they ask for."""
    return build_host(
        accord_settings,
        extra=[(module, "test") for module in accord_extra_modules],
        objects=accord_plugins,
        entry_points=False,
    )


@pytest.fixture(scope="session")
def _accord_db_templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("accord-db-templates")


@pytest.fixture
def accord_db(
    accord_settings: Settings, accord_host: PluginHost, _accord_db_templates: Path
) -> Iterator[None]:
    """A fresh, fully migrated database."""
    open_database(accord_settings)
    fresh_database(accord_settings, accord_host, _accord_db_templates)
    plugin_settings.bind(accord_settings, accord_host)
    yield
    if hasattr(database.obj, "close_all"):
        database.close_all()
    if not database.is_closed():
        database.close()


@pytest.fixture
def app(accord_settings: Settings, accord_host: PluginHost, accord_db: None) -> Any:
    from .app import create_app

    return create_app(accord_settings, accord_host)


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from starlette.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def make_org(accord_db: None) -> Callable[..., Organisation]:
    def make(slug: str = "acme", name: str | None = None) -> Organisation:
        with acting_as(Actor(None, "test")):
            return accounts.create_org(slug, name or slug.title())

    return make


@pytest.fixture
def org(make_org: Callable[..., Organisation]) -> Organisation:
    """The organisation ``acme``."""
    return make_org("acme", "Acme Council ICT")


@pytest.fixture
def make_user(accord_db: None) -> Callable[..., User]:
    def make(
        email: str, org: Organisation | None = None, role: str = "agent", name: str = ""
    ) -> User:
        with acting_as(Actor(None, "test")):
            user = accounts.create_user(email, name or email.split("@")[0].title(), TEST_PASSWORD)
            if org is not None:
                accounts.add_member(user, org, role)
        return user

    return make


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def form_tokens(html: str) -> dict[str, str]:
    """The CSRF token and the first form's one-time submission id, as a form sends them."""
    match = SUBMISSION_FIELD.search(html)
    assert match, "no submission id on the page"
    return {"csrf_token": csrf_from(html), "submission_id": match.group(1)}


def chart_links(html: str) -> list[tuple[str, str]]:
    """Each linked bar, segment or point of a page's charts as ``(url, title)``.

    Titles read ``<label>: <figure>. Show these records``; each chart is read
    once (in its desktop drawing).
    """
    found = []
    for drawing in html.split("<svg")[1:]:
        if "chart-wide" not in drawing.split(">", 1)[0]:
            continue
        for attrs in re.findall(r"<a\b([^>]*class=\"chart-link\"[^>]*)>", drawing):
            href = re.search(r'\shref="([^"]*)"', attrs)
            title = re.search(r'aria-label="([^"]*)"', attrs)
            if href and title:
                found.append((unescape(href.group(1)), unescape(title.group(1))))
    return found


def sign_in(client: Any, email: str, password: str = TEST_PASSWORD) -> Any:
    """Sign ``client`` in through the real sign-in form; returns the response."""
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


@pytest.fixture
def signed_in(app: Any, org: Organisation, make_user: Callable[..., User]) -> Callable[..., Any]:
    """``signed_in("agent")``: a new client signed in as a new user with that role in ``org``."""
    from starlette.testclient import TestClient

    clients: list[Any] = []

    def make(
        role: str = "admin", *, organisation: Organisation | None = None, email: str = ""
    ) -> Any:
        target = organisation or org
        address = email or f"{role}{len(clients)}@{target.slug}.test"
        make_user(address, target, role)
        test_client = TestClient(app, base_url="http://testserver")
        response = sign_in(test_client, address)
        assert response.status_code == 303, response.text
        clients.append(test_client)
        return test_client

    return make


@pytest.fixture
def enable_plugin(accord_host: PluginHost) -> Callable[[Organisation, str], list[str]]:
    def enable(org: Organisation, plugin_id: str) -> list[str]:
        with acting_as(Actor(None, "test")):
            return enablement.enable(accord_host, org, plugin_id)

    return enable


def post_form(client: Any, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST ``data`` to ``url`` with the CSRF token of the page the client last saw."""
    page = client.get(kwargs.pop("token_from", "/"))
    payload = {"csrf_token": csrf_from(page.text), **(data or {})}
    return client.post(
        url, data=payload, follow_redirects=kwargs.pop("follow_redirects", False), **kwargs
    )


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_jobs(accord_settings: Settings) -> Iterator[Any]:
    """Jobs in the real Redis at 127.0.0.1:6379, in a queue of this test's own; yields a client.

    Request it before ``app``. The queue's keys are removed afterwards. Without a
    Redis the test is skipped, except in CI, where that is a failure.
    """
    import uuid

    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    name = f"test_{uuid.uuid4().hex[:16]}"
    accord_settings.data["jobs"] = {"redis_url": REDIS_TEST_URL, "queue_name": name}
    yield client
    keys = list(client.scan_iter(f"huey.*{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def unanswering_jobs(accord_settings: Settings) -> None:
    """Jobs on a Redis URL whose loopback port nothing listens on; request it before ``app``."""
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    accord_settings.data["jobs"] = {"redis_url": f"redis://127.0.0.1:{port}/0"}


class Inbox:
    """What a real SMTP server (aiosmtpd, on a free loopback port) received."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Any]:
        """The messages sent to ``address``, oldest first."""
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def mail_inbox(accord_settings: Settings) -> Iterator[Inbox]:
    """System email (``accord.mail``) configured to a real SMTP server that keeps what it gets."""
    import socket

    controller_module = pytest.importorskip("aiosmtpd.controller")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    server = controller_module.Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    inbox.port = server.port
    accord_settings.data["mail"] = {
        "host": "127.0.0.1",
        "port": server.port,
        "from": "accord@acme.example.org",
        "starttls": False,
    }
    yield inbox
    server.stop()
