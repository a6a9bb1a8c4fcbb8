"""Per-organisation plugins: on and off without a restart, on every worker."""

from __future__ import annotations

import pytest
from starlette.responses import HTMLResponse

from accord import MenuItem, Page, Permission, Widget, hookimpl
from accord.app import create_app
from accord.enablement import EnablementError, disable, enable, enabled_plugins
from accord.models import AuditEntry
from accord.testing import manifest, post_form


class Notes:
    @hookimpl
    def register_permissions(self):
        return [Permission("notes.view", "Read notes", roles=("admin", "agent"))]

    @hookimpl
    def register_routes(self):
        return [
            Page(
                "/",
                lambda request: HTMLResponse("notes page"),
                name="index",
                permission="notes.view",
            )
        ]

    @hookimpl
    def register_menu_items(self, ctx):
        return [MenuItem("Notes", ctx.url("notes:index"))]

    @hookimpl
    def register_dashboard_widgets(self, ctx):
        return [Widget("Recent notes", "three notes today")]

    @hookimpl
    def search(self, ctx, query, limit):
        from accord import SearchResult

        return [SearchResult(f"Note about {query}", "/", "note")]


class Reports:
    @hookimpl
    def register_routes(self):
        return [Page("/", lambda request: HTMLResponse("reports page"), name="index")]


@pytest.fixture(autouse=True)
def plugins(accord_plugins):
    accord_plugins.append((Notes(), manifest("notes", title="Notes")))
    accord_plugins.append((Reports(), manifest("reports", title="Reports", depends=["notes"])))


def test_plugin_pages_are_404_where_the_plugin_is_off(signed_in, org):
    client = signed_in("admin")
    assert client.get(f"/o/{org.slug}/notes/").status_code == 404


def test_plugin_pages_answer_once_enabled(signed_in, org, enable_plugin):
    enable_plugin(org, "notes")
    assert signed_in("admin").get(f"/o/{org.slug}/notes/").text == "notes page"


def test_enabling_a_plugin_enables_what_it_needs(org, accord_host):
    assert enable(accord_host, org, "reports") == ["notes", "reports"]
    assert {"notes", "reports"} <= enabled_plugins(accord_host, org)


def test_disabling_a_plugin_others_need_is_refused_with_their_names(org, accord_host):
    enable(accord_host, org, "reports")
    with pytest.raises(EnablementError, match="needed by reports"):
        disable(accord_host, org, "notes")


def test_enabling_is_per_organisation(signed_in, org, make_org, enable_plugin):
    other = make_org("other")
    enable_plugin(org, "notes")
    client = signed_in("admin", organisation=other)
    assert client.get(f"/o/{other.slug}/notes/").status_code == 404


def test_menu_widgets_and_search_of_a_disabled_plugin_are_absent(signed_in, org, enable_plugin):
    client = signed_in("admin")
    dashboard = client.get(f"/o/{org.slug}/dashboard/").text
    assert "Notes" not in dashboard and "Recent notes" not in dashboard
    assert "Note about" not in client.get(f"/o/{org.slug}/dashboard/search?q=printer").text
    enable_plugin(org, "notes")
    dashboard = client.get(f"/o/{org.slug}/dashboard/").text
    assert "Notes" in dashboard and "Recent notes" in dashboard
    assert "Note about printer" in client.get(f"/o/{org.slug}/dashboard/search?q=printer").text


def test_a_change_made_through_one_worker_applies_on_the_next_request_of_another(
    accord_settings, accord_host, signed_in, org
):
    client = signed_in("admin")
    other_worker = create_app(accord_settings, accord_host)
    from starlette.testclient import TestClient

    second = TestClient(other_worker, base_url="http://testserver", cookies=client.cookies)
    assert second.get(f"/o/{org.slug}/notes/").status_code == 404
    response = post_form(
        client,
        f"/o/{org.slug}/settings/plugins/notes/enable",
        token_from=f"/o/{org.slug}/settings/plugins",
    )
    assert response.status_code == 303
    assert second.get(f"/o/{org.slug}/notes/").status_code == 200


def test_disabling_keeps_the_plugins_data(org, accord_host):
    enable(accord_host, org, "notes")
    disable(accord_host, org, "notes")
    actions = [
        e.action for e in AuditEntry.select().where(AuditEntry.org == org).order_by(AuditEntry.id)
    ]
    assert actions[-2:] == ["plugin.enable", "plugin.disable"]
    enable(accord_host, org, "notes")
    assert "notes" in enabled_plugins(accord_host, org)


def test_permissions_of_a_plugin_follow_the_role(signed_in, org, enable_plugin):
    enable_plugin(org, "notes")
    assert signed_in("viewer").get(f"/o/{org.slug}/notes/").status_code == 403
    assert signed_in("agent").get(f"/o/{org.slug}/notes/").status_code == 200


def test_the_plugins_page_enables_with_dependencies_and_says_so(signed_in, org):
    client = signed_in("admin")
    post_form(
        client,
        f"/o/{org.slug}/settings/plugins/reports/enable",
        token_from=f"/o/{org.slug}/settings/plugins",
    )
    page = client.get(f"/o/{org.slug}/settings/plugins").text
    assert "Also enabled, because it needs them: notes." in page


def test_the_plugins_page_refuses_to_disable_a_needed_plugin(signed_in, org, enable_plugin):
    enable_plugin(org, "reports")
    client = signed_in("admin")
    post_form(
        client,
        f"/o/{org.slug}/settings/plugins/notes/disable",
        token_from=f"/o/{org.slug}/settings/plugins",
    )
    assert client.get(f"/o/{org.slug}/notes/").status_code == 200
    assert "needed by reports" in client.get(f"/o/{org.slug}/settings/plugins").text


def test_disabling_asks_for_confirmation_first(signed_in, org, enable_plugin):
    enable_plugin(org, "notes")
    page = signed_in("admin").get(f"/o/{org.slug}/settings/plugins/notes/disable")
    assert "Its data is <strong>kept</strong>" in page.text


def test_only_admins_manage_plugins(signed_in, org):
    assert signed_in("manager").get(f"/o/{org.slug}/settings/plugins").status_code == 403
