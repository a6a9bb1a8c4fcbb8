"""Watching incidents in a real browser: a colleague's change reaches the bell; bulk resolve.

Set ``ACCORD_SCREENSHOTS`` to keep the incident page, the queue with its bulk
form and the notifications page at a laptop's and a phone's size.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def printing(org, enable_plugin):
    from accord.plugins.catalogue.testing import make_service

    enable_plugin(org, "incidents")
    return make_service(org, "Printing", levels={p: (60, 480) for p in (1, 2, 3, 4)})


@pytest.fixture
def sam(org, make_user, sign_in_as, printing):
    user = make_user("sam@acme.test", org, "agent", name="Sam Agent")
    sign_in_as("sam@acme.test")
    return user


@pytest.fixture
def kim(org, make_user, printing):
    return make_user("kim@acme.test", org, "agent", name="Kim Colleague")


def keep(page, name: str) -> None:
    """Screenshots of the page as it is, at both sizes, when ACCORD_SCREENSHOTS is set."""
    folder = os.environ.get("ACCORD_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(folder) / f"{name}-{size}.png"), full_page=size == "phone")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_colleagues_change_to_a_watched_incident_rings_the_bell(
    page, browser, live_server, sign_in_as, org, sam, kim, printing
):
    from accord.plugins.incidents.testing import make_incident

    incident = make_incident(org, "Printer on floor 2 jams", service=printing)
    detail = f"/o/{org.slug}/incidents/{incident.id}"
    page.goto(detail)
    page.get_by_role("button", name="Watch", exact=True).click()
    expect(page.locator("#watchers")).to_contain_text("Sam Agent (you)")
    expect(page.locator(".bell-count")).to_have_count(0)

    colleague = browser.new_context(base_url=live_server)
    try:
        other = colleague.new_page()
        sign_in_as("kim@acme.test", page=other)
        other.goto(detail)
        other.get_by_role("button", name="Start work").click()
        expect(other.locator(".flash, [role=status]").first).to_contain_text("has started")
    finally:
        colleague.close()

    page.goto(detail)
    keep(page, "incident")
    expect(page.locator(".bell-count")).to_have_text("1")
    page.locator("a.bell").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    keep(page, "notifications")
    link = page.get_by_role("link", name=re.compile("work started by Kim Colleague"))
    link.click()
    expect(page).to_have_url(re.compile(rf"{detail}$"))
    expect(page.locator("h1")).to_contain_text("Printer on floor 2 jams")
    expect(page.locator(".bell-count")).to_have_count(0)  # following it read it


def test_bulk_resolve_two_incidents_from_the_queue(page, org, sam, printing):
    from accord.plugins.incidents.models import Incident
    from accord.plugins.incidents.testing import make_incident

    first = make_incident(org, "Toner smears", service=printing)
    second = make_incident(org, "Tray 3 is empty", service=printing)
    make_incident(org, "Scanner sends blank pages", service=printing)
    page.goto(f"/o/{org.slug}/incidents/queues/all")
    notes = page.get_by_label("Resolution notes")
    expect(notes).to_be_hidden()  # only the chosen action's controls show
    page.get_by_label(f"Select {first.reference}").check()
    page.get_by_label(f"Select {second.reference}").check()
    page.get_by_label("With the ticked incidents").select_option(label="Resolve…")
    expect(notes).to_be_visible()
    page.get_by_label("Resolution code").select_option(label="Hardware replaced")
    notes.fill("Replaced the fuser and the tray.")
    keep(page, "queue-bulk")
    page.get_by_role("button", name="Apply to ticked").click()
    expect(page.locator("main")).to_contain_text("2 incidents updated.")
    statuses = {i.reference: i.status for i in Incident.select()}
    assert statuses == {
        first.reference: "resolved",
        second.reference: "resolved",
        f"INC-{3:06d}": "new",
    }
