"""Complaints in a real browser: an agent adds a note, a file and a letter to a complaint,
and finds each on its timeline, narrowed by kind."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SIZES = {"wide": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def complaint(org, enable_plugin):
    from accord.plugins.complaints.testing import make_complaint
    from accord.plugins.contacts.testing import make_person

    enable_plugin(org, "complaints")
    carla = make_person(org, "Carla", "Complainer", email="carla.complainer@riverside.example")
    return make_complaint(
        org, "Email was down for most of the morning, and nobody told us.", person=carla
    )


@pytest.fixture
def agent(org, make_user, sign_in_as, complaint):
    user = make_user("alex@acme.test", org, "agent")
    sign_in_as("alex@acme.test")
    return user


def at_both_sizes(page, screenshot, name: str) -> None:
    """Screenshots for a person to look at (``ACCORD_SCREENSHOTS``), wide and on a phone."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        screenshot(f"complaints-{name}-{size}")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_an_agent_adds_a_note_a_file_and_a_letter_and_sees_them_on_the_timeline(
    page, agent, complaint, screenshot
):
    page.goto(f"/o/acme/complaints/{complaint.id}")
    timeline = page.locator("#timeline")

    page.get_by_label("Internal note").fill("Rang the network team: the fix is planned.")
    page.get_by_role("button", name="Add note").click()
    expect(timeline).to_contain_text("Rang the network team: the fix is planned.")
    expect(timeline).to_contain_text("Internal note")

    page.get_by_label("Add a file").set_input_files(
        files=[
            {"name": "outage-report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}
        ]
    )
    page.get_by_role("button", name="Add file").click()
    expect(page.locator("#complaint-files").locator("..")).to_contain_text("outage-report.pdf")
    expect(timeline).to_contain_text("File added")

    page.get_by_role("link", name="Record correspondence…").click()
    page.get_by_label("How").select_option("letter")
    page.get_by_label("Summary").fill("Apology letter with the outage report.")
    page.get_by_label("Workflow step").select_option("acknowledge")
    at_both_sizes(page, screenshot, "record")
    page.get_by_role("button", name="Record correspondence").click()
    expect(timeline).to_contain_text("Letter sent")
    expect(timeline).to_contain_text("This message acknowledged the complaint.")
    expect(page.locator(".page-header")).to_contain_text("Acknowledged")
    at_both_sizes(page, screenshot, "detail")

    page.get_by_role("link", name="Notes", exact=True).click()
    expect(timeline).to_contain_text("Rang the network team")
    expect(timeline).not_to_contain_text("Letter sent")
    assert page.url.endswith("?show=notes")

    page.goto(f"/o/acme/complaints/{complaint.id}/email")
    expect(page.locator("#email-blocked")).to_contain_text("record it instead")
    at_both_sizes(page, screenshot, "email")
