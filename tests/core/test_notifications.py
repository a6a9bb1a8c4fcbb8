"""In-app notifications: ``accord.notify``, the header's bell and the notifications page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord import notify, utcnow
from accord.models import User
from accord.notifications import Notification, prune, unread_count
from accord.testing import post_form

PAGE = "/o/acme/notifications/"


@pytest.fixture
def agent(signed_in):
    return signed_in("agent", email="sam@acme.test")


@pytest.fixture
def sam(agent):
    return User.get(User.email == "sam@acme.test")


def bell(html):
    """The unread count the header's bell shows; none is shown at zero."""
    found = re.search(r'class="bell-count">(\d+)<', html)
    return found.group(1) if found else "0"


def test_notify_reaches_members_once_each(org, sam, make_user, make_org):
    outsider = make_user("eve@other.test", make_org("other"), "admin")
    assert notify(org, [sam, sam.id, None, outsider], "INC-1 was resolved", "/o/acme/x") == 1
    assert unread_count(org, sam) == 1


def test_the_bell_shows_the_unread_count(agent, org, sam):
    notify(org, [sam], "INC-1 was resolved", "/o/acme/incidents/1")
    notify(org, [sam], "INC-2 was assigned to you", "/o/acme/incidents/2")
    assert bell(agent.get("/o/acme/").text) == "2"


def test_the_page_lists_newest_first_with_links_and_zoned_times(agent, org, sam):
    org.time_zone = "Europe/London"
    org.save()
    notify(org, [sam], "Older news", "/o/acme/incidents/1", now=dt.datetime(2026, 7, 1, 9, 0))
    notify(org, [sam], "Newer news", "/o/acme/incidents/2", now=dt.datetime(2026, 7, 2, 9, 0))
    page = agent.get(PAGE).text
    assert page.index("Newer news") < page.index("Older news")
    newer = Notification.get(Notification.text == "Newer news")
    assert f'<a href="{PAGE}{newer.id}">Newer news</a>' in page
    assert "2026-07-02 10:00 BST" in page
    assert "Times in Europe/London" in page
    assert page.count("notification-unread") == 2


def test_the_page_is_paged(agent, org, sam):
    for n in range(30):
        notify(org, [sam], f"News {n:02d}", "/o/acme/x", now=dt.datetime(2026, 7, 1, 9, n))
    first = agent.get(PAGE).text
    assert "News 29" in first and "News 04" not in first and "Older →" in first
    second = agent.get(PAGE + "?page=2").text
    assert "News 04" in second and "News 29" not in second and "← Newer" in second


def test_following_a_notification_opens_its_record_and_reads_it(agent, org, sam):
    notify(org, [sam], "One", "/o/acme/incidents/7")
    notify(org, [sam], "Two", "/o/acme/incidents/8")
    one = Notification.get(Notification.text == "One")
    response = agent.get(f"{PAGE}{one.id}", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/o/acme/incidents/7")
    assert unread_count(org, sam) == 1


def test_a_notification_never_leads_off_the_site(agent, org, sam):
    notify(org, [sam], "Elsewhere", "//evil.example/")
    elsewhere = Notification.get(Notification.text == "Elsewhere")
    response = agent.get(f"{PAGE}{elsewhere.id}", follow_redirects=False)
    assert response.headers["location"] == PAGE


def test_marking_one_read_leaves_the_others_unread(agent, org, sam):
    notify(org, [sam], "One", "/o/acme/x")
    notify(org, [sam], "Two", "/o/acme/y")
    first = Notification.select().where(Notification.text == "One").get()
    response = post_form(agent, f"{PAGE}{first.id}/read", token_from=PAGE)
    assert response.status_code == 303
    assert unread_count(org, sam) == 1
    assert agent.get(PAGE).text.count("notification-unread") == 1


def test_marking_all_read_empties_the_bell(agent, org, sam):
    notify(org, [sam], "One", "/o/acme/x")
    notify(org, [sam], "Two", "/o/acme/y")
    response = post_form(agent, f"{PAGE}read", token_from=PAGE, follow_redirects=True)
    assert "2 notifications marked read." in response.text
    assert bell(response.text) == "0"


def test_a_person_sees_only_their_own_notifications(agent, signed_in, org, sam):
    other = signed_in("agent", email="kim@acme.test")
    notify(org, [sam], "For Sam only", "/o/acme/x")
    assert "For Sam only" not in other.get(PAGE).text
    theirs = Notification.get(Notification.text == "For Sam only")
    assert post_form(other, f"{PAGE}{theirs.id}/read", token_from=PAGE).status_code == 404
    assert other.get(f"{PAGE}{theirs.id}", follow_redirects=False).status_code == 404
    assert unread_count(org, sam) == 1


def test_notifications_of_another_organisation_stay_there(agent, org, sam, make_org):
    from accord import accounts

    other = make_org("other")
    accounts.add_member(sam, other, "agent")
    notify(other, [sam], "Over in Other", "/o/other/x")
    assert "Over in Other" not in agent.get(PAGE).text
    assert bell(agent.get(PAGE).text) == "0"
    theirs = Notification.get(Notification.text == "Over in Other")
    assert post_form(agent, f"{PAGE}{theirs.id}/read", token_from=PAGE).status_code == 404


def test_the_page_needs_a_member(agent, client):
    assert client.get(PAGE, follow_redirects=False).status_code in (302, 303)


def test_read_notifications_older_than_ninety_days_are_pruned(org, sam):
    now = utcnow()
    notify(org, [sam], "Old and read", "/x", now=now - dt.timedelta(days=200))
    notify(org, [sam], "Old but unread", "/x", now=now - dt.timedelta(days=200))
    notify(org, [sam], "Read lately", "/x")
    Notification.update(read_at=now - dt.timedelta(days=91)).where(
        Notification.text == "Old and read"
    ).execute()
    Notification.update(read_at=now - dt.timedelta(days=3)).where(
        Notification.text == "Read lately"
    ).execute()
    assert prune(now) == 1
    assert {n.text for n in Notification.select()} == {"Old but unread", "Read lately"}


def test_a_page_outside_an_organisation_has_no_bell(agent):
    page = agent.get("/account/password")
    assert page.status_code == 200
    assert "Notifications:" not in page.text


def test_the_bell_counts_up_to_99_and_then_says_99_plus(org, sam, agent):
    notify(org, [sam], "First", "/o/acme/")
    assert bell(agent.get("/o/acme/notifications/").text) == "1"
    for n in range(100):
        notify(org, [sam], f"Change {n}", "/o/acme/")
    assert 'class="bell-count">99+<' in agent.get("/o/acme/notifications/").text
