"""Saved views: a person names a queue with its filters and finds it again on every queue."""

from __future__ import annotations

import re

import pytest

from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents.models import SavedView
from accord.plugins.incidents.testing import make_incident
from accord.testing import HTMX_HEADERS, post_form

QUEUES = "/o/acme/incidents/queues"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def network(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Network", levels={p: (60, 240) for p in (1, 2, 3, 4)})


@pytest.fixture
def agent(signed_in, network):
    return signed_in("agent", email="alex@acme.test")


def refs(html: str) -> list[str]:
    return re.findall(r">(INC-\d{6})</a>", html)


def save_view(client, url, name):
    return post_form(client, url, {"view_name": name}, token_from=url)


def test_saving_a_view_keeps_the_filters_and_opens_it(agent, org, network):
    url = f"{QUEUES}/all?priority=1&sort=-created_at"
    response = save_view(agent, url, "Critical ones")
    assert response.status_code == 303
    assert response.headers["location"] == f"{QUEUES}/all?priority=1&sort=-created_at"
    view = SavedView.get()
    assert (view.name, view.queue, view.query) == (
        "Critical ones",
        "all",
        "priority=1&sort=-created_at",
    )


def test_a_saved_view_is_listed_on_every_queue_and_shows_its_incidents(agent, org, network):
    critical = make_incident(org, "Core switch down", service=network, impact=1, urgency=1)
    make_incident(org, "Mouse broken", service=network)
    save_view(agent, f"{QUEUES}/all?priority=1", "Critical ones")
    page = agent.get(f"{QUEUES}/unassigned").text
    assert f'href="{QUEUES}/all?priority=1">Critical ones</a>' in page
    opened = agent.get(f"{QUEUES}/all?priority=1").text
    assert refs(opened) == [critical.reference]
    assert 'aria-current="page">Critical ones</a>' in opened


def test_the_view_saves_the_filters_the_rows_were_last_refreshed_with(agent, org, network):
    url = f"{QUEUES}/mine"
    data = {"view_name": "New ones", "view_query": "status=new&after=abc"}
    post_form(agent, url, data, token_from=url)
    assert SavedView.get().query == "status=new"  # the page it was on is not kept


def test_the_rows_carry_the_query_for_the_save_form(agent, network):
    rows = agent.get(f"{QUEUES}/all?status=new", headers=HTMX_HEADERS).text
    assert 'name="view_query" value="status=new" form="incidents-save-view"' in rows


def test_a_view_without_a_name_is_422_with_the_form(agent, network):
    response = save_view(agent, f"{QUEUES}/all?priority=2", "  ")
    assert response.status_code == 422
    assert "Name the view" in response.text
    assert not SavedView.select().exists()


def test_saving_under_the_same_name_replaces_the_view(agent, network):
    save_view(agent, f"{QUEUES}/all?priority=1", "Mine")
    save_view(agent, f"{QUEUES}/team?priority=2", "Mine")
    assert [(v.queue, v.query) for v in SavedView.select()] == [("team", "priority=2")]


def test_views_are_each_persons_own(agent, signed_in, network):
    save_view(agent, f"{QUEUES}/all?priority=1", "Critical ones")
    other = signed_in("agent")
    assert "Critical ones" not in other.get(f"{QUEUES}/all").text


def test_a_view_can_be_deleted_by_its_owner_only(agent, signed_in, network):
    save_view(agent, f"{QUEUES}/all?priority=1", "Critical ones")
    view = SavedView.get()
    other = signed_in("agent")
    url = f"/o/acme/incidents/views/{view.id}/delete"
    assert post_form(other, url, {}, token_from=f"{QUEUES}/all").status_code == 404
    assert post_form(agent, url, {}, token_from=f"{QUEUES}/all").status_code == 303
    assert not SavedView.select().exists()
