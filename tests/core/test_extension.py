"""Plugins extend each other: published hooks, page slots, domain events."""

from __future__ import annotations

import logging

import pytest
from starlette.responses import HTMLResponse

from accord import Page, emit, hookimpl, hookspec, render
from accord.testing import manifest, post_form

HANDLED: list[tuple[str, str, dict]] = []


class ContactsSpecs:
    @hookspec
    def contact_panels(self, name):
        """Return panels for the contact ``name``."""


def contact_page(request):
    ctx = request.state.ctx
    panels = [p for batch in ctx.hooks.contact_panels(name="Ana") for p in batch]
    return HTMLResponse(" | ".join(panels))


def slotted_page(request):
    return render(request, "slotted.html")


def create_thing(request):
    emit(request.state.ctx.org, "people.created", {"name": "Ana"})
    if request.query_params.get("fail"):
        raise RuntimeError("rolled back")
    return HTMLResponse("created")


class Contacts:
    @hookimpl
    def register_hookspecs(self):
        return ContactsSpecs

    @hookimpl
    def register_routes(self):
        return [
            Page("/", contact_page, name="index"),
            Page("/slotted", slotted_page, name="slotted"),
            Page("/create", create_thing, name="create", methods=("POST",)),
        ]

    @hookimpl
    def register_template_dir(self):
        return self.templates


class Incidents:
    @hookimpl
    def contact_panels(self, name):
        return [f"3 open incidents for {name}"]

    @hookimpl
    def fill_slot(self, ctx, slot, context):
        if slot == "people.side":
            return f"<b>incidents of {context['who']}</b>"

    @hookimpl
    def handle_event(self, org, event, payload):
        HANDLED.append((org.slug, event, payload))


class Faulty:
    @hookimpl
    def fill_slot(self, ctx, slot, context):
        raise ValueError("bug in faulty")


@pytest.fixture(autouse=True)
def plugins(accord_plugins, tmp_path):
    HANDLED.clear()
    contacts = Contacts()
    contacts.templates = tmp_path / "templates"
    contacts.templates.mkdir()
    (contacts.templates / "slotted.html").write_text(
        '{% extends "base.html" %}{% block content %}'
        '[{{ slot("people.side", who="Ana") }}]{% endblock %}'
    )
    accord_plugins.append((contacts, manifest("people")))
    accord_plugins.append((Incidents(), manifest("tickets", depends=["people"])))
    accord_plugins.append((Faulty(), manifest("faulty")))


def test_a_plugin_implements_hooks_another_plugin_publishes(signed_in, org, enable_plugin):
    enable_plugin(org, "tickets")
    assert signed_in("agent").get(f"/o/{org.slug}/people/").text == "3 open incidents for Ana"


def test_published_hooks_are_answered_only_by_enabled_plugins(signed_in, org, enable_plugin):
    enable_plugin(org, "people")
    assert signed_in("agent").get(f"/o/{org.slug}/people/").text == ""


def test_a_slot_shows_fragments_of_enabled_plugins(signed_in, org, enable_plugin):
    enable_plugin(org, "tickets")
    assert (
        "[<b>incidents of Ana</b>]" in signed_in("agent").get(f"/o/{org.slug}/people/slotted").text
    )


def test_a_failing_slot_shows_nothing_to_users_and_the_page_renders(
    signed_in, org, enable_plugin, caplog
):
    enable_plugin(org, "tickets")
    enable_plugin(org, "faulty")
    with caplog.at_level(logging.ERROR, logger="accord.slots"):
        page = signed_in("agent").get(f"/o/{org.slug}/people/slotted")
    assert page.status_code == 200
    assert "[<b>incidents of Ana</b>]" in page.text
    assert "faulty" in caplog.text


def test_a_failing_slot_shows_admins_a_placeholder(signed_in, org, enable_plugin):
    enable_plugin(org, "people")
    enable_plugin(org, "faulty")
    page = signed_in("admin").get(f"/o/{org.slug}/people/slotted").text
    assert "faulty could not show its part here" in page


def test_events_are_delivered_after_commit_to_enabled_plugins(signed_in, org, enable_plugin):
    enable_plugin(org, "tickets")
    client = signed_in("agent")
    response = post_form(client, f"/o/{org.slug}/people/create")
    assert response.text == "created"
    assert HANDLED == [("acme", "people.created", {"name": "Ana"})]


def test_events_of_a_rolled_back_request_are_not_delivered(app, signed_in, org, enable_plugin):
    from starlette.testclient import TestClient

    enable_plugin(org, "tickets")
    client = signed_in("agent")
    quiet = TestClient(app, raise_server_exceptions=False, cookies=client.cookies)
    page = quiet.get("/")
    from accord.testing import csrf_from

    response = quiet.post(
        f"/o/{org.slug}/people/create?fail=1", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 500
    assert HANDLED == []


def test_events_are_not_delivered_to_disabled_plugins(signed_in, org, enable_plugin):
    enable_plugin(org, "people")
    post_form(signed_in("agent"), f"/o/{org.slug}/people/create")
    assert HANDLED == []


def test_hook_calls_can_be_traced_with_their_timing(accord_settings, monkeypatch, caplog):
    from accord.host import build_host

    monkeypatch.setenv("ACCORD_TRACE_HOOKS", "1")
    host = build_host(accord_settings, entry_points=False)
    with caplog.at_level(logging.WARNING, logger="accord.hooks"):
        host.hook.register_permissions()
    assert "hook register_permissions [" in caplog.text and " ms" in caplog.text
