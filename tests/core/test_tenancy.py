"""Organisation B never sees organisation A: by construction, on every route."""

from __future__ import annotations

import re

import pytest
from peewee import CharField
from starlette.responses import HTMLResponse
from starlette.routing import Route

from accord import Page, TenantModel, get_or_404, hookimpl
from accord.db import database
from accord.testing import manifest


class Ticket(TenantModel):
    subject = CharField()

    class Meta:
        table_name = "tickets_ticket"


def show_ticket(request):
    ticket = get_or_404(Ticket, request, request.path_params["pk"])
    return HTMLResponse(ticket.subject)


class Tickets:
    @hookimpl
    def register_routes(self):
        return [Page("/{pk}", show_ticket, name="show")]


@pytest.fixture(autouse=True)
def tickets(accord_plugins):
    accord_plugins.append((Tickets(), manifest("tickets")))


@pytest.fixture
def two_orgs(accord_db, make_org, enable_plugin):
    database.create_tables([Ticket])
    a, b = make_org("org-a"), make_org("org-b")
    for org in (a, b):
        enable_plugin(org, "tickets")
    return a, b


def org_routes(app):
    return [r for r in app.routes if isinstance(r, Route) and "{org}" in r.path]


def test_every_organisation_route_is_404_for_a_member_of_another_organisation(
    app, two_orgs, signed_in
):
    a, b = two_orgs
    client = signed_in("admin", organisation=b)
    Ticket.create(org=a, subject="A's secret")
    for route in org_routes(app):
        path = re.sub(r"\{pk\}|\{plugin\}", "1", route.path).replace("{org}", a.slug)
        for method in sorted(route.methods - {"HEAD"}):
            response = client.request(method, path, data={"csrf_token": "x"})
            assert response.status_code == 404, (method, path, response.status_code)
            assert "secret" not in response.text


def test_another_organisations_record_id_is_404_inside_ones_own_organisation(two_orgs, signed_in):
    a, b = two_orgs
    secret = Ticket.create(org=a, subject="A's secret")
    client = signed_in("agent", organisation=b)
    response = client.get(f"/o/{b.slug}/tickets/{secret.id}")
    assert response.status_code == 404
    assert "secret" not in response.text


def test_own_records_are_shown(two_orgs, signed_in):
    a, _ = two_orgs
    mine = Ticket.create(org=a, subject="printer on fire")
    assert (
        signed_in("agent", organisation=a).get(f"/o/{a.slug}/tickets/{mine.id}").text
        == "printer on fire"
    )


def test_a_malformed_record_id_is_404_not_an_error(two_orgs, signed_in):
    a, _ = two_orgs
    assert signed_in("agent", organisation=a).get(f"/o/{a.slug}/tickets/abc").status_code == 404


def test_in_org_cannot_return_other_organisations_rows(two_orgs):
    a, b = two_orgs
    Ticket.create(org=a, subject="a")
    Ticket.create(org=b, subject="b")
    assert [t.subject for t in Ticket.in_org(b)] == ["b"]
