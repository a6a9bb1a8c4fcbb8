"""A person's several addresses in a real browser: add one on the form, find them by it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SIZES = {"wide": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def priya(org, enable_plugin):
    from accord.plugins.contacts.testing import make_organisation, make_person
    from accord.plugins.incidents.testing import make_incident

    enable_plugin(org, "incidents")
    school = make_organisation(org, "Riverside Academy")
    person = make_person(
        org,
        "Priya",
        "Raman",
        email="priya@council.example",
        phone="020 7946 0958",
        other_phones=("07911 123456",),
        organisation=school,
    )
    make_incident(org, "Wi-Fi down in the library", reporter=person)
    return person


def shots(page, screenshot, name):
    """The page at both sizes, for a human to look at ($ACCORD_SCREENSHOTS)."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        screenshot(f"{name}-{size}")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_an_address_added_on_the_form_finds_the_person_in_the_global_search(
    page, org, priya, make_user, sign_in_as, screenshot
):
    make_user("alex@acme.test", org, "agent")
    sign_in_as("alex@acme.test")
    page.goto(f"/o/{org.slug}/contacts/people/{priya.id}/edit")

    emails = page.locator('[data-detail-rows="email"]')
    emails.get_by_role("button", name="Add another email address").click()
    expect(emails.locator("[data-detail-row]")).to_have_count(3)
    emails.get_by_label("Email address 3", exact=True).fill("p.raman@home.example")
    emails.get_by_label("What email address 3 is").select_option("home")
    emails.locator("[data-detail-row]").nth(1).get_by_role("button", name="Remove").click()
    expect(emails.locator("[data-detail-row]")).to_have_count(2)
    shots(page, screenshot, "people-form")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".flash-success")).to_contain_text("Priya Raman is saved.")
    details = page.locator("#person-details").locator("..")
    expect(details).to_contain_text("p.raman@home.example")
    expect(details).to_contain_text("+44 7911 123456")
    shots(page, screenshot, "people-person")

    page.locator("#global-search").fill("p.raman@home.example")
    page.locator("#global-search").press("Enter")
    results = page.locator("main")
    expect(results.get_by_role("link", name="Priya Raman")).to_be_visible()
    expect(results).to_contain_text("Reported by Priya Raman")
    shots(page, screenshot, "people-search")


def test_a_typo_in_the_name_still_finds_the_person(page, org, priya, make_user, sign_in_as):
    make_user("alex@acme.test", org, "viewer")
    sign_in_as("alex@acme.test")
    page.goto(f"/o/{org.slug}/dashboard/search?q=Priya+Ramen")
    expect(page.locator("main").get_by_role("link", name="Priya Raman")).to_be_visible()
