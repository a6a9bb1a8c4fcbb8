"""Forgot your password: a one-time link by email that never tells who has an account."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from accord.accounts import set_password
from accord.models import AccountToken, User
from accord.testing import TEST_PASSWORD, form_tokens, sign_in

NEW_PASSWORD = "a brand new password"


def ask(client, email):
    page = client.get("/login/forgot")
    return client.post(
        "/login/forgot", data={**form_tokens(page.text), "email": email}, follow_redirects=False
    )


def reset_link(message) -> str:
    match = re.search(r"https?://\S+/reset/[\w-]+", message.get_content())
    assert match
    return urlsplit(match.group(0)).path


def choose(client, path, password=NEW_PASSWORD):
    page = client.get(path)
    return client.post(
        path,
        data={**form_tokens(page.text), "new_password": password, "confirm_password": password},
        follow_redirects=False,
    )


@pytest.fixture
def bo(make_user, org):
    return make_user("bo@acme.test", org, "agent", name="Bo")


@pytest.fixture
def emailed(app, bo, mail_inbox):
    ask(TestClient(app), "bo@acme.test")
    [message] = mail_inbox.to("bo@acme.test")
    return reset_link(message)


def test_the_sign_in_page_offers_forgot_your_password(client):
    assert 'href="/login/forgot"' in client.get("/login").text


def test_a_known_address_gets_a_reset_email(app, bo, mail_inbox):
    response = ask(TestClient(app), "bo@acme.test")
    assert response.status_code == 200
    [message] = mail_inbox.to("bo@acme.test")
    assert message["Subject"] == "Reset your Accord password"


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, bo, mail_inbox):
    known = ask(TestClient(app), "bo@acme.test").text
    unknown = ask(TestClient(app), "nobody@acme.test").text
    assert "If an account uses bo@acme.test" in known
    assert "If an account uses nobody@acme.test" in unknown
    strip = re.compile(r'value="[^"]*"|bo@acme\.test|nobody@acme\.test')
    assert strip.sub("", known) == strip.sub("", unknown)
    assert mail_inbox.to("nobody@acme.test") == []


def test_a_deactivated_account_gets_no_email(app, bo, mail_inbox):
    User.update(is_active=False).where(User.id == bo.id).execute()
    ask(TestClient(app), "bo@acme.test")
    assert mail_inbox.messages == []


def test_asking_again_and_again_for_one_address_is_slowed_down(app, bo, mail_inbox):
    client = TestClient(app)
    for _ in range(3):
        assert ask(client, "bo@acme.test").status_code == 200
    response = ask(client, "bo@acme.test")
    assert response.status_code == 429
    assert "Too many reset links" in response.text
    assert len(mail_inbox.messages) == 3


def test_asking_for_many_addresses_from_one_place_is_slowed_down(app, mail_inbox):
    client = TestClient(app)
    for n in range(10):
        ask(client, f"guess{n}@acme.test")
    assert ask(client, "guess99@acme.test").status_code == 429


def test_the_link_sets_a_new_password_and_signs_in(app, emailed):
    client = TestClient(app)
    response = choose(client, emailed)
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert sign_in(TestClient(app), "bo@acme.test", NEW_PASSWORD).status_code == 303
    assert sign_in(TestClient(app), "bo@acme.test", TEST_PASSWORD).status_code == 422


def test_a_reset_signs_out_every_other_session(app, emailed):
    elsewhere = TestClient(app)
    sign_in(elsewhere, "bo@acme.test")
    choose(TestClient(app), emailed)
    assert elsewhere.get("/account", follow_redirects=False).status_code == 303


def test_a_reset_link_works_once(app, emailed):
    choose(TestClient(app), emailed)
    assert "already been used" in TestClient(app).get(emailed).text


def test_a_reset_link_expires_after_an_hour(app, emailed):
    link = AccountToken.get()
    assert link.expires_at - link.created_at == timedelta(hours=1)
    AccountToken.update(expires_at=link.created_at).execute()
    response = TestClient(app).get(emailed)
    assert response.status_code == 404 and "has expired" in response.text


def test_a_password_change_makes_the_link_invalid(app, bo, emailed):
    set_password(User.get_by_id(bo.id), "changed another way")
    assert "password was changed since" in TestClient(app).get(emailed).text


def test_without_mail_the_page_says_no_link_can_be_sent(client):
    page = client.get("/login/forgot").text
    assert "cannot send email yet" in page
    assert 'action="/login/forgot"' not in page
