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
    expect(volume.locator("svg.pygal-chart:visible")).to_be_visible()
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


REPORTS = [
    "/o/demo/incidents/report",
    "/o/demo/complaints/report",
    "/o/demo/satisfaction/results",
    "/o/demo/contacts/report",
]

# For every drawn chart: text outside its <svg>, and pairs of texts whose boxes overlap.
CHART_TEXT_FAULTS = """() => {
  const faults = [];
  for (const svg of document.querySelectorAll("figure.chart svg")) {
    if (getComputedStyle(svg).display === "none") continue;
    const outer = svg.getBoundingClientRect();
    const boxes = [...svg.querySelectorAll("text")]
      .filter((text) => text.textContent.trim())
      .map((text) => [text.textContent, text.getBoundingClientRect()])
      .filter(([, box]) => box.width > 0);
    const name = svg.closest("section").id;
    for (const [text, box] of boxes) {
      if (box.left < outer.left - 0.5 || box.right > outer.right + 0.5 ||
          box.top < outer.top - 0.5 || box.bottom > outer.bottom + 0.5)
        faults.push(`${name}: "${text}" goes outside the chart`);
    }
    boxes.forEach(([a, boxA], i) => boxes.slice(i + 1).forEach(([b, boxB]) => {
      if (boxA.left < boxB.right - 0.5 && boxB.left < boxA.right - 0.5 &&
          boxA.top < boxB.bottom - 0.5 && boxB.top < boxA.bottom - 0.5)
        faults.push(`${name}: "${a}" overlaps "${b}"`);
    }));
  }
  return faults;
}"""


@pytest.fixture
def demo_admin(accord_host, sign_in_as):
    from accord.demo import DEMO_PASSWORD, build_demo

    build_demo(accord_host)
    sign_in_as("admin@demo.example.com", DEMO_PASSWORD)


def test_no_chart_text_overlaps_or_leaves_its_chart_on_a_phone_or_a_desktop(page, demo_admin):
    faults = []
    for width, height in ((390, 844), (1366, 900)):  # one demo, one page: both sizes
        page.set_viewport_size({"width": width, "height": height})
        for url in REPORTS:
            page.goto(url)
            expect(page.locator("figure.chart svg:visible").first).to_be_visible()
            faults += [f"{width} px, {url}: {fault}" for fault in page.evaluate(CHART_TEXT_FAULTS)]
    assert faults == []
