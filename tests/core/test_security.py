"""Sessions, CSRF and headers."""

from __future__ import annotations

from datetime import timedelta

from accord import sessions
from accord.clock import utcnow
from accord.models import Session
from accord.testing import HTMX_HEADERS, csrf_from, post_form, sign_in


def test_security_headers_are_set_on_every_response(client):
    headers = client.get("/login").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "same-origin"


def test_state_changing_request_without_csrf_token_is_refused(signed_in, org):
    client = signed_in("admin")
    response = client.post(f"/o/{org.slug}/settings/plugins/x/enable")
    assert response.status_code == 403


def test_htmx_requests_carry_the_token_in_a_header(signed_in, org):
    client = signed_in("admin")
    token = csrf_from(client.get("/").text)
    response = client.post(
        "/logout", headers={**HTMX_HEADERS, "X-CSRF-Token": token}, follow_redirects=False
    )
    assert response.status_code == 303


def test_a_token_from_another_session_is_refused(signed_in, org):
    first, second = signed_in("admin"), signed_in("admin")
    foreign = csrf_from(first.get("/").text)
    response = second.post("/logout", data={"csrf_token": foreign})
    assert response.status_code == 403


def test_sign_in_issues_a_new_session_id(client, org, make_user):
    make_user("ana@acme.test", org)
    client.cookies.set("accord_session", "planted-by-attacker")
    cookie = sign_in(client, "ana@acme.test").headers["set-cookie"]
    assert cookie.startswith("accord_session=")
    assert "planted-by-attacker" not in cookie


def test_idle_sessions_expire(signed_in, org):
    client = signed_in("agent")
    Session.update(last_seen_at=utcnow() - timedelta(hours=9)).execute()
    response = client.get(f"/o/{org.slug}/dashboard/", follow_redirects=False)
    assert response.headers["location"].startswith("/login")
    assert Session.select().count() == 0


def test_sessions_expire_after_the_absolute_limit_even_when_active(signed_in, org):
    client = signed_in("agent")
    Session.update(created_at=utcnow() - timedelta(hours=73)).execute()
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_changing_the_password_ends_the_users_other_sessions(app, client, org, make_user):
    from starlette.testclient import TestClient

    make_user("ana@acme.test", org)
    laptop, phone = TestClient(app), TestClient(app)
    sign_in(laptop, "ana@acme.test")
    sign_in(phone, "ana@acme.test")
    response = post_form(
        laptop,
        "/account/password",
        {
            "current_password": "correct horse battery",
            "new_password": "a much longer secret",
            "confirm_password": "a much longer secret",
        },
        token_from="/account/password",
    )
    assert response.status_code == 303
    assert laptop.get("/", follow_redirects=False).status_code == 303  # still signed in
    assert laptop.get("/", follow_redirects=False).headers["location"].startswith("/o/")
    assert phone.get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_a_too_short_new_password_re_renders_the_form_with_a_422(signed_in):
    client = signed_in("agent")
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": "correct horse battery",
            "new_password": "short",
            "confirm_password": "short",
        },
        token_from="/account/password",
    )
    assert response.status_code == 422
    assert "at least 10 characters" in response.text


def test_cookies_are_secure_under_https(accord_settings, accord_host, accord_db, org, make_user):
    from dataclasses import replace

    from starlette.testclient import TestClient

    from accord.app import create_app

    data = {**accord_settings.data, "server": {**accord_settings.data["server"], "https": True}}
    make_user("ana@acme.test", org)
    app = create_app(replace(accord_settings, data=data), accord_host)
    client = TestClient(app, base_url="https://testserver")
    cookie = sign_in(client, "ana@acme.test").headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE}=")
    assert "Secure" in cookie
    assert "strict-transport-security" in client.get("/login").headers
