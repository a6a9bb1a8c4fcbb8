"""Bulk resolve and bulk priority change on the incident queues."""

from __future__ import annotations

import pytest

from accord import User
from accord.audit import AuditEntry
from accord.notifications import Notification
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents import watching, workflow
from accord.plugins.incidents.models import Activity
from accord.plugins.incidents.testing import make_incident, reload
from accord.testing import post_form

QUEUES = "/o/acme/incidents/queues"
BULK = "/o/acme/incidents/bulk"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def printing(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Printing", levels={p: (60 * p, 480 * p) for p in (1, 2, 3, 4)})


@pytest.fixture
def agent(signed_in, printing):
    return signed_in("agent", email="alex@acme.test")


@pytest.fixture
def alex(agent):
    return User.get(User.email == "alex@acme.test")


@pytest.fixture
def two(org, printing):
    return make_incident(org, "Tray jams", service=printing), make_incident(
        org, "Toner smears", service=printing
    )


def bulk(client, **data):
    data.setdefault("next", f"{QUEUES}/all")
    return post_form(client, BULK, data, token_from=f"{QUEUES}/all")


def ids(*incidents):
    return [str(i.id) for i in incidents]


def test_bulk_resolve_resolves_every_ticked_incident(agent, two):
    response = bulk(
        agent,
        ids=ids(*two),
        action="resolve",
        resolution_code="fixed",
        resolution_notes="Replaced the fuser unit.",
    )
    assert response.status_code == 303
    for incident in map(reload, two):
        assert (incident.status, incident.resolution_code) == ("resolved", "fixed")
        assert incident.resolution_notes == "Replaced the fuser unit."
    assert "2 incidents updated." in agent.get(f"{QUEUES}/all").text


def test_bulk_resolve_without_notes_shows_the_queue_again_with_the_ticks_kept(agent, two):
    first, second = two
    response = bulk(
        agent, ids=ids(first), action="resolve", resolution_code="workaround", resolution_notes=" "
    )
    assert response.status_code == 422
    assert "Enter resolution notes" in response.text
    assert (
        f'value="{first.id}" form="incidents-bulk" aria-label="Select {first.reference}" checked'
        in response.text
    )
    assert f'aria-label="Select {second.reference}" checked' not in response.text
    assert '<option value="workaround" selected>' in response.text
    assert '<option value="resolve" selected>' in response.text
    assert reload(first).status == "new"


def test_bulk_resolve_keeps_the_notes_typed_when_the_code_is_missing(agent, two):
    response = bulk(agent, ids=ids(*two), action="resolve", resolution_notes="Cleaned it.")
    assert response.status_code == 422
    assert "Choose a resolution code." in response.text
    assert 'value="Cleaned it."' in response.text


def test_bulk_resolve_lists_those_it_cannot_resolve_and_why(agent, alex, two):
    done, open_ = two
    workflow.resolve(done, done.version, "fixed", "Done.", user=alex, quiet=True)
    workflow.close(reload(done), reload(done).version, user=alex, quiet=True)
    bulk(agent, ids=ids(*two), action="resolve", resolution_code="fixed", resolution_notes="Ok.")
    assert reload(open_).status == "resolved"
    page = agent.get(f"{QUEUES}/all").text
    assert (
        f"1 incident updated; not changed: {done.reference} (a closed incident cannot be resolved)"
        in page
    )


def test_bulk_resolve_writes_each_incidents_history_and_audit(agent, two):
    bulk(agent, ids=ids(*two), action="resolve", resolution_code="fixed", resolution_notes="Ok.")
    for incident in two:
        bodies = [
            a.body
            for a in Activity.select().where(
                (Activity.incident == incident.id) & (Activity.kind == "status")
            )
        ]
        assert "Resolved: Fixed. Ok." in bodies
        audited = AuditEntry.select().where(
            (AuditEntry.table == "incidents_incident") & (AuditEntry.record_id == str(incident.id))
        )
        assert audited.count() >= 1


def test_bulk_changes_tell_each_incidents_watchers(agent, two, org, make_user):
    kim = make_user("kim@acme.test", org, "agent")
    for incident in two:
        watching.watch(incident, kim)
    bulk(agent, ids=ids(*two), action="priority", priority="1")
    texts = sorted(n.text for n in Notification.select().where(Notification.user == kim.id))
    assert len(texts) == 2
    assert all(t.endswith("priority changed from P3 Medium to P1 Critical by Alex") for t in texts)


def test_bulk_priority_sets_the_priority_and_moves_the_clocks(agent, two):
    before = reload(two[0]).response_due
    bulk(agent, ids=ids(*two), action="priority", priority="1")
    after = reload(two[0])
    assert after.priority == 1
    assert after.response_due < before  # P1 is answered within an hour, P3 within three
    bodies = [
        a.body
        for a in Activity.select().where(
            (Activity.incident == after.id) & (Activity.kind == "priority")
        )
    ]
    assert bodies == ["priority changed from P3 Medium to P1 Critical"]


@pytest.mark.parametrize("value", ["", "9", "high"])
def test_bulk_priority_needs_a_priority_from_the_list(agent, two, value):
    response = bulk(agent, ids=ids(*two), action="priority", priority=value)
    assert response.status_code == 422
    assert "Choose the new priority." in response.text
    assert {reload(i).priority for i in two} == {3}


def test_bulk_priority_skips_incidents_already_at_it_or_done(agent, alex, two, org, printing):
    already = make_incident(org, "Urgent", service=printing, impact=1, urgency=1)
    done = two[0]
    workflow.resolve(done, done.version, "fixed", "Done.", user=alex, quiet=True)
    bulk(agent, ids=ids(done, two[1], already), action="priority", priority="1")
    assert reload(two[1]).priority == 1
    page = agent.get(f"{QUEUES}/all").text
    assert f"{done.reference} (a resolved incident keeps its priority)" in page
    assert f"{already.reference} (it is already p1 critical)" in page


def test_viewers_cannot_act_in_bulk(signed_in, two):
    viewer = signed_in("viewer")
    response = post_form(
        viewer,
        BULK,
        {
            "ids": ids(*two),
            "action": "resolve",
            "resolution_code": "fixed",
            "resolution_notes": "x",
        },
        token_from=f"{QUEUES}/all",
    )
    assert response.status_code == 403
    assert {reload(i).status for i in two} == {"new"}


def test_the_bulk_form_offers_resolve_and_priority(agent, two):
    page = agent.get(f"{QUEUES}/all").text
    assert '<option value="resolve">Resolve…</option>' in page
    assert '<option value="priority">Change priority…</option>' in page
    assert 'name="resolution_notes"' in page
