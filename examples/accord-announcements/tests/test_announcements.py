"""The announcements plugin through Accord's pages, with Accord's own pytest fixtures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from accord.testing import HTMX_HEADERS, post_form
from playhouse.test_utils import count_queries

from accord_announcements.models import Announcement, utcnow

LIST = "/o/acme/announcements/"
NEW = "/o/acme/announcements/new"


@pytest.fixture
def accord_extra_modules() -> list[str]:
    return ["accord_announcements"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "announcements")
    return org


def announce(org, title="Email maintenance", **fields):
    fields.setdefault("starts_at", utcnow() - timedelta(hours=1))
    return Announcement.create(org=org, title=title, **fields)


def form(**fields):
    values = {
        "title": "Email maintenance on Saturday",
        "body": "Mail is queued, not lost.",
        "severity": "maintenance",
        "starts_at": "2020-01-01T08:00",
        "ends_at": "",
    }
    values.update(fields)
    return values


def test_pages_are_not_found_where_the_plugin_is_disabled(signed_in, org):
    assert signed_in("admin").get(LIST).status_code == 404


def test_every_role_reads_the_list_and_its_menu_entry(signed_in, enabled):
    announce(enabled, "Email maintenance")
    page = signed_in("viewer").get(LIST)
    assert page.status_code == 200
    assert "Email maintenance" in page.text
    assert f'href="{LIST}"' in page.text  # the menu entry


def test_list_answers_htmx_with_the_listing_fragment_only(signed_in, enabled):
    announce(enabled, "Email maintenance")
    fragment = signed_in("agent").get(f"{LIST}?show=all", headers=HTMX_HEADERS)
    assert "Email maintenance" in fragment.text
    assert "<html" not in fragment.text


def test_list_filters_current_upcoming_and_ended(signed_in, enabled):
    now = utcnow()
    announce(enabled, "On now")
    announce(enabled, "Later", starts_at=now + timedelta(days=1))
    announce(enabled, "Over", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    client = signed_in("agent")
    for show, wanted in [("current", "On now"), ("upcoming", "Later"), ("ended", "Over")]:
        text = client.get(f"{LIST}?show={show}").text
        assert [t for t in ("On now", "Later", "Over") if f">{t}<" in text] == [wanted]


def test_list_fetches_authors_in_one_query(signed_in, enabled, make_user):
    author = make_user("writer@acme.test", enabled, "manager")
    client = signed_in("agent")
    counts = []
    for n in range(2):
        announce(enabled, f"Notice {n}", created_by=author)
        with count_queries() as counter:
            assert f"Notice {n}" in client.get(LIST).text
        counts.append(counter.count)
    assert counts[0] == counts[1]  # no query per row


def test_agents_cannot_publish(signed_in, enabled):
    client = signed_in("agent")
    assert client.get(NEW).status_code == 403
    assert post_form(client, NEW, form(), token_from=LIST).status_code == 403
    assert Announcement.select().count() == 0
    assert "New announcement" not in client.get(LIST).text


def test_manager_publishes_an_announcement(signed_in, enabled):
    client = signed_in("manager")
    response = post_form(client, NEW, form(), token_from=NEW)
    assert response.status_code == 303
    saved = Announcement.get()
    assert (saved.org_id, saved.severity, saved.ends_at) == (enabled.id, "maintenance", None)
    assert saved.created_by.email.startswith("manager")
    assert "is published" in client.get(response.headers["location"]).text


def test_invalid_form_is_shown_again_with_what_was_typed(signed_in, enabled):
    client = signed_in("admin")
    response = post_form(
        client,
        NEW,
        form(title="", body="Keep <this> text", severity="panic", ends_at="2019-12-31T08:00"),
        token_from=NEW,
    )
    assert response.status_code == 422
    assert "Give the announcement a title." in response.text
    assert "Choose a kind of announcement." in response.text
    assert "The end must come after the start." in response.text
    assert "Keep &lt;this&gt; text</textarea>" in response.text
    assert 'value="2019-12-31T08:00"' in response.text
    assert Announcement.select().count() == 0


def test_delete_asks_first_then_deletes(signed_in, enabled):
    item = announce(enabled)
    client = signed_in("admin")
    url = f"{LIST}{item.id}/delete"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Delete announcement" in confirm.text
    assert Announcement.select().count() == 1
    assert post_form(client, url, token_from=url).status_code == 303
    assert Announcement.select().count() == 0


def test_another_organisations_announcement_is_not_found(
    signed_in, enabled, make_org, enable_plugin
):
    other = make_org("globex")
    enable_plugin(other, "announcements")
    theirs = announce(other, "Globex only")
    client = signed_in("admin")
    assert client.get(f"{LIST}{theirs.id}").status_code == 404
    assert post_form(client, f"{LIST}{theirs.id}/delete", token_from=LIST).status_code == 404
    assert "Globex only" not in client.get(f"{LIST}?show=all").text
    assert Announcement.select().count() == 1


def test_dashboard_shows_current_announcements_only(signed_in, enabled):
    now = utcnow()
    announce(enabled, "VPN outage", severity="outage")
    announce(
        enabled, "Old news", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2)
    )
    dashboard = signed_in("viewer").get("/o/acme/dashboard/").text
    assert "VPN outage" in dashboard
    assert "Old news" not in dashboard


def test_search_finds_title_and_body_of_this_organisation(
    signed_in, enabled, make_org, enable_plugin
):
    announce(enabled, "Email maintenance", body="Webmail is down during the window")
    announce(enabled, "Printer fleet", body="New webmail-to-print gateway")
    other = make_org("globex")
    enable_plugin(other, "announcements")
    announce(other, "Globex webmail")
    results = signed_in("agent").get("/o/acme/dashboard/search?q=webmail").text
    assert "Email maintenance" in results
    assert "Printer fleet" in results
    assert "Globex" not in results


def test_demo_data_loads(accord_host, org, make_user):
    from accord import DemoContext

    manager = make_user("morgan@acme.test", org, "manager")
    accord_host.pm.get_plugin("announcements").load_demo_data(
        DemoContext(org=org, users={"manager": manager})
    )
    titles = [a.title for a in Announcement.in_org(org)]
    assert any(title.startswith("Email service: planned maintenance") for title in titles)
    assert Announcement.current(org).count() == 2
