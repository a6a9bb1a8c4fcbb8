"""Watching incidents: who watches, and the in-app notifications their changes send."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import User, database
from accord.notifications import Notification
from accord.plugins.catalogue.testing import make_calendar, make_service
from accord.plugins.incidents import escalation, watching, workflow
from accord.plugins.incidents.testing import make_incident, make_team, reload
from accord.testing import post_form

LEVELS = {p: (60, 480) for p in (1, 2, 3, 4)}


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def email(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Email", levels=LEVELS, calendar=make_calendar(org))


@pytest.fixture
def agent(signed_in, email):
    return signed_in("agent", email="sam@acme.test")


@pytest.fixture
def sam(agent):
    return User.get(User.email == "sam@acme.test")


@pytest.fixture
def kim(org, make_user):
    return make_user("kim@acme.test", org, "agent", name="Kim Watcher")


@pytest.fixture
def incident(org, email):
    return make_incident(org, service=email)


def url(incident, action=""):
    return f"/o/acme/incidents/{incident.id}" + (f"/{action}" if action else "")


def act(client, incident, action, **data):
    data.setdefault("version", str(reload(incident).version))
    return post_form(client, url(incident, action), data, token_from=url(incident))


def told(user):
    query = Notification.select().where(Notification.user == user.id).order_by(Notification.id)
    return [n.text for n in query]


def names(incident):
    return [str(u.name) for u in watching.watchers(incident)]


def test_watching_from_the_page_lists_you_as_a_watcher(agent, incident):
    assert act(agent, incident, "watch").status_code == 303
    page = agent.get(url(incident)).text
    assert "Sam (you)" in page
    assert "Stop watching" in page


def test_stop_watching(agent, incident, sam):
    act(agent, incident, "watch")
    act(agent, incident, "unwatch")
    assert sam.id not in [u.id for u in watching.watchers(incident)]


def test_a_viewer_may_watch_but_not_add_colleagues(signed_in, incident, kim):
    viewer = signed_in("viewer")
    assert act(viewer, incident, "watch").status_code == 303
    assert "Add a colleague" not in viewer.get(url(incident)).text
    assert act(viewer, incident, "watchers", user=str(kim.id)).status_code == 403


def test_a_colleague_is_added_as_a_watcher(agent, incident, kim):
    assert act(agent, incident, "watchers", user=str(kim.id)).status_code == 303
    assert "Kim Watcher" in names(incident)


def test_only_members_can_be_added_as_watchers(agent, incident, make_user, make_org):
    outsider = make_user("eve@other.test", make_org("other"), "admin", name="Eve Outsider")
    response = act(agent, incident, "watchers", user=str(outsider.id))
    assert response.status_code == 422
    assert "Choose a member of this organisation." in response.text
    assert "Eve Outsider" not in names(incident)


def test_choosing_nobody_asks_for_a_colleague(agent, incident):
    response = act(agent, incident, "watchers", user="")
    assert response.status_code == 422
    assert "Choose a colleague from the list." in response.text


def test_the_person_who_logged_it_and_the_assignee_watch_it(org, email, sam, kim):
    logged = make_incident(org, service=email, user=sam, assignee=kim.id)
    assert names(logged) == ["Kim Watcher", "Sam"]


def test_assigning_makes_the_assignee_a_watcher(agent, incident, kim, org):
    desk = make_team(org, members=[kim])
    act(agent, incident, "assign", team=str(desk.id), assignee=str(kim.id))
    assert "Kim Watcher" in names(incident)


def test_a_change_tells_watchers_but_not_who_made_it(agent, incident, sam, kim):
    watching.watch(incident, kim)
    watching.watch(incident, sam)
    act(agent, incident, "start")
    assert told(kim) == [f"{incident.reference} {incident.title}: work started by Sam"]
    assert told(sam) == []


def test_each_watcher_is_told_once_per_change(agent, incident, kim, org):
    desk = make_team(org, members=[kim])
    watching.watch(incident, kim)
    act(agent, incident, "assign", team=str(desk.id), assignee=str(kim.id))
    assert told(kim) == [
        f"{incident.reference} {incident.title}: assigned to Service Desk and Kim Watcher by Sam"
    ]


@pytest.mark.parametrize(
    ("kind", "words"),
    [("reply", "Sam replied to the reporter"), ("note", "Sam added an internal note")],
)
def test_replies_and_notes_tell_watchers(agent, incident, kim, kind, words):
    watching.watch(incident, kim)
    act(agent, incident, "notes", body="Looking at it.", kind=kind)
    assert told(kim) == [f"{incident.reference} {incident.title}: {words}"]


def test_a_new_priority_tells_watchers(agent, incident, kim, email):
    watching.watch(incident, kim)
    data = {
        "title": incident.title,
        "service": str(email.id),
        "category": "other",
        "channel": "phone",
        "impact": "1",
        "urgency": "1",
    }
    assert act(agent, incident, "edit", **data).status_code == 303
    assert told(kim)[0].endswith(": priority changed from P3 Medium to P1 Critical by Sam")


def test_resolving_tells_watchers_with_the_resolution(agent, incident, kim):
    watching.watch(incident, kim)
    act(agent, incident, "resolve", resolution_code="fixed", resolution_notes="Reset it.")
    assert told(kim)[-1].endswith("resolved by Sam: Fixed")


def test_an_automatic_escalation_tells_every_watcher(org, email, kim):
    desk = make_team(org, "Service Desk", tier=1)
    make_team(org, "Second Line", tier=2)
    incident = make_incident(org, service=email, team=desk.id, at=dt.datetime(2025, 3, 3, 9))
    watching.watch(incident, kim)
    rules = escalation.rules_for(org)
    rules[(3, "warning")] = escalation.Rule(next_tier=True)
    escalation.save_rules(org, rules)
    with database.atomic():
        escalation.run(org, now=dt.datetime(2025, 3, 3, 9, 50))
    assert told(kim) == [
        f"{incident.reference} {incident.title}: escalated to Second Line (Tier 2): "
        "P3 Medium, response clock at risk"
    ]


def test_quiet_changes_tell_nobody(incident, kim):
    watching.watch(incident, kim)
    workflow.start(incident, incident.version, user=None, quiet=True)
    assert told(kim) == []


def test_the_notification_links_to_the_incident(agent, incident, kim):
    watching.watch(incident, kim)
    act(agent, incident, "start")
    assert Notification.get(Notification.user == kim.id).url == url(incident)
