"""A report's bar is a link: clicking it (or Enter on it) lands on the list of exactly the
records it counts; a new organisation's dashboard leads to its first steps."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(org, make_user, sign_in_as, enable_plugin):
    from accord.plugins.incidents.testing import make_incident

    enable_plugin(org, "incidents")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for days, channel in ((1, "phone"), (2, "email"), (3, "phone"), (45, "phone")):
        make_incident(org, at=now - dt.timedelta(days=days), channel=channel)
    make_user("morgan@acme.test", org, "manager")
    sign_in_as("morgan@acme.test")


def test_clicking_a_bar_lands_on_the_incidents_it_counts(page, manager):
    page.goto("/o/acme/incidents/report?period=30d")
    bar = page.locator("#report-channel svg:visible a.chart-link").first
    expect(bar).to_have_attribute("aria-label", "Phone: 2. Show these records")
    bar.click()
    expect(page).to_have_url(re.compile(r"/incidents/queues/all\?.*channel=phone"))
    expect(page.locator("#incidents-rows tbody tr")).to_have_count(2)
    expect(page.locator(".filter-chip")).to_contain_text("Opened")


def test_a_bar_is_reached_by_keyboard_and_opened_with_enter(page, manager):
    page.goto("/o/acme/incidents/report?period=30d")
    bar = page.locator("#report-channel svg:visible a.chart-link").first
    bar.focus()
    expect(bar).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#incidents-rows tbody tr")).to_have_count(2)


def test_a_new_organisation_starts_from_its_getting_started_card(
    page, org, make_user, sign_in_as, enable_plugin
):
    enable_plugin(org, "incidents")
    make_user("ada@acme.test", org, "admin")
    sign_in_as("ada@acme.test")
    page.goto("/o/acme/dashboard/")
    card = page.get_by_role("region", name="Getting started")
    expect(card).to_contain_text("of 7 done")
    card.get_by_role("link", name="Create a team").click()
    expect(page).to_have_url(re.compile(r"/o/acme/incidents/teams/new$"))
