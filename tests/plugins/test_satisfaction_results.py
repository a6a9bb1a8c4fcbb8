"""Satisfaction results per service, team, agent and month, and the recovery tasks page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets

import pytest

from accord import User, utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents.testing import make_incident, make_team
from accord.plugins.satisfaction.models import RecoveryTask, Survey
from accord.testing import post_form

BASE = "/o/acme/satisfaction"


@pytest.fixture
def manager(signed_in, org, enable_plugin):
    enable_plugin(org, "satisfaction")
    return signed_in("manager", email="mia@acme.test")


@pytest.fixture
def mia(manager):
    return User.get(User.email == "mia@acme.test")


def answered(org, incident, score, at, *, agent=None, comment=""):
    return Survey.create(
        org=org,
        incident=incident.id,
        person=incident.reporter_id,
        service_id=incident.service_id,
        team_id=incident.team_id,
        agent=agent.id if agent else None,
        nonce=secrets.token_hex(16),
        send_after=at,
        sent_at=at,
        status="answered",
        score=score,
        comment=comment,
        answered_at=at,
        month=f"{at:%Y-%m}",
    )


def csv_rows(client, section: str, query: str = "") -> list[list[str]]:
    response = client.get(f"{BASE}/results?csv={section}{query}")
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_results_average_the_scores_per_service(manager, org, mia):
    email, vpn = make_service(org, "Email"), make_service(org, "VPN")
    now = utcnow()
    for service, score in ((email, 5), (email, 2), (vpn, 4)):
        answered(org, make_incident(org, service=service), score, now, agent=mia)
    page = manager.get(f"{BASE}/results")
    assert page.status_code == 200
    assert '3<span class="stat-label">answers</span>' in page.text
    assert csv_rows(manager, "service")[1:] == [
        ["Email", "2", "3.5", "1"],
        ["VPN", "1", "4.0", "0"],
    ]


def test_results_group_by_team_agent_and_month(manager, org, mia):
    desk = make_team(org, "Service Desk")
    march, april = dt.datetime(2025, 3, 10, 9), dt.datetime(2025, 4, 2, 9)
    answered(org, make_incident(org, team=desk.id), 4, march, agent=mia)
    answered(org, make_incident(org, team=desk.id), 2, april, agent=mia)
    period = "&period=custom&from=2025-01-01&to=2025-12-31"
    assert csv_rows(manager, "team", period)[1] == ["Service Desk", "2", "3.0", "1"]
    assert csv_rows(manager, "agent", period)[1][:2] == [mia.name, "2"]
    months = [row[0] for row in csv_rows(manager, "month", period)[1:]]
    assert months == ["Mar 2025", "Apr 2025"]


def test_the_trend_follows_the_periods_days_weeks_or_months(manager, org):
    answered(org, make_incident(org), 5, dt.datetime(2025, 3, 5, 9))
    rows = csv_rows(manager, "month", "&period=custom&from=2025-03-01&to=2025-03-31")
    assert rows[0][0] == "Day" and rows[1] == ["5 Mar", "1", "5.0", "0"]


def test_results_leave_out_answers_outside_the_period(manager, org):
    answered(org, make_incident(org), 5, dt.datetime(2025, 1, 5, 9))
    rows = csv_rows(manager, "service", "&period=custom&from=2025-03-01&to=2025-03-31")
    assert rows[1:] == []


def test_a_wrong_date_says_so(manager):
    page = manager.get(f"{BASE}/results?period=custom&from=2025-03-01&to=yesterday")
    assert page.status_code == 422
    assert "Enter the last day as a date" in page.text


def test_the_recovery_tasks_page_lists_low_scores_for_their_lead(manager, org, mia):
    incident = make_incident(org, "VPN drops hourly")
    survey = answered(org, incident, 1, utcnow(), comment="Nobody called back")
    RecoveryTask.create(org=org, survey=survey.id, incident=incident.id, assignee=mia.id)
    page = manager.get(f"{BASE}/recovery/?assignee={mia.id}")
    assert "VPN drops hourly" in page.text
    assert "Nobody called back" in page.text
    assert "1/5" in page.text


def test_a_recovery_task_is_done_with_a_note(manager, org, mia):
    incident = make_incident(org)
    survey = answered(org, incident, 2, utcnow())
    task = RecoveryTask.create(org=org, survey=survey.id, incident=incident.id, assignee=mia.id)
    url = f"{BASE}/recovery/{task.id}"
    refused = post_form(manager, f"{url}/done", {"version": "1", "note": ""}, token_from=url)
    assert refused.status_code == 422
    done = post_form(
        manager, f"{url}/done", {"version": "1", "note": "Called Ana; apologised."}, token_from=url
    )
    assert done.status_code == 303
    task = RecoveryTask.get_by_id(task.id)
    assert (task.status, task.note) == ("done", "Called Ana; apologised.")


def test_viewers_see_tasks_but_cannot_complete_them(signed_in, org, enable_plugin):
    enable_plugin(org, "satisfaction")
    viewer = signed_in("viewer")
    incident = make_incident(org)
    survey = answered(org, incident, 1, utcnow())
    task = RecoveryTask.create(org=org, survey=survey.id, incident=incident.id)
    url = f"{BASE}/recovery/{task.id}"
    assert viewer.get(url).status_code == 200
    assert post_form(viewer, f"{url}/done", {"note": "x"}, token_from=url).status_code == 403


def test_pages_are_404_where_satisfaction_is_off(signed_in):
    assert signed_in("manager").get(f"{BASE}/results").status_code == 404


def test_the_dashboard_shows_the_average_and_open_recovery_tasks(manager, org, mia):
    incident = make_incident(org)
    survey = answered(org, incident, 2, utcnow())
    answered(org, make_incident(org), 5, utcnow())
    RecoveryTask.create(org=org, survey=survey.id, incident=incident.id, assignee=mia.id)
    page = manager.get("/o/acme/dashboard/").text
    assert '3.5<span class="stat-label">average of 2 answers, 30 days</span>' in page
    assert '>1<span class="stat-label">open recovery task</span>' in page
    assert '>1<span class="stat-label">for you</span>' in page


def test_a_services_page_shows_its_satisfaction(manager, org):
    email = make_service(org, "Email")
    answered(org, make_incident(org, service=email), 4, utcnow())
    answered(org, make_incident(org, service=email), 3, utcnow())
    page = manager.get(f"/o/acme/catalogue/{email.id}").text
    assert "<strong>3.5</strong> out of 5, from 2 answers in the last 90 days" in page
