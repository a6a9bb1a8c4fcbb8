"""The customer's catalogue: live, requestable services by category, levels in plain words."""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_calendar, make_category, make_service

OFFER = "/o/acme/catalogue/offer"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.catalogue"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "catalogue")
    return org


def test_only_live_requestable_services_are_offered(signed_in, enabled):
    make_service(enabled, "Email and calendar", requestable=True)
    make_service(enabled, "Office network", requestable=False)
    make_service(enabled, "Password self-service", status="planned", requestable=True)
    make_service(enabled, "Fax to email", status="retired")
    text = signed_in("viewer").get(OFFER).text
    assert "Email and calendar" in text
    for hidden in ("Office network", "Password self-service", "Fax to email"):
        assert hidden not in text


def test_services_are_grouped_by_category_in_their_order(signed_in, enabled):
    second = make_category(enabled, "Devices", position=20)
    first = make_category(enabled, "Communication", position=10)
    make_service(enabled, "Laptops", category=second, requestable=True)
    make_service(enabled, "Email", category=first, requestable=True)
    make_service(enabled, "Advice", requestable=True)
    text = signed_in("viewer").get(OFFER).text
    assert text.index("Communication") < text.index("Email") < text.index("Devices")
    assert text.index("Devices") < text.index("Laptops") < text.index("Other services")


def test_levels_are_written_in_plain_words(signed_in, enabled):
    make_service(enabled, "Email", requestable=True, levels={1: (30, 240), 3: (90, 2400)})
    text = signed_in("viewer").get(OFFER).text
    p1 = "response within 30 business minutes, resolution within 4 business hours"
    assert f"Priority 1 (critical): {p1}" in text
    assert "Priority 3 (medium): response within 1 business hour and 30 minutes" in text
    assert "Priority 2" not in text


def test_support_hours_and_audience_are_shown(signed_in, enabled):
    make_service(
        enabled,
        "Payroll hosting",
        requestable=True,
        audience="The Payroll team only",
        calendar=make_calendar(enabled),
    )
    text = signed_in("viewer").get(OFFER).text
    assert "The Payroll team only" in text
    hours = "Monday to Friday 08:00–18:00 (Europe/London time)"
    assert f"{hours}, except public holidays in United Kingdom (England)" in text


def test_a_service_without_a_calendar_is_supported_around_the_clock(signed_in, enabled):
    make_service(enabled, "Network", requestable=True)
    assert "24 hours a day, 7 days a week" in signed_in("viewer").get(OFFER).text


def test_the_page_is_printable(signed_in, enabled):
    text = signed_in("viewer").get(OFFER).text
    assert "data-catalogue-print" in text
    assert "/static/catalogue/catalogue.css" in text


def test_another_organisations_services_are_not_offered(signed_in, enabled, make_org):
    make_service(make_org("globex"), "Globex email", requestable=True)
    assert "Globex email" not in signed_in("viewer").get(OFFER).text
