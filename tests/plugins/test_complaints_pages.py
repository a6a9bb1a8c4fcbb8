"""Complaints beyond one complaint: the report by service and cause, contacts' pages, search."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from accord import utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.complaints.api import open_complaint
from accord.plugins.complaints.testing import make_complaint
from accord.plugins.contacts.testing import make_organisation, make_person

BASE = "/o/acme/complaints"


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "complaints")
    return signed_in("agent")


@pytest.fixture
def carla(org):
    return make_person(org, "Carla", "Complainer", email="carla@example.org")


def csv_rows(client, section: str, query: str = "") -> list[list[str]]:
    response = client.get(f"{BASE}/report?csv={section}{query}")
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_the_report_counts_complaints_per_service_and_cause(agent, org, carla):
    email, vpn = make_service(org, "Email"), make_service(org, "VPN")
    for service, cause in ((email, "slow_response"), (email, "slow_response"), (vpn, "quality")):
        make_complaint(org, person=carla, service_id=service.id, cause=cause)
    page = agent.get(f"{BASE}/report")
    assert page.status_code == 200
    assert '3<span class="stat-label">complaints received</span>' in page.text
    rows = {row[0]: row[1:] for row in csv_rows(agent, "services")}
    assert rows["Email"][-1] == "2" and rows["VPN"][-1] == "1"


def test_the_report_leaves_out_complaints_outside_the_period(agent, org, carla):
    make_complaint(org, person=carla, received_at=dt.datetime(2025, 1, 10, 9))
    make_complaint(org, person=carla, received_at=dt.datetime(2025, 3, 10, 9))
    rows = csv_rows(agent, "services", "&period=custom&from=2025-03-01&to=2025-03-31")
    assert rows[-1][-1] == "1"


def test_the_report_downloads_each_table_as_csv(agent, org, carla):
    email = make_service(org, "Email")
    make_complaint(org, person=carla, service_id=email.id, cause="quality")
    make_complaint(org, person=carla, cause="charges")
    rows = csv_rows(agent, "services")
    assert rows[0] == ["Service", "Quality of the work", "Charges or billing", "Total"]
    assert rows[1] == ["Email", "1", "0", "1"]
    assert rows[2] == ["(no service)", "0", "1", "1"]
    assert rows[-1] == ["Total", "1", "1", "2"]
    assert ["Charges or billing", "1"] in csv_rows(agent, "causes")


def test_a_report_with_a_wrong_date_says_so(agent):
    page = agent.get(f"{BASE}/report?period=custom&from=last-week&to=2025-03-01")
    assert page.status_code == 422
    assert "Enter the first day as a date" in page.text and 'value="last-week"' in page.text


def test_the_list_filters_by_cause_and_exports_csv(agent, org, carla):
    make_complaint(org, "Bill was wrong", person=carla, cause="charges")
    make_complaint(org, "Engineer was rude", person=carla, cause="staff_conduct")
    page = agent.get(f"{BASE}/?cause=charges")
    assert "Bill was wrong" in page.text
    assert "Engineer was rude" not in page.text
    csv = agent.get(f"{BASE}/?format=csv")
    assert "Engineer was rude" in csv.text and "Carla Complainer" in csv.text


def test_the_list_shows_times_in_the_organisations_zone(agent, org, carla):
    org.time_zone = "America/New_York"
    org.save()
    make_complaint(
        org, "Bill was wrong", person=carla, received_at=dt.datetime(2026, 1, 15, 13, 13)
    )
    page = agent.get(f"{BASE}/").text
    assert "2026-01-15 08:13 EST" in page


def test_the_list_csv_gives_times_in_the_organisations_zone_with_their_offset(agent, org, carla):
    org.time_zone = "America/New_York"
    org.save()
    make_complaint(
        org, "Bill was wrong", person=carla, received_at=dt.datetime(2026, 1, 15, 13, 13)
    )
    rows = list(csv.reader(io.StringIO(agent.get(f"{BASE}/?format=csv").text.lstrip("\ufeff"))))
    column = rows[0].index("Received (America/New_York)")
    assert rows[1][column] == "2026-01-15T08:13:00-05:00"


def test_a_persons_page_shows_their_open_complaints_and_offers_to_log_one(agent, org, carla):
    complaint = make_complaint(org, "Nobody called back", person=carla)
    page = agent.get(f"/o/acme/contacts/people/{carla.id}")
    assert complaint.reference in page.text
    assert f"{BASE}/new?person={carla.id}" in page.text


def test_logging_from_a_persons_page_preselects_them(agent, carla):
    page = agent.get(f"{BASE}/new?person={carla.id}")
    assert f'id="person-{carla.id}" name="person" value="{carla.id}" checked' in page.text


def test_a_customer_organisations_page_shows_its_complaints(agent, org):
    school = make_organisation(org, "Riverside Academy")
    pupil_parent = make_person(org, "Pat", "Parent", organisation=school)
    complaint = make_complaint(org, "Wi-Fi dead in block B", person=pupil_parent)
    page = agent.get(f"/o/acme/contacts/organisations/{school.id}")
    assert complaint.reference in page.text


def test_global_search_finds_a_complaint_by_reference(agent, org, carla):
    complaint = make_complaint(org, "Printer fixed four times", person=carla)
    page = agent.get("/o/acme/dashboard/search?q=CMP-0001")
    assert f"{BASE}/{complaint.id}" in page.text


def test_open_complaint_records_a_received_complaint_for_another_plugin(org, carla):
    email = make_service(org, "Email")
    complaint = open_complaint(
        org,
        person=carla,
        description="Score 1: still broken",
        source="satisfaction survey",
        service=email,
        quiet=True,
    )
    assert complaint.status == "received"
    assert complaint.reference == "CMP-0001"
    assert (complaint.service_id, complaint.source) == (email.id, "satisfaction survey")


def test_pages_are_404_where_complaints_is_off(signed_in):
    assert signed_in("agent").get(f"{BASE}/").status_code == 404


def test_viewers_may_read_but_not_log(signed_in, org, enable_plugin, carla):
    enable_plugin(org, "complaints")
    viewer = signed_in("viewer")
    assert viewer.get(f"{BASE}/").status_code == 200
    assert viewer.get(f"{BASE}/new").status_code == 403


def test_an_incidents_page_lists_complaints_about_it_and_offers_to_log_one(
    agent, org, carla, enable_plugin
):
    from accord.plugins.incidents.testing import make_incident

    enable_plugin(org, "incidents")
    incident = make_incident(org, reporter=carla)
    complaint = make_complaint(org, "Closed without asking", person=carla, incident_id=incident.id)
    page = agent.get(f"/o/acme/incidents/{incident.id}")
    assert complaint.reference in page.text
    new = f"{BASE}/new?incident={incident.reference}&amp;person={carla.id}"
    assert new in page.text
    form = agent.get(f"{BASE}/new?incident={incident.reference}&person={carla.id}")
    assert f'value="{incident.reference}"' in form.text


def test_the_dashboard_counts_open_and_overdue_complaints(agent, org, carla):
    make_complaint(org, person=carla, received_at=utcnow() - dt.timedelta(days=9))
    make_complaint(org, person=carla)
    page = agent.get("/o/acme/dashboard/").text
    assert '>2<span class="stat-label">open complaints</span>' in page
    assert '>1<span class="stat-label">not acknowledged in time</span>' in page


def test_the_report_shows_how_complaints_were_acknowledged_against_the_target(agent, org, carla):
    from accord.plugins.complaints import workflow

    old = utcnow() - dt.timedelta(days=9)
    on_time = make_complaint(org, person=carla, received_at=old)
    workflow.move(on_time, on_time.version, "acknowledge", user=None, now=old, quiet=True)
    late = make_complaint(org, person=carla, received_at=old)
    workflow.move(late, late.version, "acknowledge", user=None, quiet=True)
    make_complaint(org, person=carla, received_at=old)  # overdue
    make_complaint(org, person=carla)  # waiting
    page = agent.get(f"{BASE}/report").text
    assert '33%<span class="stat-label">acknowledged on time, of those due</span>' in page
    assert csv_rows(agent, "acknowledgement")[1:] == [
        ["On time", "1"],
        ["Late", "1"],
        ["Overdue, not acknowledged", "1"],
        ["Not acknowledged, still in time", "1"],
    ]
