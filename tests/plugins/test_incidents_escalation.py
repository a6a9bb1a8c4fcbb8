"""SLA alerts and automatic escalation by the periodic task, and the rules managers set."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import User, database, utcnow
from accord.plugins.catalogue.testing import make_calendar, make_service
from accord.plugins.incidents import escalation, tasks, workflow
from accord.plugins.incidents.models import Activity, Incident, OutboundEmail
from accord.plugins.incidents.testing import make_incident, make_team, reload
from accord.testing import post_form

# Office hours Mon–Fri 08:00–18:00 London (GMT in March). P3: respond 1 h, resolve 8 h,
# warnings at 75 %: respond at risk 09:45, due 10:00; resolution at risk 15:00, due 17:00.
MONDAY_9AM = dt.datetime(2025, 3, 3, 9, 0)
LEVELS = {p: (60, 480) for p in (1, 2, 3, 4)}


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, 3, hour, minute)


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def email(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Email", levels=LEVELS, calendar=make_calendar(org))


@pytest.fixture
def lee(org, make_user):
    return make_user("lee@acme.test", org, "agent", name="Lee Lead")


@pytest.fixture
def desk(org, lee):
    return make_team(org, "Service Desk", tier=1, lead=lee)


@pytest.fixture
def second_line(org):
    return make_team(org, "Second Line", tier=2)


@pytest.fixture
def incident(org, email, desk):
    return make_incident(org, service=email, at=MONDAY_9AM, team=desk.id)


def entries(incident, kind):
    query = Activity.select().where((Activity.incident == incident.id) & (Activity.kind == kind))
    return [a.body for a in query.order_by(Activity.id)]


def run(org, when):
    with database.atomic():
        return escalation.run(org, now=when)


def set_rule(org, priority, trigger, **actions):
    rules = escalation.rules_for(org)
    rules[(priority, trigger)] = escalation.Rule(**actions)
    escalation.save_rules(org, rules)


# --- Alerts ------------------------------------------------------------------------------------


def test_an_incident_owes_its_first_alert_at_the_response_warning(incident):
    assert incident.alert_at == at(9, 45)


def test_nothing_happens_before_a_clock_warns(org, incident):
    assert run(org, at(9, 40)) == 0
    assert entries(incident, "sla_alert") == []


def test_a_clock_at_risk_is_on_the_timeline_once(org, incident):
    assert run(org, at(9, 50)) == 1
    assert run(org, at(9, 51)) == 0
    assert entries(incident, "sla_alert") == ["Response clock at risk (due 2025-03-03 10:00 UTC)"]


def test_an_alert_says_when_the_clock_is_due_in_the_organisations_zone(org, incident):
    org.time_zone = "America/New_York"
    org.save()
    run(org, at(9, 50))
    assert entries(incident, "sla_alert") == ["Response clock at risk (due 2025-03-03 05:00 EST)"]


def test_a_breach_follows_the_warning(org, incident):
    run(org, at(9, 50))
    run(org, at(10, 5))
    assert (
        entries(incident, "sla_alert")[-1] == "Response clock breached (due 2025-03-03 10:00 UTC)"
    )
    assert reload(incident).alert_at == at(15, 0)  # next: the resolution clock's warning


def test_a_late_run_records_only_the_breach(org, incident):
    assert run(org, at(10, 30)) == 1
    assert entries(incident, "sla_alert") == ["Response clock breached (due 2025-03-03 10:00 UTC)"]
    assert run(org, at(10, 31)) == 0


def test_a_paused_incident_owes_no_alert(incident):
    workflow.pend(incident, incident.version, "customer", user=None, now=at(9, 10), quiet=True)
    assert reload(incident).alert_at is None


def test_a_resolved_incident_owes_no_alert(incident):
    workflow.resolve(
        incident, incident.version, "fixed", "Done.", user=None, now=at(9, 10), quiet=True
    )
    assert reload(incident).alert_at is None


def test_the_task_finds_candidates_through_the_partial_index(org, incident):
    if not database.obj.__class__.__name__.lower().startswith(("sqlite", "pooledsqlite")):
        pytest.skip("the query plan is SQLite's")
    query = (
        Incident.in_org(org, Incident.id, Incident.alert_at)
        .where(Incident.alert_at.is_null(False) & (Incident.alert_at <= at(10)))
        .order_by(Incident.alert_at)
    )
    sql, params = query.sql()
    plan = " ".join(str(r) for r in database.obj.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "incidents_incident_org_id_alert_at" in plan


# --- Escalation --------------------------------------------------------------------------------


def test_a_rule_hands_an_incident_at_risk_to_the_next_tier(org, incident, second_line):
    set_rule(org, 3, "warning", next_tier=True)
    run(org, at(9, 50))
    after = reload(incident)
    assert after.team_id == second_line.id and after.escalated_at == at(9, 50)
    assert entries(incident, "escalation") == [
        "Escalated from Service Desk (Tier 1) to Second Line (Tier 2): automatic, "
        "P3 Medium, response clock at risk"
    ]


def test_running_twice_escalates_once(org, incident, second_line):
    make_team(org, "Suppliers", tier=3)
    set_rule(org, 3, "warning", next_tier=True)
    run(org, at(9, 50))
    run(org, at(9, 50))
    run(org, at(9, 55))
    assert reload(incident).team_id == second_line.id
    assert len(entries(incident, "escalation")) == 1


def test_without_a_higher_tier_the_timeline_says_so(org, incident):
    set_rule(org, 3, "warning", next_tier=True)
    run(org, at(9, 50))
    assert entries(incident, "escalation") == [
        "No team of a higher tier to escalate to (P3 Medium, response clock at risk)"
    ]


def test_a_breach_emails_the_team_lead_by_default(org, incident, lee):
    run(org, at(10, 5))
    told = OutboundEmail.get(OutboundEmail.kind == "escalation")
    assert told.to_address == "lee@acme.test"
    assert told.subject == f"[{incident.reference}] Escalated: {incident.title} " + (
        "(P3 Medium, response clock breached)"
    )
    assert entries(incident, "escalation") == [
        "Notified the lead of Service Desk, Lee Lead (P3 Medium, response clock breached)"
    ]


def test_the_escalation_email_links_to_the_incident_at_the_public_address(
    org, incident, lee, accord_settings
):
    from accord.settings import use

    accord_settings.data["server"]["public_url"] = "https://desk.example.org"
    use(accord_settings)
    run(org, at(10, 5))
    told = OutboundEmail.get(OutboundEmail.kind == "escalation")
    assert f"https://desk.example.org/o/acme/incidents/{incident.id}" in told.body


def test_a_rule_can_email_the_managers(org, incident, make_user):
    make_user("mo@acme.test", org, "manager", name="Mo Manager")
    set_rule(org, 3, "breach", notify_manager=True)
    run(org, at(10, 5))
    assert [e.to_address for e in OutboundEmail.select()] == ["mo@acme.test"]


def test_a_team_lead_who_is_also_a_manager_gets_one_email_per_event(org, email, make_user):
    mo = make_user("mo@acme.test", org, "manager", name="Mo Manager")
    team = make_team(org, "Major Incidents", tier=1, lead=mo)
    incident = make_incident(org, service=email, at=MONDAY_9AM, team=team.id)
    set_rule(org, 3, "breach", notify_lead=True, notify_manager=True)
    run(org, at(10, 5))
    assert [e.to_address for e in OutboundEmail.select()] == ["mo@acme.test"]
    assert entries(incident, "escalation") == [
        "Notified the lead of Major Incidents, Mo Manager and the managers Mo Manager "
        "(P3 Medium, response clock breached)"
    ]


def test_a_rule_with_nothing_ticked_only_records_the_alert(org, incident):
    set_rule(org, 3, "breach")
    run(org, at(10, 5))
    assert entries(incident, "escalation") == [] and not OutboundEmail.select().exists()
    assert reload(incident).escalated_at is None


def test_a_reopened_incident_alerts_again(org, incident):
    run(org, at(15, 5))  # response breached, resolution at risk
    workflow.resolve(
        incident, incident.version, "fixed", "Done.", user=None, now=at(15, 10), quiet=True
    )
    workflow.reopen(
        incident, incident.version, "Back", window_days=7, user=None, now=at(15, 20), quiet=True
    )
    run(org, at(16))
    at_risk = [
        e for e in entries(incident, "sla_alert") if e.startswith("Resolution clock at risk")
    ]
    assert len(at_risk) == 2


def test_the_periodic_task_escalates_every_organisations_incidents(org, email, desk):
    incident = make_incident(org, service=email, team=desk.id, at=utcnow() - dt.timedelta(days=7))
    assert tasks.escalate() >= 1
    assert entries(incident, "sla_alert")
    assert tasks.escalate() == 0


def test_an_escalated_incident_has_a_badge_on_the_queues(signed_in, org, incident, second_line):
    set_rule(org, 3, "warning", next_tier=True)
    run(org, at(9, 50))
    page = signed_in("agent").get("/o/acme/incidents/queues/all")
    assert ">Escalated</span>" in page.text


# --- The rules page ----------------------------------------------------------------------------


def test_the_rules_page_shows_the_defaults(signed_in, email):
    page = signed_in("viewer").get("/o/acme/incidents/escalation")
    assert page.status_code == 200
    assert "Escalate to the next tier&#39;s team" in page.text or "next tier" in page.text


def test_a_manager_changes_a_rule_on_the_page(signed_in, org, email):
    manager = signed_in("manager")
    data = {"3_warning_next_tier": "1", "3_warning_notify_lead": "1"}
    response = post_form(
        manager,
        "/o/acme/incidents/escalation/edit",
        data,
        token_from="/o/acme/incidents/escalation/edit",
    )
    assert response.status_code == 303
    rules = escalation.rules_for(org)
    assert rules[(3, "warning")] == escalation.Rule(next_tier=True, notify_lead=True)
    assert rules[(1, "warning")] == escalation.Rule()  # unticked on the form: nothing
    assert "Changed from the default" in manager.get("/o/acme/incidents/escalation").text


def test_an_agent_cannot_change_the_rules(signed_in, email):
    agent = signed_in("agent")
    assert agent.get("/o/acme/incidents/escalation/edit").status_code == 403


def test_the_rules_are_the_organisations_own(signed_in, org, make_org, enable_plugin, email):
    other = make_org("globex", "Globex")
    set_rule(other, 3, "warning", next_tier=True)
    assert escalation.rules_for(org)[(3, "warning")] == escalation.DEFAULT_RULES[(3, "warning")]


def test_a_team_lead_of_the_escalated_team_is_told(org, incident, second_line, make_user):
    sam = make_user("sam@acme.test", org, "agent", name="Sam Second")
    second_line.lead = sam
    second_line.save()
    set_rule(org, 3, "warning", next_tier=True, notify_lead=True)
    run(org, at(9, 50))
    assert [e.to_address for e in OutboundEmail.select()] == ["sam@acme.test"]
    assert User.get(User.email == "sam@acme.test").name == "Sam Second"


def test_the_queue_filters_escalated_incidents(signed_in, org, email, incident, second_line):
    set_rule(org, 3, "warning", next_tier=True)
    escalation.run(org, now=at(9, 50))
    calm = make_incident(org, "Calm one", service=email, at=at(9, 50))
    page = signed_in("agent").get("/o/acme/incidents/queues/all?flag=escalated").text
    assert incident.reference in page and calm.reference not in page
