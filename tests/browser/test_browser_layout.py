"""The site shell's layout, measured in the browser (what the unit tests cannot see)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

def box(page, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not on the page"
    return found


def test_a_page_without_a_sidebar_gives_its_content_the_full_width(
    page, org, make_user, sign_in_as
):
    make_user("ana@acme.test", org)
    sign_in_as("ana@acme.test")

    page.goto("/account/password")

    assert page.locator(".sidebar").count() == 0
    assert box(page, "main.main")["width"] >= 0.9 * page.viewport_size["width"]


def test_the_content_sits_beside_the_sidebar_on_a_wide_screen(page, org, make_user, sign_in_as):
    make_user("ana@acme.test", org)
    sign_in_as("ana@acme.test")

    sidebar, main = box(page, "nav.sidebar"), box(page, "main.main")

    assert main["x"] >= sidebar["x"] + sidebar["width"]
    assert abs(main["y"] - sidebar["y"]) < 1


def test_on_a_phone_the_content_starts_right_below_the_menu(page, org, make_user, sign_in_as):
    make_user("ana@acme.test", org)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_as("ana@acme.test")

    sidebar, main = box(page, "nav.sidebar"), box(page, "main.main")

    assert main["y"] - (sidebar["y"] + sidebar["height"]) < 1
