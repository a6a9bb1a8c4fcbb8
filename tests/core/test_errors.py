"""Errors are pages with a human message, never a traceback."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from accord import Page, hookimpl
from accord.app import create_app
from accord.host import build_host
from accord.settings import load_settings
from accord.testing import manifest


class Broken:
    @hookimpl
    def register_routes(self):
        def explode(request):
            raise RuntimeError("secret internals")

        return [Page("/", explode, name="index")]


@pytest.fixture(autouse=True)
def broken(accord_plugins):
    accord_plugins.append((Broken(), manifest("broken")))


def test_unknown_page_is_a_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text


def test_a_failing_view_gives_a_500_page_without_the_traceback(app, signed_in, org, enable_plugin):
    enable_plugin(org, "broken")
    client = signed_in("admin")
    client.app = app
    test_client = TestClient(app, raise_server_exceptions=False, cookies=client.cookies)
    response = test_client.get(f"/o/{org.slug}/broken/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret internals" not in response.text


def test_a_500_page_carries_the_security_headers_and_is_not_cached(
    app, signed_in, org, enable_plugin
):
    enable_plugin(org, "broken")
    client = TestClient(app, raise_server_exceptions=False, cookies=signed_in("admin").cookies)

    response = client.get(f"/o/{org.slug}/broken/")

    assert response.status_code == 500
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_an_answered_error_does_not_reach_the_server(app, signed_in, org, enable_plugin):
    # Raised again after the 500 page, the server would reset the keep-alive connection.
    enable_plugin(org, "broken")
    client = TestClient(app, raise_server_exceptions=True, cookies=signed_in("admin").cookies)

    assert client.get(f"/o/{org.slug}/broken/").status_code == 500


def test_signed_in_pages_are_not_cached(signed_in, org):
    response = signed_in("agent").get(f"/o/{org.slug}/")

    assert response.headers["cache-control"] == "no-store"


def test_forbidden_is_a_403_page(signed_in, org):
    response = signed_in("viewer").get(f"/o/{org.slug}/settings/plugins")
    assert response.status_code == 403
    assert "does not allow this" in response.text


def test_unreachable_database_gives_a_503_page(tmp_path):
    settings = load_settings(
        {
            "ACCORD_HOME": str(tmp_path),
            "ACCORD_SECRET_KEY": "k",
            "ACCORD_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing",
        }
    )
    app = create_app(settings, build_host(settings, entry_points=False), require_migrated=False)
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/login")
    assert response.status_code == 503
    assert "The database is not answering" in response.text
    assert response.headers["retry-after"] == "30"
