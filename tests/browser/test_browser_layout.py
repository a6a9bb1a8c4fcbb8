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


def test_on_a_phone_the_menu_is_folded_and_the_content_starts_below_the_top_bar(
    page, org, make_user, sign_in_as
):
    make_user("ana@acme.test", org)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_as("ana@acme.test")

    assert not page.locator("nav.sidebar").is_visible()
    topbar, main = box(page, "header.topbar"), box(page, "main.main")
    assert main["y"] - (topbar["y"] + topbar["height"]) < 1


def test_on_a_phone_the_menu_button_opens_the_menu_above_the_content(
    page, org, make_user, sign_in_as
):
    make_user("ana@acme.test", org)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_as("ana@acme.test")

    page.get_by_text("Menu", exact=True).click()

    sidebar, main = box(page, "nav.sidebar"), box(page, "main.main")
    assert main["y"] - (sidebar["y"] + sidebar["height"]) < 1
    assert page.get_by_role("link", name="Dashboard").is_visible()


def test_on_a_wide_screen_there_is_no_menu_button(page, org, make_user, sign_in_as):
    make_user("ana@acme.test", org)
    sign_in_as("ana@acme.test")

    assert not page.get_by_text("Menu", exact=True).is_visible()
    assert page.locator("nav.sidebar").is_visible()


# Elements of <main> that stick out of their parent, unless the parent scrolls them.
WIDER_THAN_THEIR_BOX = """() => [...document.querySelectorAll("main *")].filter((el) => {
  const parent = el.parentElement, style = getComputedStyle(el);
  if (["auto", "scroll"].includes(getComputedStyle(parent).overflowX)) return false;
  if (style.position === "absolute" || style.display === "none") return false;
  for (let up = parent; up; up = up.parentElement)  // inside something visually hidden
    if (up.getBoundingClientRect().width <= 1) return false;
  const box = el.getBoundingClientRect(), outer = parent.getBoundingClientRect();
  return box.width > 0 && box.right > outer.right + 1.5;
}).map((el) => el.tagName.toLowerCase() + "." + [...el.classList].join("."))"""


@pytest.fixture
def demo_pages(accord_host, sign_in_as):
    """The demo organisation, signed in as its admin; the main pages' URLs."""
    from accord.demo import DEMO_PASSWORD, build_demo
    from accord.plugins.contacts.models import CustomerOrganisation, Person
    from accord.plugins.incidents.models import Incident

    org = build_demo(accord_host).org
    sign_in_as("admin@demo.example.com", DEMO_PASSWORD)
    first = lambda model: model.in_org(org).order_by(model.id).first().id  # noqa: E731
    return [
        "/o/demo/incidents/queues/mine",
        "/o/demo/incidents/queues/all",
        f"/o/demo/incidents/{first(Incident)}",
        "/o/demo/contacts/people/",
        f"/o/demo/contacts/people/{first(Person)}",
        f"/o/demo/contacts/organisations/{first(CustomerOrganisation)}",
        "/o/demo/contacts/groups/",
        "/o/demo/incidents/report",
        "/o/demo/complaints/report",
        "/o/demo/satisfaction/results",
        "/o/demo/contacts/report",
        "/o/demo/settings/organisation",
        "/o/demo/settings/plugins",
        "/o/demo/settings/members",
        "/o/demo/settings/audit",
    ]


def test_no_main_page_scrolls_sideways_on_a_phone_or_a_desktop(page, demo_pages):
    faults = []
    for width, height in ((390, 844), (1366, 900)):  # one demo, one page: both sizes
        page.set_viewport_size({"width": width, "height": height})
        for url in demo_pages:
            page.goto(url)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                faults.append(f"{width} px, {url}: the page is {scroll} px wide")
            faults += [
                f"{width} px, {url}: {el} is wider than its box"
                for el in page.evaluate(WIDER_THAN_THEIR_BOX)
            ]
    assert faults == []


def test_the_incident_queue_fits_and_shows_its_first_rows_above_the_fold(
    page, org, make_user, enable_plugin, sign_in_as
):
    from accord.plugins.incidents.testing import make_incident

    enable_plugin(org, "incidents")
    for n in range(5):
        make_incident(org, f"The finance share is out of reach from the third floor ({n})")
    make_user("morgan@acme.test", org, "manager")
    sign_in_as("morgan@acme.test")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/o/acme/incidents/queues/all")

    table = box(page, "table.incidents-queue")
    assert table["width"] <= box(page, ".incidents-scroll")["width"]
    third_row = page.locator("table.incidents-queue tbody tr").nth(2).bounding_box()
    assert third_row["y"] + third_row["height"] <= 900


def test_on_a_phone_a_lists_filters_fold_behind_their_button(
    page, org, make_user, sign_in_as, enable_plugin
):
    enable_plugin(org, "contacts")
    make_user("ana@acme.test", org)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_as("ana@acme.test")
    page.goto(f"/o/{org.slug}/contacts/people/")

    country = page.get_by_label("Country")
    assert page.get_by_role("searchbox").first.is_visible()
    assert not country.is_visible()
    page.locator("label.filters-button").click()
    assert country.is_visible()


def test_on_a_wide_screen_a_lists_filters_show_without_a_button(
    page, org, make_user, sign_in_as, enable_plugin
):
    enable_plugin(org, "contacts")
    make_user("ana@acme.test", org)
    sign_in_as("ana@acme.test")
    page.goto(f"/o/{org.slug}/contacts/people/")

    assert page.get_by_label("Country").is_visible()
    assert not page.locator("label.filters-button").is_visible()
