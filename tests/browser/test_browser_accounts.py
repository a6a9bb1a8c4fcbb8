"""Invited by email, choosing a password, turning on two-factor and signing in with a code."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import expect

from accord import two_factor
from accord.models import User
from accord.testing import TEST_PASSWORD

pytestmark = pytest.mark.browser

SIZES = ((1366, 900), (390, 844))
PASSWORD = "a long new password"


@pytest.fixture
def shoot():
    """``shoot(page, "name")``: both sizes into $ACCORD_SCREENSHOTS (when set); checks the fit."""

    def take(page, name: str) -> None:
        folder = os.environ.get("ACCORD_SCREENSHOTS")
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{name} is {wide} px wide at {width} px"
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{folder}/accounts-{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

    return take


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))


def test_invited_by_email_then_two_factor_sign_in(
    page, browser, live_server, org, make_user, mail_inbox, sign_in_as, shoot
):
    make_user("ana@acme.test", org, "admin", name="Ana Admin")
    sign_in_as("ana@acme.test")
    page.goto("/o/acme/settings/members")
    page.get_by_label("Email").fill("nia@acme.test")
    page.get_by_label("Name", exact=True).fill("Nia Starter")
    page.get_by_label("Role", exact=True).select_option("agent")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator(".flash-success")).to_contain_text("Invitation sent to nia@acme.test")
    expect(page.locator("#invitations")).to_contain_text("nia@acme.test")
    shoot(page, "members")

    [message] = mail_inbox.to("nia@acme.test")
    link = urlsplit(re.search(r"https?://\S+/invite/[\w-]+", message.get_content())[0]).path
    context = browser.new_context(base_url=live_server)
    nia = context.new_page()
    nia.goto(link)
    expect(nia.get_by_role("heading", level=1)).to_have_text("Welcome, Nia Starter")
    shoot(nia, "invite")
    nia.get_by_label("Password", exact=True).fill(PASSWORD)
    nia.get_by_label("Repeat the password").fill(PASSWORD)
    nia.get_by_role("button", name="Join Acme Council ICT").click()
    expect(nia.locator(".flash-success")).to_contain_text("Welcome to Acme Council ICT, Nia")

    nia.get_by_role("link", name="Nia Starter").click()
    expect(nia.get_by_role("heading", level=1)).to_have_text("Your account")
    shoot(nia, "account-off")
    nia.get_by_role("link", name="Turn on two-factor sign-in").click()
    shoot(nia, "two-factor-on")
    key = nia.locator(".totp-key").inner_text().replace(" ", "")
    nia.get_by_label("Code from the app").fill(pyotp.TOTP(key).now())
    nia.get_by_role("button", name="Turn on").click()
    expect(nia.locator(".recovery-codes li")).to_have_count(10)
    shoot(nia, "recovery-codes")
    nia.get_by_role("link", name="I have saved them").click()
    expect(nia.locator("#two-factor")).to_contain_text("On since")
    shoot(nia, "account-on")

    sign_out(nia)
    nia.get_by_label("Email").fill("nia@acme.test")
    nia.get_by_label("Password").fill(PASSWORD)
    nia.get_by_role("button", name="Sign in").click()
    expect(nia.get_by_role("heading", level=1)).to_have_text("Enter your code")
    shoot(nia, "code")
    nia.get_by_label("Code").fill(pyotp.TOTP(key).at(time.time() + 30))
    nia.get_by_role("button", name="Sign in").click()
    expect(nia).to_have_url(re.compile(r"/o/acme/dashboard/$"))
    context.close()


def test_the_other_account_pages_fit_both_sizes(
    page, org, make_user, sign_in_as, shoot, accord_settings
):
    """The pages off the main path, for the eye (screenshots) and for the fit."""
    make_user("ana@acme.test", org, "admin", name="Ana Admin")
    bo = make_user("bo@acme.test", org, "agent", name="Bo Agent")
    key = two_factor.new_key()
    two_factor.turn_on(accord_settings.secret_key, bo, key, pyotp.TOTP(key).now())
    for path, name in (
        ("/login", "login"),
        ("/login/forgot", "forgot-no-mail"),
        ("/reset/not-a-real-token", "link-invalid"),
    ):
        page.goto(path)
        shoot(page, name)

    sign_in_as("ana@acme.test")
    page.goto("/o/acme/settings/members")
    page.locator("#member-" + str(bo.memberships[0].id)).get_by_role("link", name="Manage…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bo Agent")
    shoot(page, "member")
    member = page.url
    page.get_by_role("link", name="Reset two-factor sign-in…").click()
    shoot(page, "reset-two-factor")
    page.goto(member)
    page.get_by_role("link", name="Deactivate…").click()
    shoot(page, "deactivate")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".flash-success")).to_contain_text("Bo Agent is deactivated")
    page.goto("/o/acme/settings/members")
    expect(page.locator(f"#member-{bo.memberships[0].id}")).to_contain_text("Deactivated")
    page.goto(member)
    page.get_by_role("button", name="Reactivate").click()
    page.get_by_role("button", name="Make password reset link").click()
    expect(page.locator("#handover-link")).to_contain_text("/reset/")
    shoot(page, "handover")
    page.goto("/account/password")
    shoot(page, "password")
    assert User.get_by_id(bo.id).is_active

    sign_out(page)
    page.get_by_label("Email").fill("bo@acme.test")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(pyotp.TOTP(key).at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.goto("/account/two-factor/recovery-codes")
    shoot(page, "recovery-new")
    page.goto("/account/two-factor/off")
    shoot(page, "two-factor-off")


def test_forgot_password_by_email_pages_fit_both_sizes(page, org, make_user, mail_inbox, shoot):
    make_user("bo@acme.test", org, "agent", name="Bo Agent")
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    shoot(page, "forgot")
    page.get_by_label("Email").fill("bo@acme.test")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("If an account uses bo@acme.test")
    shoot(page, "forgot-sent")
    [message] = mail_inbox.to("bo@acme.test")
    page.goto(urlsplit(re.search(r"https?://\S+/reset/[\w-]+", message.get_content())[0]).path)
    shoot(page, "reset")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the new password").fill(PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page).to_have_url(re.compile(r"/o/acme/dashboard/$"))
