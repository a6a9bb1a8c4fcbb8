"""htmx is live in the page: filters update their results in place, without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def mark_the_page(page) -> None:
    """Leave a value on ``window`` that a full page load would wipe out."""
    page.evaluate("window.accordTestMarker = 'still here'")


def page_was_not_reloaded(page) -> bool:
    return page.evaluate("window.accordTestMarker") == "still here"


def only_the_fragment_was_swapped(page) -> bool:
    """A whole page swapped into the results would bring a second top bar and heading."""
    return page.locator("header.topbar").count() == 1 and page.locator("h1").count() == 1


def test_the_audit_log_filter_narrows_the_rows_in_place(
    page, org, make_user, sign_in_as, screenshot
):
    make_user("root@acme.test", org, "admin")
    sign_in_as("root@acme.test")
    page.goto(f"/o/{org.slug}/settings/audit")
    rows = page.locator("main table tbody tr")
    expect(rows.filter(has_text="created organisation Acme Council ICT")).to_have_count(1)
    expect(rows.filter(has_text="root@acme.test is admin")).to_have_count(1)
    mark_the_page(page)

    # Choosing is enough: no button press.
    page.locator("select[name=action]").select_option("create")

    expect(rows.filter(has_text="root@acme.test is admin")).to_have_count(0)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("created organisation Acme Council ICT")
    assert page_was_not_reloaded(page)
    assert only_the_fragment_was_swapped(page)
    screenshot("audit-log")


def test_the_search_page_shows_results_as_the_user_types(page, org, make_user, sign_in_as):
    make_user("ana@acme.test", org)
    sign_in_as("ana@acme.test")
    page.goto(f"/o/{org.slug}/dashboard/search")
    results = page.locator("#search-results")
    expect(results).to_contain_text("Type to search everything enabled in Acme Council ICT.")
    mark_the_page(page)

    page.locator("#search-q").press_sequentially("zebra")

    expect(results).to_contain_text("Nothing matches “zebra”.")
    assert page_was_not_reloaded(page)
    assert only_the_fragment_was_swapped(page)
