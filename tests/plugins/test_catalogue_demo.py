"""The catalogue's demo data and the functions it publishes for other plugins."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import DemoContext
from accord.plugins.catalogue import business_hours_for, live_services, service_level
from accord.plugins.catalogue.models import BusinessCalendar, Service, ServiceLevel
from accord.plugins.catalogue.testing import make_service


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.catalogue"]


@pytest.fixture
def demo(accord_host, org, make_user):
    manager = make_user("morgan@acme.test", org, "manager")
    accord_host.pm.get_plugin("catalogue").load_demo_data(
        DemoContext(org=org, users={"manager": manager})
    )
    return org


def test_demo_data_fills_a_realistic_catalogue(demo):
    codes = {s.code for s in Service.in_org(demo)}
    assert {"EMAIL", "NET", "DESK", "PAYROLL", "LAPTOP", "IAM"} <= codes
    assert Service.in_org(demo).where(Service.status == "retired").exists()
    assert all(s.owner.email == "morgan@acme.test" for s in Service.in_org(demo))


def test_demo_live_services_have_a_level_for_every_priority(demo):
    for service in live_services(demo):
        assert [lv.priority for lv in service.levels.order_by(ServiceLevel.priority)] == [
            1,
            2,
            3,
            4,
        ]


def test_demo_office_calendar_follows_englands_holidays(demo):
    office = BusinessCalendar.get(BusinessCalendar.name == "UK office hours")
    assert (office.timezone, office.country, office.subdivision) == ("Europe/London", "GB", "ENG")
    email = Service.get(Service.code == "EMAIL")
    hours = business_hours_for(email)
    # Friday 17:00 before the August bank holiday 2026 plus two hours: Tuesday 09:00 BST.
    assert hours.add(dt.datetime(2026, 8, 28, 16), 120) == dt.datetime(2026, 9, 1, 8)


def test_demo_pages_render(demo, signed_in, enable_plugin):
    enable_plugin(demo, "catalogue")
    client = signed_in("viewer")
    for page in ("/", "/offer", "/components", "/calendars", "/categories"):
        assert client.get(f"/o/acme/catalogue{page}").status_code == 200, page
    assert "Email and calendar" in client.get("/o/acme/catalogue/offer").text


def test_service_level_is_none_where_no_level_is_agreed(org):
    service = make_service(org, "Email", levels={1: (30, 240)})
    assert service_level(service, 1).resolution_minutes == 240
    assert service_level(service, 2) is None


def test_a_service_without_a_calendar_counts_every_minute(org):
    hours = business_hours_for(make_service(org, "Network"))
    saturday_night = dt.datetime(2026, 3, 7, 23, 0)
    assert hours.add(saturday_night, 90) == dt.datetime(2026, 3, 8, 0, 30)
