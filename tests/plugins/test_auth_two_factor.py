"""Two-factor sign-in: an authenticator app's code after the password, or a recovery code."""

from __future__ import annotations

import html
import re
import time

import pyotp
import pytest
from starlette.testclient import TestClient

from accord.models import AuditEntry, User
from accord.testing import TEST_PASSWORD, form_tokens, sign_in


def send(client, path, **data):
    page = client.get(path)
    return client.post(path, data={**form_tokens(page.text), **data}, follow_redirects=False)


def next_code(key: str) -> str:
    """The code of the next 30-second step: the current one was spent turning it on."""
    return pyotp.TOTP(key).at(time.time() + 30)


@pytest.fixture
def bo(make_user, org):
    return make_user("bo@acme.test", org, "agent", name="Bo Agent")


@pytest.fixture
def bo_client(app, bo):
    client = TestClient(app)
    sign_in(client, "bo@acme.test")
    return client


def setup_key(client) -> str:
    page = client.get("/account/two-factor").text
    return re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")


@pytest.fixture
def turned_on(bo_client):
    """Two-factor turned on for Bo: (the key, the recovery codes shown)."""
    key = setup_key(bo_client)
    response = send(bo_client, "/account/two-factor", code=pyotp.TOTP(key).now())
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", response.text)
    return key, codes


def password_step(app, password=TEST_PASSWORD):
    client = TestClient(app)
    response = sign_in(client, "bo@acme.test", password)
    return client, response


def test_the_name_in_the_header_leads_to_the_account_page(bo_client):
    page = bo_client.get("/account").text
    assert '<a href="/account"' in page and "Two-factor sign-in" in page


def test_setting_up_shows_a_qr_code_and_the_key_as_text(bo_client):
    page = bo_client.get("/account/two-factor").text
    assert "<svg" in page and "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert len(setup_key(bo_client)) == 32


def test_the_key_shown_stays_the_same_until_it_is_confirmed(bo_client):
    assert setup_key(bo_client) == setup_key(bo_client)


def test_a_wrong_code_does_not_turn_it_on(bo_client, bo):
    setup_key(bo_client)
    response = send(bo_client, "/account/two-factor", code="000000")
    assert response.status_code == 422
    assert "does not match" in response.text
    assert not User.get_by_id(bo.id).two_factor


def test_a_current_code_turns_it_on_and_shows_ten_recovery_codes_once(bo_client, bo, turned_on):
    _, codes = turned_on
    assert len(codes) == 10 and len(set(codes)) == 10
    assert User.get_by_id(bo.id).two_factor
    assert codes[0] not in bo_client.get("/account").text


def test_the_key_is_kept_encrypted(bo, turned_on):
    key, _ = turned_on
    assert key not in User.get_by_id(bo.id).totp_secret


def test_turning_it_on_is_audited(turned_on):
    assert AuditEntry.select().where(AuditEntry.action == "user.2fa_on").count() == 1


def test_with_it_on_the_password_leads_to_the_code_page(app, turned_on):
    _, response = password_step(app)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login/code")


def test_half_signed_in_reaches_no_page(app, turned_on):
    client, _ = password_step(app)
    for path in ("/account", "/o/acme/", "/"):
        assert client.get(path, follow_redirects=False).headers["location"].startswith("/login")


def test_a_current_code_completes_the_sign_in(app, turned_on):
    key, _ = turned_on
    client, _ = password_step(app)
    response = send(client, "/login/code", code=next_code(key))
    assert response.status_code == 303
    assert client.get("/account").status_code == 200


def test_a_code_is_accepted_only_once(app, turned_on):
    key, _ = turned_on
    code = next_code(key)
    first, _ = password_step(app)
    send(first, "/login/code", code=code)
    second, _ = password_step(app)
    assert send(second, "/login/code", code=code).status_code == 422


def test_a_wrong_code_is_refused(app, turned_on):
    client, _ = password_step(app)
    response = send(client, "/login/code", code="123456")
    assert response.status_code == 422
    assert "That code is not right" in response.text
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_wrong_codes_are_slowed_down(app, turned_on):
    client, _ = password_step(app)
    for _ in range(5):
        send(client, "/login/code", code="123456")
    response = send(client, "/login/code", code="123456")
    assert response.status_code == 429
    assert "Too many wrong codes" in response.text


def test_a_recovery_code_signs_in_once(app, turned_on):
    _, codes = turned_on
    client, _ = password_step(app)
    response = send(client, "/login/code", code=codes[0].lower())
    assert response.status_code == 303
    assert "9 of them are left" in html.unescape(client.get("/account").text)
    again, _ = password_step(app)
    assert send(again, "/login/code", code=codes[0]).status_code == 422


def test_the_code_page_without_a_right_password_sends_back_to_sign_in(client):
    response = client.get("/login/code", follow_redirects=False)
    assert response.headers["location"].startswith("/login")


def test_a_deactivated_account_cannot_finish_signing_in(app, bo, turned_on):
    key, _ = turned_on
    client, _ = password_step(app)
    User.update(is_active=False).where(User.id == bo.id).execute()
    response = send(client, "/login/code", code=next_code(key))
    assert response.headers["location"].startswith("/login?")
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_new_recovery_codes_replace_the_old_ones(app, bo_client, turned_on):
    _, old = turned_on
    response = send(bo_client, "/account/two-factor/recovery-codes", password=TEST_PASSWORD)
    new = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", response.text)
    assert len(new) == 10
    client, _ = password_step(app)
    assert send(client, "/login/code", code=old[0]).status_code == 422
    assert send(client, "/login/code", code=new[0]).status_code == 303


def test_new_recovery_codes_need_the_password(bo_client, turned_on):
    response = send(bo_client, "/account/two-factor/recovery-codes", password="wrong")
    assert response.status_code == 422


def test_turning_it_off_needs_the_password(bo_client, bo, turned_on):
    key, _ = turned_on
    response = send(bo_client, "/account/two-factor/off", password="wrong", code=next_code(key))
    assert response.status_code == 422
    assert User.get_by_id(bo.id).two_factor


def test_turning_it_off_needs_a_code(bo_client, bo, turned_on):
    response = send(bo_client, "/account/two-factor/off", password=TEST_PASSWORD, code="123456")
    assert response.status_code == 422
    assert User.get_by_id(bo.id).two_factor


def test_turned_off_the_password_alone_signs_in(app, bo_client, bo, turned_on):
    key, _ = turned_on
    response = send(
        bo_client, "/account/two-factor/off", password=TEST_PASSWORD, code=next_code(key)
    )
    assert response.status_code == 303
    assert not User.get_by_id(bo.id).two_factor
    _, signed = password_step(app)
    assert signed.headers["location"] == "/"


def test_a_password_reset_still_asks_for_the_code(app, bo, turned_on):
    from accord import account_links

    token = account_links.issue(account_links.RESET, User.get_by_id(bo.id))
    password = "a brand new password"
    response = send(
        TestClient(app), f"/reset/{token}", new_password=password, confirm_password=password
    )
    assert response.headers["location"].startswith("/login/code")


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "😀😀😀", "\u202e"])
def test_a_code_that_is_not_ascii_digits_is_wrong_not_an_error(bo_client, code):
    setup_key(bo_client)
    response = send(bo_client, "/account/two-factor", code=code)
    assert response.status_code == 422
    assert "does not match" in response.text
