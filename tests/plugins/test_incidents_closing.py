"""Resolved incidents close themselves after the organisation's number of days."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import plugin_settings, utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents import links, tasks, workflow
from accord.plugins.incidents.models import Activity, OutboundEmail
from accord.plugins.incidents.testing import make_incident, reload


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def network(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Network", levels={p: (60, 240) for p in (1, 2, 3, 4)})


def resolved(org, network, days_ago, title="Wi-Fi drops"):
    incident = make_incident(org, title, service=network)
    when = utcnow() - dt.timedelta(days=days_ago)
    workflow.resolve(incident, incident.version, "fixed", "Reset.", user=None, now=when, quiet=True)
    return reload(incident)


def set_days(accord_settings, accord_host, org, days):
    manifest = accord_host.manifest("incidents")
    plugin_settings.save(accord_settings.secret_key, manifest, org, {"close_after_days": days})


def test_a_resolved_incident_is_closed_after_the_default_five_days(org, network):
    old = resolved(org, network, days_ago=6)
    recent = resolved(org, network, days_ago=2, title="Printer")
    assert tasks.close_all_resolved() == 1
    assert (reload(old).status, reload(recent).status) == ("closed", "resolved")
    [entry] = Activity.select().where(
        (Activity.incident == old.id) & (Activity.body.startswith("Closed automatically"))
    )
    assert entry.body == "Closed automatically 5 days after its resolution"


def test_the_reporter_is_told_it_is_closed(org, network):
    old = resolved(org, network, days_ago=6)
    tasks.close_all_resolved()
    assert OutboundEmail.get(OutboundEmail.incident == old.id).subject.endswith("is now closed")


def test_the_organisation_sets_the_days(org, network, accord_settings, accord_host):
    set_days(accord_settings, accord_host, org, 1)
    old = resolved(org, network, days_ago=2)
    tasks.close_all_resolved()
    assert reload(old).status == "closed"


def test_zero_days_leaves_closing_to_people(org, network, accord_settings, accord_host):
    set_days(accord_settings, accord_host, org, 0)
    old = resolved(org, network, days_ago=60)
    assert tasks.close_all_resolved() == 0
    assert reload(old).status == "resolved"


def test_a_major_incident_waits_for_its_open_children(org, network):
    major = make_incident(org, "Core switch down", service=network)
    links.mark_major(major, major.version, True, user=None)
    child = make_incident(org, "No network on floor 2", service=network)
    when = utcnow() - dt.timedelta(days=6)
    workflow.resolve(major, major.version, "fixed", "Replaced.", user=None, now=when, quiet=True)
    links.link_child(reload(major), child, user=None)  # linked after: still open
    tasks.close_all_resolved()
    assert reload(major).status == "resolved"


def test_an_incident_changed_since_it_was_read_is_left_for_the_next_run(org, network):
    old = resolved(org, network, days_ago=6)
    as_read = reload(old)
    workflow.reopen(old, old.version, "Still dropping.", window_days=30, user=None, quiet=True)
    assert tasks.close_if_due(as_read, 5, utcnow()) is False
    assert reload(old).status != "closed"


def test_a_second_run_over_the_same_incidents_closes_nothing_twice(org, network):
    old = resolved(org, network, days_ago=6)
    as_read = reload(old)
    assert tasks.close_all_resolved() == 1
    assert tasks.close_if_due(as_read, 5, utcnow()) is False
    closings = Activity.select().where(
        (Activity.incident == old.id) & (Activity.body.startswith("Closed automatically"))
    )
    assert closings.count() == 1
