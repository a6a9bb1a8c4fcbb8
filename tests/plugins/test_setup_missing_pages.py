"""Pages that cannot work before a setup step say what is missing and who can set it up."""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_service

NEW = "/o/acme/incidents/new"


@pytest.fixture
def on(org, enable_plugin):
    enable_plugin(org, "incidents")


def test_an_admin_is_sent_to_add_a_service(signed_in, on):
    html = signed_in("admin").get(NEW).text
    assert "There is no live service to log incidents against yet" in html
    assert 'href="/o/acme/catalogue/new"' in html
    assert 'id="log-form"' not in html


def test_an_agent_is_told_whom_to_ask(signed_in, on):
    html = signed_in("agent").get(NEW).text
    assert "There is no live service to log incidents against yet" in html
    assert "Ask a manager or an administrator to set this up." in html
    assert 'href="/o/acme/catalogue/new"' not in html


def test_with_a_live_service_the_form_is_there(signed_in, on, org):
    make_service(org)
    html = signed_in("agent").get(NEW).text
    assert 'id="log-form"' in html and "no live service" not in html


def test_a_new_service_says_why_its_business_hours_picker_is_empty(signed_in, on, org):
    from accord.plugins.catalogue.testing import make_calendar

    admin = signed_in("admin")
    assert "There is no business-hours calendar yet" in admin.get("/o/acme/catalogue/new").text
    make_calendar(org)
    assert "There is no business-hours calendar yet" not in admin.get("/o/acme/catalogue/new").text
