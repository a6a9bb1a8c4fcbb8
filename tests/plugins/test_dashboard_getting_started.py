"""The dashboard's Getting started card: each enabled plugin's setup steps, until all are done."""

from __future__ import annotations

import re

import pytest

from accord.plugins.catalogue.testing import make_calendar, make_service
from accord.plugins.contacts.testing import make_person
from accord.plugins.incidents.testing import make_team
from accord.testing import form_tokens

DASHBOARD = "/o/acme/dashboard/"


@pytest.fixture
def on(org, enable_plugin):
    for plugin in ("contacts", "catalogue", "incidents"):
        enable_plugin(org, plugin)


def card(html: str) -> str:
    found = re.search(r'<section class="card getting-started".*?</section>', html, re.S)
    return found.group(0) if found else ""


def step(html: str, title: str) -> str:
    """The list item of the step ``title`` on the card."""
    for item in re.findall(r"<li class=\"getting-started-step.*?</li>", card(html), re.S):
        if f"{title}</a></strong>" in item or f"<strong>{title}</strong>" in item:
            return item
    raise AssertionError(f"no step {title!r}")


def is_done(html: str, title: str) -> bool:
    return "is-done" in step(html, title).split(">", 1)[0]


def test_a_new_organisation_sees_its_steps_and_progress(signed_in, on):
    html = signed_in("admin").get(DASHBOARD).text
    # Plugins are chosen (three are on); nothing else is set up yet.
    assert "1 of 7 done" in card(html)
    assert is_done(html, "Choose the plugins you need")
    assert not is_done(html, "Set the time zone")


def test_an_admin_gets_the_link_that_does_each_step(signed_in, on):
    html = signed_in("admin").get(DASHBOARD).text
    assert 'href="/o/acme/settings/members"' in step(html, "Invite a colleague")
    assert 'href="/o/acme/catalogue/calendars/new"' in step(html, "Set your working hours")
    assert 'href="/o/acme/incidents/teams/new"' in step(html, "Create a team")


def test_an_agent_is_told_whom_to_ask_instead_of_admin_links(signed_in, on):
    html = signed_in("agent").get(DASHBOARD).text
    assert "href" not in step(html, "Invite a colleague")
    assert "Ask an administrator." in step(html, "Invite a colleague")
    assert "Ask an agent" not in step(html, "Add or import your customers")
    assert "Ask a manager or an administrator." in step(html, "Create a team")
    assert 'href="/o/acme/contacts/people/import"' in step(html, "Add or import your customers")
    assert "Hide this card" not in html


@pytest.mark.parametrize(
    ("title", "make"),
    [
        ("Set your working hours", lambda org: make_calendar(org)),
        (
            "Add a service with its service levels",
            lambda org: make_service(org, levels={1: (30, 240)}),
        ),
        ("Create a team", lambda org: make_team(org)),
        ("Add or import your customers", lambda org: make_person(org)),
    ],
)
def test_a_step_is_done_once_its_data_exists(signed_in, on, org, title, make):
    client = signed_in("admin")
    assert not is_done(client.get(DASHBOARD).text, title)
    make(org)
    assert is_done(client.get(DASHBOARD).text, title)


def test_a_service_without_levels_does_not_count(signed_in, on, org):
    make_service(org)
    assert not is_done(
        signed_in("admin").get(DASHBOARD).text, "Add a service with its service levels"
    )


def test_a_second_member_and_a_time_zone_finish_the_settings_steps(signed_in, on, org):
    client = signed_in("admin")
    signed_in("agent")  # a second member
    org.time_zone = "Europe/London"
    org.save()
    html = client.get(DASHBOARD).text
    assert is_done(html, "Invite a colleague") and is_done(html, "Set the time zone")


def test_the_card_goes_by_itself_when_every_step_is_done(signed_in, on, org):
    client = signed_in("admin")
    signed_in("agent")
    org.time_zone = "Europe/London"
    org.save()
    make_calendar(org)
    make_service(org, levels={1: (30, 240)})
    make_team(org)
    make_person(org)
    assert card(client.get(DASHBOARD).text) == ""


def test_an_admin_hides_the_card_for_everyone(signed_in, on):
    admin, agent = signed_in("admin"), signed_in("agent")
    page = admin.get(DASHBOARD).text
    answer = admin.post(
        "/o/acme/dashboard/getting-started/hide",
        data=form_tokens(card(page)),
        follow_redirects=True,
    )
    assert answer.status_code == 200 and "hidden for everyone" in answer.text
    assert card(answer.text) == "" and card(agent.get(DASHBOARD).text) == ""


def test_an_agent_cannot_hide_the_card(signed_in, on):
    agent = signed_in("agent")
    page = agent.get(DASHBOARD).text
    answer = agent.post(
        "/o/acme/dashboard/getting-started/hide", data=form_tokens(page), follow_redirects=False
    )
    assert answer.status_code == 403
    assert card(agent.get(DASHBOARD).text) != ""


def test_the_demo_organisation_shows_no_card(accord_host, accord_db, app):
    from starlette.testclient import TestClient

    from accord.demo import DEMO_PASSWORD, build_demo, demo_email
    from accord.testing import sign_in

    build_demo(accord_host)
    client = TestClient(app, base_url="http://testserver")
    assert sign_in(client, demo_email("admin", "demo"), DEMO_PASSWORD).status_code == 303
    html = client.get("/o/demo/dashboard/").text
    assert "<h1>Dashboard</h1>" in html and card(html) == ""


def test_an_admin_shows_the_card_again_from_the_dashboards_settings(signed_in, on):
    admin = signed_in("admin")
    page = admin.get(DASHBOARD).text
    admin.post("/o/acme/dashboard/getting-started/hide", data=form_tokens(card(page)))
    assert card(admin.get(DASHBOARD).text) == ""
    settings = "/o/acme/settings/plugins/dashboard/settings"
    form = admin.get(settings)
    assert "Hide the Getting started card" in form.text
    admin.post(settings, data={**form_tokens(form.text)})  # the box left unticked
    assert card(admin.get(DASHBOARD).text) != ""
