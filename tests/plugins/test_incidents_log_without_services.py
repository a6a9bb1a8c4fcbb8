"""Logging an incident needs a live service: without one the page says so and how to fix it."""

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
