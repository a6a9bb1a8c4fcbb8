"""Signing in, switching organisation and signing out, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord import accounts
from accord.audit import Actor, acting_as
from accord.testing import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_a_user_signs_in_through_the_form_and_sees_the_dashboard(page, org, make_user, screenshot):
    make_user("ana@acme.test", org, "admin", name="Ana Agent")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.get_by_label("Email").fill("ana@acme.test")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(rf"/o/{org.slug}/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator(".topbar .org-name")).to_have_text("Acme Council ICT")
    expect(page.get_by_role("region", name="Acme Council ICT")).to_contain_text(
        "signed in as Ana Agent"
    )
    screenshot("dashboard")


def test_a_wrong_password_keeps_the_user_on_the_sign_in_form(page, org, make_user):
    make_user("ana@acme.test", org)

    page.goto("/login")
    page.get_by_label("Email").fill("ana@acme.test")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text(
        "That email and password do not match an account."
    )
    expect(page.get_by_label("Email")).to_have_value("ana@acme.test")


@pytest.fixture
def member_of_two(org, make_org, make_user):
    """ana@acme.test, an agent in Acme Council ICT and in Beta Housing ICT."""
    user = make_user("ana@acme.test", org, "agent")
    with acting_as(Actor(None, "test")):
        accounts.add_member(user, make_org("beta", "Beta Housing ICT"), "agent")
    return user


def test_a_member_of_two_organisations_switches_with_the_top_bar_switcher(
    page_without_javascript, org, member_of_two, sign_in_as
):
    # The switcher's baseline: choose, then press Switch (no JavaScript needed).
    page = page_without_javascript
    sign_in_as("ana@acme.test", page=page)
    page.goto(f"/o/{org.slug}/dashboard/")
    switcher = page.get_by_label("Organisation")
    expect(switcher).to_have_value("acme")

    switcher.select_option(label="Beta Housing ICT")
    page.locator(".org-switcher").get_by_role("button", name="Switch").click()

    expect(page).to_have_url(re.compile(r"/o/beta/dashboard/$"))
    expect(page.get_by_role("region", name="Beta Housing ICT")).to_be_visible()
    expect(page.get_by_label("Organisation")).to_have_value("beta")
    # The choice sticks: the start page now opens the other organisation.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/o/beta/dashboard/$"))


def test_choosing_an_organisation_in_the_switcher_goes_there_at_once(
    page, org, member_of_two, sign_in_as, screenshot
):
    sign_in_as("ana@acme.test")
    page.goto(f"/o/{org.slug}/dashboard/")
    screenshot("org-switcher")

    page.get_by_label("Organisation").select_option(label="Beta Housing ICT")

    expect(page).to_have_url(re.compile(r"/o/beta/dashboard/$"), timeout=3000)


def test_sign_out_returns_to_the_sign_in_page_and_the_dashboard_is_gone(
    page, org, make_user, sign_in_as
):
    make_user("ana@acme.test", org)
    sign_in_as("ana@acme.test")
    expect(page).to_have_url(re.compile(rf"/o/{org.slug}/dashboard/$"))

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Sign in to Accord")).to_be_visible()
    page.goto(f"/o/{org.slug}/dashboard/")
    expect(page).to_have_url(re.compile(rf"/login\?next=/o/{org.slug}/dashboard/$"))
    expect(page.get_by_role("heading", name="Sign in to Accord")).to_be_visible()
