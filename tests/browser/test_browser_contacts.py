"""Contacts in a real browser: an interaction logged on a person's page lands on the timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]  # drop once contacts is in the builtin list


@pytest.fixture
def ana(org, enable_plugin):
    from accord.plugins.contacts.testing import make_organisation, make_person

    enable_plugin(org, "contacts")
    school = make_organisation(org, "Riverside Academy")
    return make_person(org, "Ana", "Lima", organisation=school)


def test_logging_an_interaction_adds_it_to_the_timeline_in_place(
    page, org, ana, make_user, sign_in_as, screenshot
):
    make_user("alex@acme.test", org, "agent")
    sign_in_as("alex@acme.test")
    page.goto(f"/o/{org.slug}/contacts/people/{ana.id}")
    page.evaluate("window.accordTestMarker = 'still here'")

    page.get_by_label("What").select_option("call")
    page.get_by_label("Summary").fill("Printer in the staff room jams on double-sided jobs.")
    page.locator("#log-follow_up_action").fill("Check the engineer fixed it")
    page.get_by_label("Follow-up due").fill("2030-01-31")
    page.get_by_role("button", name="Save interaction").click()

    timeline = page.locator("#activity .timeline")
    expect(page.locator("#activity")).to_contain_text("Call with Ana Lima is logged.")
    call = timeline.locator("li", has_text="Printer in the staff room jams")
    expect(call).to_have_count(1)
    expect(page.get_by_label("Summary")).to_have_value("")
    assert page.evaluate("window.accordTestMarker") == "still here"
    assert page.locator("header.topbar").count() == 1
    screenshot("contacts-person")

    call.get_by_role("button", name="Mark done").click()
    expect(call.locator(".badge-success")).to_have_text("Done")


def test_a_mistake_is_shown_next_to_the_field_without_losing_the_text(
    page, org, ana, make_user, sign_in_as
):
    make_user("alex@acme.test", org, "agent")
    sign_in_as("alex@acme.test")
    page.goto(f"/o/{org.slug}/contacts/people/{ana.id}")
    page.get_by_label("Summary").fill("Asked about Wi-Fi")
    page.locator("#log-follow_up_action").fill("Survey the hall")
    page.get_by_role("button", name="Save interaction").click()

    expect(page.locator("#activity")).to_contain_text("Give the follow-up a due date.")
    expect(page.get_by_label("Summary")).to_have_value("Asked about Wi-Fi")


def test_logging_works_without_javascript(page_without_javascript, org, ana, make_user, sign_in_as):
    page = page_without_javascript
    make_user("alex@acme.test", org, "agent")
    sign_in_as("alex@acme.test", page=page)
    page.goto(f"/o/{org.slug}/contacts/people/{ana.id}")
    page.get_by_label("Summary").fill("Visited to check the projectors.")
    page.get_by_label("What").select_option("visit")
    page.get_by_role("button", name="Save interaction").click()

    expect(page.locator(".flash-success")).to_contain_text("Visit with Ana Lima is logged.")
    expect(page.locator("#activity .timeline")).to_contain_text("Visited to check the projectors.")
