"""An administrator switches a plugin on and off for the organisation, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from starlette.responses import HTMLResponse

from accord import MenuItem, Page, hookimpl
from accord.testing import manifest

pytestmark = pytest.mark.browser


class NotesPlugin:
    """A throwaway plugin: one page and its menu entry."""

    @hookimpl
    def register_routes(self) -> list[Page]:
        return [Page("/", lambda request: HTMLResponse("<h1>Team notes</h1>"), name="index")]

    @hookimpl
    def register_menu_items(self, ctx) -> list[MenuItem]:
        return [MenuItem("Notes", ctx.url("notes:index"), section="Work")]


@pytest.fixture
def accord_plugins():
    return [
        (NotesPlugin(), manifest("notes", title="Notes", description="Shared notes for the team."))
    ]


def test_an_admin_enables_a_plugin_and_its_menu_entry_appears(
    page, org, make_user, sign_in_as, screenshot
):
    make_user("root@acme.test", org, "admin")
    sign_in_as("root@acme.test")
    sidebar = page.get_by_role("navigation", name="Main")
    expect(sidebar.get_by_role("link", name="Notes")).to_have_count(0)

    sidebar.get_by_role("link", name="Plugins").click()
    row = page.locator("#plugin-notes")
    expect(row).to_contain_text("Disabled")
    row.get_by_role("button", name="Enable").click()

    expect(page.get_by_role("status")).to_contain_text("Notes is enabled.")
    expect(page.locator("#plugin-notes")).to_contain_text("Enabled")
    screenshot("plugins")
    sidebar.get_by_role("link", name="Notes").click()
    expect(page).to_have_url(re.compile(rf"/o/{org.slug}/notes/$"))
    expect(page.get_by_role("heading", name="Team notes")).to_be_visible()


def test_an_admin_disables_a_plugin_after_confirming_and_its_pages_are_gone(
    page, org, make_user, enable_plugin, sign_in_as
):
    enable_plugin(org, "notes")
    make_user("root@acme.test", org, "admin")
    sign_in_as("root@acme.test")
    sidebar = page.get_by_role("navigation", name="Main")
    expect(sidebar.get_by_role("link", name="Notes")).to_be_visible()

    sidebar.get_by_role("link", name="Plugins").click()
    page.locator("#plugin-notes").get_by_role("link", name="Disable…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disable Notes?")
    page.get_by_role("button", name="Disable Notes").click()

    expect(page).to_have_url(re.compile(rf"/o/{org.slug}/settings/plugins$"))
    expect(page.get_by_role("status")).to_contain_text("Notes is disabled.")
    expect(page.locator("#plugin-notes")).to_contain_text("Disabled")
    expect(sidebar.get_by_role("link", name="Notes")).to_have_count(0)
    response = page.goto(f"/o/{org.slug}/notes/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")


def test_cancelling_the_confirmation_keeps_the_plugin_enabled(
    page, org, make_user, enable_plugin, sign_in_as
):
    enable_plugin(org, "notes")
    make_user("root@acme.test", org, "admin")
    sign_in_as("root@acme.test")

    page.goto(f"/o/{org.slug}/settings/plugins")
    page.locator("#plugin-notes").get_by_role("link", name="Disable…").click()
    page.get_by_role("link", name="Cancel").click()

    expect(page).to_have_url(re.compile(rf"/o/{org.slug}/settings/plugins$"))
    expect(page.locator("#plugin-notes")).to_contain_text("Enabled")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Notes")
    ).to_be_visible()
