"""Signing in and out through the real pages."""

from __future__ import annotations

from starlette.requests import Request

from accord.htmx import redirect
from accord.testing import csrf_from, sign_in


def test_pages_redirect_to_sign_in_when_signed_out(client, org):
    response = client.get(f"/o/{org.slug}/dashboard/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/o/{org.slug}/dashboard/"


def test_sign_in_lands_on_the_organisation_dashboard(client, org, make_user):
    make_user("ana@acme.test", org, "agent")
    assert sign_in(client, "ana@acme.test").status_code == 303
    page = client.get("/")
    assert page.url.path == f"/o/{org.slug}/dashboard/"
    assert "Acme Council ICT" in page.text


def test_wrong_password_re_renders_the_form_with_the_email_kept(client, org, make_user):
    make_user("ana@acme.test", org)
    response = sign_in(client, "ana@acme.test", "wrong password!")
    assert response.status_code == 422
    assert "do not match" in response.text
    assert 'value="ana@acme.test"' in response.text


def test_session_cookie_is_http_only_and_same_site_lax(client, org, make_user):
    make_user("ana@acme.test", org)
    cookie = sign_in(client, "ana@acme.test").headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


def test_sign_out_ends_the_session_on_the_server(client, org, make_user):
    make_user("ana@acme.test", org)
    sign_in(client, "ana@acme.test")
    stolen = client.cookies.get("accord_session")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    client.cookies.set("accord_session", stolen)
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_sign_in_without_csrf_token_is_refused(client, org, make_user):
    make_user("ana@acme.test", org)
    client.get("/login")
    response = client.post("/login", data={"email": "ana@acme.test", "password": "x"})
    assert response.status_code == 403


def test_next_parameter_cannot_send_the_user_to_another_site(client, org, make_user):
    make_user("ana@acme.test", org)
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login?next=//evil.example/",
        data={"email": "ana@acme.test", "password": "correct horse battery", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_switching_goes_to_an_organisation_one_belongs_to(client, org, make_user):
    make_user("ana@acme.test", org)
    sign_in(client, "ana@acme.test")

    response = client.get(f"/switch?org={org.slug}", follow_redirects=False)

    assert response.headers["location"] == f"/o/{org.slug}/"


def test_switching_to_an_organisation_one_does_not_belong_to_is_not_found(
    client, org, make_org, make_user
):
    make_org("other")
    make_user("ana@acme.test", org)
    sign_in(client, "ana@acme.test")

    assert client.get("/switch?org=other", follow_redirects=False).status_code == 404


def test_a_line_break_in_a_redirect_for_htmx_is_encoded_not_sent():
    # A form's "next" or "back" goes into HX-Redirect; a raw CR/LF would end the headers.
    request = Request({"type": "http", "headers": [(b"hx-request", b"true")]})

    response = redirect(request, "/o/acme/\r\nX-Injected: 1")

    assert response.headers["hx-redirect"] == "/o/acme/%0D%0AX-Injected:%201"


def test_an_unknown_email_costs_the_same_password_check_as_a_wrong_password(
    client, org, make_user, monkeypatch
):
    # Timing must not tell which accounts exist: both answers verify one Argon2 hash.
    from accord import security

    checked: list[str] = []
    hasher = security._hasher

    class Counting:
        def hash(self, password):
            return hasher.hash(password)

        def verify(self, stored, password):
            checked.append(stored)
            return hasher.verify(stored, password)

    make_user("ana@acme.test", org)
    monkeypatch.setattr(security, "_hasher", Counting())

    assert sign_in(client, "nobody@acme.test", "wrong password!").status_code == 422
    assert sign_in(client, "ana@acme.test", "wrong password!").status_code == 422
    assert len(checked) == 2
    assert checked[0] == security._dummy_hash()
