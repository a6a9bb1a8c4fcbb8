"""The service desk report: SLA compliance, times, volumes, reopen rate and backlog."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from accord import utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents.models import Incident
from accord.plugins.incidents.testing import make_incident, make_team

URL = "/o/acme/incidents/report"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def manager(signed_in, org, enable_plugin):
    enable_plugin(org, "incidents")
    return signed_in("manager")


def logged(org, days_ago: float, **fields) -> Incident:
    """An incident logged ``days_ago``, its outcome set as the fields say."""
    incident = make_incident(
        org, at=utcnow() - dt.timedelta(days=days_ago), **fields.pop("log", {})
    )
    for name, value in fields.items():
        setattr(incident, name, value)
    incident.save()
    return incident


def resolved(org, days_ago: float, hours_taken: float, **fields) -> Incident:
    created = utcnow() - dt.timedelta(days=days_ago)
    return logged(
        org,
        days_ago,
        status="resolved",
        resolved_at=created + dt.timedelta(hours=hours_taken),
        responded_at=created + dt.timedelta(minutes=30),
        **fields,
    )


def csv_rows(client, section: str, query: str = "") -> list[list[str]]:
    response = client.get(f"{URL}?csv={section}{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_the_report_is_in_the_menu_and_opens(manager):
    assert ">Service desk report</a>" in manager.get("/o/acme/dashboard/").text
    page = manager.get(URL)
    assert page.status_code == 200 and "SLA compliance" in page.text


def test_sla_compliance_counts_targets_met_by_service_and_priority(manager, org):
    email = make_service(org, name="Email")
    for breached in (False, False, False, True):
        resolved(org, 3, 2, has_target=True, resolution_breached=breached, log={"service": email})
    resolved(org, 3, 2, has_target=False, log={"service": email})  # no target: not counted
    rows = csv_rows(manager, "sla")
    assert rows[0] == ["Service", "Priority", "Resolved", "Response met", "Resolution met"]
    assert rows[1][0] == "Email" and rows[1][2:] == ["4", "100.0", "75.0"]
    assert "75.0%<span" in manager.get(URL).text


def test_resolution_times_give_mean_median_and_90th_percentile(manager, org):
    for hours in (1, 2, 3, 4, 10):
        resolved(org, 5, hours)
    rows = {row[0]: row for row in csv_rows(manager, "times")}
    resolution = rows["Resolution"]
    assert resolution[1] == "5"
    assert float(resolution[2]) == pytest.approx(240, abs=1)  # mean 4 h in minutes
    assert float(resolution[3]) == pytest.approx(180, abs=1)  # median 3 h
    assert float(resolution[4]) == pytest.approx(600, abs=1)  # 90th percentile: 10 h


def test_volumes_count_logged_and_resolved_per_day(manager, org):
    logged(org, 2)
    logged(org, 2)
    resolved(org, 2, 1)
    rows = csv_rows(manager, "volume")
    assert sum(int(r[1]) for r in rows[1:]) == 3
    assert sum(int(r[2]) for r in rows[1:]) == 1


def test_volumes_by_channel_and_category_use_their_labels(manager, org):
    logged(org, 1, log={"channel": "email", "category": "printing"})
    assert ["Email", "1"] in csv_rows(manager, "channel")
    assert ["Printing", "1"] in csv_rows(manager, "category")


def test_reopen_rate_is_the_share_of_resolved_incidents_reopened(manager, org):
    resolved(org, 3, 1, reopen_count=1)
    resolved(org, 3, 1)
    assert csv_rows(manager, "reopened")[1][1:] == ["2", "1", "50.0"]


def test_the_backlog_bands_open_incidents_by_age_and_priority(manager, org):
    logged(org, 0.1)
    logged(org, 10)
    resolved(org, 10, 1)  # resolved: not in the backlog
    rows = {row[0]: row[1:] for row in csv_rows(manager, "backlog")[1:]}
    assert sum(map(int, rows["Under a day"])) == 1
    assert sum(map(int, rows["7–30 days"])) == 1


def test_incidents_outside_the_period_are_left_out(manager, org):
    logged(org, 40)
    rows = csv_rows(manager, "volume", "&period=7d")
    assert sum(int(r[1]) for r in rows[1:]) == 0


def test_the_team_filter_narrows_every_section(manager, org):
    desk = make_team(org, "Desk")
    logged(org, 1, team=desk)
    logged(org, 1)
    rows = csv_rows(manager, "volume", f"&team={desk.id}")
    assert sum(int(r[1]) for r in rows[1:]) == 1


def test_another_organisations_incidents_are_not_counted(manager, make_org, enable_plugin):
    other = make_org("other")
    enable_plugin(other, "incidents")
    logged(other, 1)
    rows = csv_rows(manager, "volume")
    assert sum(int(r[1]) for r in rows[1:]) == 0


def test_a_bad_period_keeps_the_input_with_422(manager):
    response = manager.get(f"{URL}?period=custom&from=2026-02-30&to=2026-03-01")
    assert response.status_code == 422 and 'value="2026-02-30"' in response.text
