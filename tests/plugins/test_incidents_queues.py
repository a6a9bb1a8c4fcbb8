"""Queues: what each holds, filters and sorting, the htmx refresh, and bulk actions."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord import User, utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents import workflow
from accord.plugins.incidents.models import Incident
from accord.plugins.incidents.testing import make_incident, make_team, reload
from accord.testing import HTMX_HEADERS, csrf_from, post_form

QUEUES = "/o/acme/incidents/queues"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def fast(org, enable_plugin):
    """Around the clock (no calendar): respond within an hour."""
    enable_plugin(org, "incidents")
    return make_service(org, "Network", levels={p: (60, 240) for p in (1, 2, 3, 4)})


@pytest.fixture
def slow(org, fast):
    """Respond within two days."""
    return make_service(org, "Printing", levels={p: (2880, 5760) for p in (1, 2, 3, 4)})


@pytest.fixture
def agent(signed_in, fast):
    return signed_in("agent", email="alex@acme.test")


@pytest.fixture
def alex(agent):
    return User.get(User.email == "alex@acme.test")


def refs(html: str) -> list[str]:
    """The references of the rows shown, in order."""
    return re.findall(r">(INC-\d{6})</a>", html)


def test_my_incidents_are_the_open_ones_assigned_to_me(agent, alex, org, slow):
    mine = make_incident(org, "Mine", service=slow, assignee=alex.id)
    make_incident(org, "Nobody's", service=slow)
    done = make_incident(org, "Mine but done", service=slow, assignee=alex.id)
    workflow.resolve(done, done.version, "fixed", "Done.", user=alex, quiet=True)
    assert refs(agent.get(f"{QUEUES}/mine").text) == [mine.reference]


def test_unassigned_holds_open_incidents_nobody_has_taken(agent, alex, org, slow):
    loose = make_incident(org, "Loose", service=slow)
    make_incident(org, "Taken", service=slow, assignee=alex.id)
    assert refs(agent.get(f"{QUEUES}/unassigned").text) == [loose.reference]


def test_my_teams_queue_holds_my_teams_incidents(agent, alex, org, slow):
    desk = make_team(org, "Service Desk", members=[alex])
    infra = make_team(org, "Infrastructure", tier=2)
    ours = make_incident(org, "Ours", service=slow, team=desk.id)
    make_incident(org, "Theirs", service=slow, team=infra.id)
    assert refs(agent.get(f"{QUEUES}/team").text) == [ours.reference]


def test_breaching_soon_holds_clocks_due_within_hours_soonest_first(agent, org, fast, slow):
    now = utcnow()
    later = make_incident(org, "Due in 40 min", service=fast, at=now - dt.timedelta(minutes=20))
    sooner = make_incident(org, "Due in 10 min", service=fast, at=now - dt.timedelta(minutes=50))
    make_incident(org, "Due in two days", service=slow)
    make_incident(org, "Already late", service=fast, at=now - dt.timedelta(hours=3))
    assert refs(agent.get(f"{QUEUES}/breaching").text) == [sooner.reference, later.reference]


def test_the_sla_filter_finds_breached_incidents(agent, org, fast, slow):
    late = make_incident(org, "Already late", service=fast, at=utcnow() - dt.timedelta(hours=3))
    make_incident(org, "On time", service=slow)
    assert refs(agent.get(f"{QUEUES}/all?sla=breached").text) == [late.reference]


def test_the_priority_filter_and_sort(agent, org, slow):
    p1 = make_incident(org, "Down", service=slow, impact=1, urgency=1)
    p4 = make_incident(org, "Cosmetic", service=slow, impact=4, urgency=4)
    assert refs(agent.get(f"{QUEUES}/all?priority=1").text) == [p1.reference]
    assert refs(agent.get(f"{QUEUES}/all?sort=-priority").text) == [p4.reference, p1.reference]


def test_queues_page_with_keyset_cursors(agent, org, slow):
    made = [make_incident(org, f"Number {n}", service=slow) for n in range(3)]
    first = agent.get(f"{QUEUES}/all?per_page=2")
    assert refs(first.text) == [made[2].reference, made[1].reference]
    following = re.search(r'href="([^"]+after=[^"]+)"', first.text).group(1).replace("&amp;", "&")
    assert refs(agent.get(following).text) == [made[0].reference]


def test_the_rows_refresh_themselves_in_place_every_30_seconds(agent, org, slow):
    make_incident(org, "Printer jam", service=slow)
    fragment = agent.get(f"{QUEUES}/all?priority=3", headers=HTMX_HEADERS)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "incidents-tabs" not in fragment.text
    assert 'hx-trigger="every 30s"' in fragment.text
    assert f'hx-get="{QUEUES}/all?priority=3"' in fragment.text
    assert "Printer jam" in fragment.text


def test_without_htmx_the_queue_is_a_whole_page(agent, org, slow):
    page = agent.get(f"{QUEUES}/all")
    assert "<html" in page.text and "incidents-tabs" in page.text
    assert page.headers["vary"] == "HX-Request-Type"


def test_an_unknown_queue_is_404(agent):
    assert agent.get(f"{QUEUES}/everything").status_code == 404


def bulk(client, **data):
    return post_form(client, "/o/acme/incidents/bulk", data, token_from=f"{QUEUES}/all")


def test_bulk_assign_to_me_takes_every_ticked_incident(agent, alex, org, slow):
    a, b = make_incident(org, "A", service=slow), make_incident(org, "B", service=slow)
    response = bulk(agent, ids=[str(a.id), str(b.id)], action="assign_me", next=f"{QUEUES}/all")
    assert response.status_code == 303 and response.headers["location"] == f"{QUEUES}/all"
    assert [reload(i).assignee_id for i in (a, b)] == [alex.id, alex.id]
    assert {reload(i).status for i in (a, b)} == {"assigned"}


def test_bulk_assign_to_a_team(agent, org, slow):
    infra = make_team(org, "Infrastructure", tier=2)
    a = make_incident(org, "A", service=slow)
    bulk(agent, ids=[str(a.id)], action="assign_team", team=str(infra.id))
    assert reload(a).team_id == infra.id


def test_bulk_status_skips_incidents_that_cannot_move_and_says_which(agent, alex, org, slow):
    done = make_incident(org, "Done", service=slow)
    workflow.resolve(done, done.version, "fixed", "Done.", user=alex, quiet=True)
    open_ = make_incident(org, "Open", service=slow)
    bulk(agent, ids=[str(done.id), str(open_.id)], action="close", next=f"{QUEUES}/all")
    assert (reload(done).status, reload(open_).status) == ("closed", "new")
    page = agent.get(f"{QUEUES}/all")
    assert f"1 incident updated; not changed: {open_.reference}" in page.text


def test_bulk_pending_needs_a_reason(agent, org, slow):
    a = make_incident(org, "A", service=slow)
    bulk(agent, ids=[str(a.id)], action="pend")
    assert reload(a).status == "new"
    bulk(agent, ids=[str(a.id)], action="pend", pending_reason="supplier")
    assert (reload(a).status, reload(a).pending_reason) == ("pending", "supplier")


def test_bulk_actions_need_the_csrf_token(agent, org, slow):
    a = make_incident(org, "A", service=slow)
    response = agent.post("/o/acme/incidents/bulk", data={"ids": str(a.id), "action": "start"})
    assert response.status_code == 403
    assert reload(a).status == "new"


def test_bulk_actions_ignore_another_organisations_incidents(agent, make_org, enable_plugin):
    globex = make_org("globex")
    enable_plugin(globex, "incidents")
    theirs = make_incident(globex, "Theirs")
    bulk(agent, ids=[str(theirs.id)], action="start")
    assert reload(theirs).status == "new"


def test_a_viewer_sees_queues_without_bulk_actions(signed_in, org, slow):
    make_incident(org, "A", service=slow)
    page = signed_in("viewer").get(f"{QUEUES}/all")
    assert page.status_code == 200 and "incidents-bulk" not in page.text
    assert csrf_from(page.text)
    assert Incident.select().count() == 1


def test_a_whole_reference_finds_that_incident(agent, org, slow):
    wanted = make_incident(org, "Printer jams", service=slow)
    make_incident(org, "VPN drops", service=slow)
    number = wanted.reference.split("-")[1].lstrip("0")
    assert refs(agent.get(f"{QUEUES}/all?q={wanted.reference}").text) == [wanted.reference]
    assert refs(agent.get(f"{QUEUES}/all?q=inc{number}").text) == [wanted.reference]


def test_words_still_search_titles(agent, org, slow):
    wanted = make_incident(org, "Printer jams", service=slow)
    make_incident(org, "VPN drops", service=slow)
    assert refs(agent.get(f"{QUEUES}/all?q=printer").text) == [wanted.reference]
