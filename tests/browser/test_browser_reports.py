"""Report pages in a real browser: charts drawn inline without breaking the page's policy,
and the period picker changing what is counted."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(org, make_user, sign_in_as, enable_plugin):
    from accord.plugins.incidents.testing import make_incident

    enable_plugin(org, "incidents")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for days, channel in ((1, "phone"), (2, "email"), (45, "email")):
        make_incident(org, at=now - dt.timedelta(days=days), channel=channel)
    make_user("morgan@acme.test", org, "manager")
    sign_in_as("morgan@acme.test")


def test_the_service_desk_report_draws_its_charts_and_follows_the_period(page, manager):
    page.goto("/o/acme/incidents/report")
    volume = page.locator("#report-volume")
    expect(volume.locator("svg[role=img]")).to_be_visible()
    expect(volume.locator(".stat").first).to_contain_text("2")
    page.select_option("#report-period", "90d")  # submits itself
    expect(page.locator("#report-volume .stat").first).to_contain_text("3")
    ninety_days_ago = (dt.date.today() - dt.timedelta(days=89)).isoformat()
    expect(page.locator("#report-from")).to_have_value(ninety_days_ago)


def test_typing_dates_chooses_a_custom_period(page, manager):
    page.goto("/o/acme/incidents/report")
    page.fill("#report-from", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.locator("#report-from").dispatch_event("change")
    expect(page.locator("#report-period")).to_have_value("custom")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-volume .stat").first).to_contain_text("1")


def test_the_figures_behind_a_chart_open_as_a_table(page, manager):
    page.goto("/o/acme/incidents/report")
    channel = page.locator("#report-channel")
    channel.locator("summary").click()
    expect(channel.locator("table")).to_contain_text("Phone")
