"""A signed-in GET writes nothing to the database while its session is fresh.

A write per request would queue every worker behind SQLite's one writer (and
cost a WAL flush on PostgreSQL). The session's ``last_seen_at`` is touched at
most once a minute; nothing else (audit, throttle, notifications, CSRF,
metrics, menus) may write on a page view.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playhouse.test_utils import count_queries

from accord import utcnow
from accord.models import Session
from accord.plugins.contacts.testing import make_organisation, make_person

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
PAGES = [
    "/",
    "/account",
    "/o/acme/dashboard/",
    "/o/acme/dashboard/search?q=Lima",
    "/o/acme/notifications/",
    "/o/acme/contacts/people/",
    "/o/acme/contacts/people/?q=Lima",
    "/o/acme/contacts/organisations/",
    "/o/acme/settings/members",
    "/o/acme/settings/audit",
]


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def browser(signed_in, org, enable_plugin):
    enable_plugin(org, "contacts")
    make_person(org, "Ana", "Lima", organisation=make_organisation(org))
    client = signed_in("admin")
    assert client.get("/o/acme/dashboard/").status_code == 200  # what sign-in left to show
    return client


def writes_during(client, url):
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    statements = [record.msg[0].lstrip().upper() for record in counter.get_queries()]
    assert statements, "no SQL seen: the counter is not watching"
    return [sql for sql in statements if sql.startswith(WRITES)]


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_page_view_writes_nothing(browser, url):
    assert writes_during(browser, url) == []


def test_a_session_idle_for_over_a_minute_is_touched_once(browser):
    Session.update(last_seen_at=utcnow() - timedelta(minutes=2)).execute()
    first = writes_during(browser, "/o/acme/contacts/people/")
    second = writes_during(browser, "/o/acme/contacts/people/")
    assert [sql.split()[:2] for sql in first] == [["UPDATE", '"ACCORD_SESSION"']]
    assert second == []
