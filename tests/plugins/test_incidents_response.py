"""What meets an incident's response target: the organisation's ``response_met_by`` rule."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import plugin_settings
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents import response
from accord.plugins.incidents.models import Incident
from accord.plugins.incidents.testing import make_incident, reload
from accord.testing import post_form

LEVELS = {p: (60, 480) for p in (1, 2, 3, 4)}


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def email(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Email", levels=LEVELS)


@pytest.fixture
def agent(signed_in, email):
    return signed_in("agent")


@pytest.fixture
def incident(org, email):
    return make_incident(org, service=email)


@pytest.fixture
def rule(org, accord_settings, accord_host):
    def choose(value):
        manifest = accord_host.manifest("incidents")
        plugin_settings.save(accord_settings.secret_key, manifest, org, {"response_met_by": value})

    return choose


def url(incident, action=""):
    return f"/o/acme/incidents/{incident.id}" + (f"/{action}" if action else "")


def act(client, incident, action, **data):
    data.setdefault("version", str(reload(incident).version))
    return post_form(client, url(incident, action), data, token_from=url(incident))


def reply(client, incident):
    return act(client, incident, "notes", body="We are looking at it.", kind="reply")


def test_by_default_starting_work_is_not_the_response(agent, incident):
    act(agent, incident, "start")
    after = reload(incident)
    assert after.responded_at is None
    assert after.work_started_at is not None
    assert after.response_due is not None  # the response clock still runs


def test_by_default_the_first_public_reply_is_the_response(agent, incident):
    act(agent, incident, "start")
    reply(agent, incident)
    after = reload(incident)
    assert after.responded_at == after.first_reply_at
    assert after.response_via == "reply"


def test_an_internal_note_is_never_the_response(agent, incident):
    act(agent, incident, "notes", body="Checked the logs.", kind="note")
    assert reload(incident).responded_at is None


def test_with_start_work_starting_is_the_response_and_a_reply_is_not(agent, incident, rule):
    rule("start")
    reply(agent, incident)
    assert reload(incident).responded_at is None
    act(agent, incident, "start")
    after = reload(incident)
    assert (after.responded_at, after.response_via) == (after.work_started_at, "start")
    assert after.first_reply_at < after.responded_at


def test_with_start_work_setting_it_pending_counts_as_starting(agent, incident, rule):
    rule("start")
    act(agent, incident, "pend", pending_reason="customer")
    assert reload(incident).response_via == "start"


def test_with_whichever_comes_first_a_reply_before_work_is_the_response(agent, incident, rule):
    rule("first")
    reply(agent, incident)
    act(agent, incident, "start")
    after = reload(incident)
    assert (after.responded_at, after.response_via) == (after.first_reply_at, "reply")


def test_with_whichever_comes_first_starting_before_a_reply_is_the_response(agent, incident, rule):
    rule("first")
    act(agent, incident, "start")
    reply(agent, incident)
    after = reload(incident)
    assert (after.responded_at, after.response_via) == (after.work_started_at, "start")


def test_a_resolution_is_the_response_under_every_rule(agent, incident):
    act(agent, incident, "resolve", resolution_code="fixed", resolution_notes="Reset it.")
    after = reload(incident)
    assert (after.responded_at, after.response_via) == (after.resolved_at, "resolution")


def test_an_incident_without_a_reply_raises_the_response_alert(org, email, agent):
    logged = dt.datetime(2026, 3, 2, 9, 0)
    incident = make_incident(org, service=email, at=logged)
    Incident.update(status="in_progress", work_started_at=logged).where(
        Incident.id == incident.id
    ).execute()
    from accord.plugins.incidents import sla

    clocks = [c for c, _, _ in sla.running_clocks(reload(incident))]
    assert "response" in clocks


def test_the_page_says_what_counts_and_what_met_it(agent, org, incident):
    org.time_zone = "Europe/London"
    org.save()
    reply(agent, incident)
    answered = reload(incident).responded_at.replace(tzinfo=dt.UTC)
    local = answered.astimezone(org.zone).strftime("%H:%M")
    page = agent.get(url(incident)).text
    assert "First reply to the customer" in page
    assert f"met by first reply at {answered.astimezone(org.zone):%Y-%m-%d} {local}" in page


def test_the_default_rule_is_the_first_reply(org, incident):
    assert response.rule_for(incident) == "reply"


def test_the_migration_finds_both_moments_of_existing_incidents(agent, incident, rule):
    import importlib

    migration = importlib.import_module(
        "accord.plugins.incidents.migrations.0010_response_watchers"
    )
    rule("first")
    act(agent, incident, "start")
    reply(agent, incident)
    measured = reload(incident)
    Incident.update(first_reply_at=None, work_started_at=None, response_via="").execute()
    from accord import database

    migration.backfill(database)
    after = reload(incident)
    assert (after.first_reply_at, after.work_started_at) == (
        measured.first_reply_at,
        measured.work_started_at,
    )
    assert after.response_via == "start"


def _started_then_replied_late(org, email):
    """Work started 10 minutes in, the first reply two hours in (the target is an hour)."""
    from accord import utcnow
    from accord.plugins.incidents import workflow

    logged = (utcnow() - dt.timedelta(days=3)).replace(microsecond=0)
    incident = make_incident(org, service=email, at=logged)
    minutes = [logged + dt.timedelta(minutes=m) for m in (10, 120, 180)]
    workflow.start(incident, incident.version, user=None, now=minutes[0], quiet=True)
    workflow.note(incident, "Fixed soon.", public=True, user=None, now=minutes[1], quiet=True)
    workflow.resolve(
        reload(incident),
        reload(incident).version,
        "fixed",
        "Ok.",
        user=None,
        now=minutes[2],
        quiet=True,
    )
    return reload(incident)


def _report_response_met(client):
    import csv
    import io

    text = client.get("/o/acme/incidents/report?csv=sla").text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[1][rows[0].index("Response met")]


@pytest.mark.parametrize(
    ("chosen", "met"), [("reply", "0.0"), ("start", "100.0"), ("first", "100.0")]
)
def test_the_report_counts_response_met_by_the_rule(signed_in, org, email, rule, chosen, met):
    rule(chosen)
    incident = _started_then_replied_late(org, email)
    assert incident.response_breached is (met == "0.0")
    assert _report_response_met(signed_in("manager")) == met
