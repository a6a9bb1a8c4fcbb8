"""Contacts through the core's hooks: menu, dashboard, search, events, demo data, and the
hooks and slots it publishes for other plugins."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest

from accord import DemoContext, TimelineEntry, User, hookimpl, utcnow
from accord.plugins.contacts import hookspecs
from accord.plugins.contacts.models import CustomerOrganisation, Interaction, Person
from accord.plugins.contacts.testing import log_interaction, make_organisation, make_person
from accord.testing import manifest, post_form

EVENTS: list[tuple[str, dict]] = []


class Incidents:
    """A throwaway plugin building on contacts, as the incidents plugin will."""

    @hookimpl
    def contact_timeline_entries(self, ctx, person, limit):
        return [TimelineEntry(utcnow(), "Service desk", "incident", f"INC-1 for {person}")]

    @hookimpl
    def organisation_timeline_entries(self, ctx, organisation):
        return [TimelineEntry(utcnow(), "Service desk", "incident", f"INC-2 at {organisation}")]

    @hookimpl
    def fill_slot(self, ctx, slot, context):
        if slot == "contacts.person.side":
            return f"<p>2 open incidents for {context['person'].first_name}</p>"

    @hookimpl
    def handle_event(self, org, event, payload):
        EVENTS.append((event, payload))


class Broken:
    @hookimpl
    def contact_timeline_entries(self, ctx, person, limit):
        raise RuntimeError("bug in a plugin")


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture(autouse=True)
def other_plugins(accord_plugins):
    EVENTS.clear()
    accord_plugins.append((Incidents(), manifest("tickets", depends=["contacts"])))
    accord_plugins.append((Broken(), manifest("broken", depends=["contacts"])))


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


def person_page(person):
    return f"/o/acme/contacts/people/{person.id}"


# --- Menu and enablement --------------------------------------------------------------------


def test_the_menu_has_people_organisations_and_follow_ups(signed_in, enabled):
    text = signed_in("viewer").get("/o/acme/dashboard/").text
    for path in ("people/", "organisations/", "follow-ups/"):
        assert f'href="/o/acme/contacts/{path}"' in text


def test_no_menu_and_no_pages_where_the_plugin_is_disabled(signed_in, org):
    client = signed_in("admin")
    assert "/contacts/" not in client.get("/o/acme/dashboard/").text
    assert client.get("/o/acme/contacts/people/").status_code == 404


# --- Dashboard ------------------------------------------------------------------------------


def test_the_dashboard_counts_my_overdue_follow_ups_and_shows_recent_interactions(
    signed_in, enabled
):
    client = signed_in("agent", email="alex@acme.test")
    me = User.get(User.email == "alex@acme.test")
    ana = make_person(enabled)
    late = utcnow().date() - timedelta(days=2)
    for _ in range(2):
        log_interaction(ana, follow_up_action="Chase", follow_up_due=late, follow_up_assignee=me)
    log_interaction(ana, summary="Asked about Wi-Fi in the hall")
    text = client.get("/o/acme/dashboard/").text
    assert '2<span class="stat-label">my overdue follow-ups</span>' in text
    assert "Asked about Wi-Fi in the hall" in text


# --- Global search --------------------------------------------------------------------------


def search(client, q):
    return client.get("/o/acme/dashboard/search", params={"q": q}).text


def test_search_finds_people_by_name_email_and_phone(signed_in, enabled):
    make_person(enabled, "Ana", "Lima", email="ana@example.org", phone="020 7946 0958")
    client = signed_in("viewer")
    for q in ("lima", "ana@example.org", "020 7946 0958", "+44 20 7946 0958"):
        assert ">Ana Lima</a>" in search(client, q), q


def test_search_finds_organisations_by_name(signed_in, enabled):
    make_organisation(enabled, "Riverside Academy")
    assert ">Riverside Academy</a>" in search(signed_in("viewer"), "riverside")


def test_search_returns_at_most_the_limit(signed_in, enabled):
    for n in range(15):
        make_person(enabled, "Ana", f"Lima{n:02d}")
    assert search(signed_in("viewer"), "lima").count(">Ana Lima") == 10


def test_search_never_returns_another_organisations_people(signed_in, enabled, make_org):
    other = make_org("globex")
    make_person(other, "Ana", "Lima")
    assert "Ana Lima" not in search(signed_in("viewer"), "lima")


# --- Events ---------------------------------------------------------------------------------


def test_adding_a_person_and_logging_an_interaction_emit_events(signed_in, enabled, enable_plugin):
    enable_plugin(enabled, "tickets")
    client = signed_in("agent")
    new = "/o/acme/contacts/people/new"
    post_form(client, new, {"first_name": "Ana", "last_name": "Lima"}, token_from=new)
    ana = Person.get()
    data = {
        "kind": "call",
        "direction": "inbound",
        "occurred_at": utcnow().strftime("%Y-%m-%dT%H:%M"),
        "summary": "Printer jams",
    }
    post_form(client, f"{person_page(ana)}/interactions", data, token_from=person_page(ana))
    assert [name for name, _ in EVENTS] == [
        "contacts.person.created",
        "contacts.interaction.logged",
    ]
    assert EVENTS[1][1]["person_ids"] == [ana.id]
    assert EVENTS[1][1]["interaction_id"] == Interaction.get().id


# --- Published hooks and slots --------------------------------------------------------------


def test_other_plugins_add_to_a_persons_timeline_and_side(signed_in, enabled, enable_plugin):
    enable_plugin(enabled, "tickets")
    enable_plugin(enabled, "broken")
    ana = make_person(enabled)
    page = signed_in("viewer").get(person_page(ana))
    assert page.status_code == 200  # the broken plugin costs only its own entries
    assert "INC-1 for Ana Lima" in page.text
    assert "<p>2 open incidents for Ana</p>" in page.text


def test_other_plugins_add_to_an_organisations_timeline(signed_in, enabled, enable_plugin):
    enable_plugin(enabled, "tickets")
    school = make_organisation(enabled)
    page = signed_in("viewer").get(f"/o/acme/contacts/organisations/{school.id}")
    assert "INC-2 at Riverside Academy" in page.text


def test_the_timeline_filters_by_other_plugins_kinds_of_entry(signed_in, enabled, enable_plugin):
    enable_plugin(enabled, "tickets")
    ana = make_person(enabled)
    log_interaction(ana, summary="A call about the printer.")
    client = signed_in("viewer")
    assert f'href="{person_page(ana)}?show=incident#timeline"' in client.get(person_page(ana)).text
    page = client.get(person_page(ana) + "?show=incident").text
    assert "INC-1 for Ana Lima" in page
    assert "A call about the printer." not in page


def test_disabled_plugins_add_nothing(signed_in, enabled):
    ana = make_person(enabled)
    assert "INC-1" not in signed_in("viewer").get(person_page(ana)).text


SPECS = [
    (name, fn)
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(fn, "accord_spec")
]


@pytest.mark.parametrize("name,spec", SPECS, ids=[name for name, _ in SPECS])
def test_published_hooks_are_typed_and_document_each_argument(name, spec):
    signature = inspect.signature(spec)
    assert signature.return_annotation is not inspect.Signature.empty
    doc = inspect.getdoc(spec)
    for argument, parameter in signature.parameters.items():
        assert parameter.annotation is not inspect.Parameter.empty
        assert f":param {argument}:" in doc


# --- Demo data ------------------------------------------------------------------------------


def test_demo_data_fills_a_realistic_customer_base(accord_host, org, make_user):
    users = {role: make_user(f"{role}@acme.test", org, role) for role in ("manager", "agent")}
    accord_host.pm.get_plugin("contacts").load_demo_data(DemoContext(org=org, users=users))
    organisations = CustomerOrganisation.in_org(org)
    people = Person.in_org(org)
    assert organisations.count() >= 8
    assert people.count() >= 35
    assert people.where(Person.organisation.is_null()).count() == 0
    assert people.where(Person.status == "archived").count() == 1
    interactions = Interaction.in_org(org)
    assert interactions.count() >= 40
    assert interactions.where(Interaction.follow_up_done_at.is_null(False)).exists()
    assert people.where(Person.last_contacted_at.is_null(False)).count() >= 25
    planned = interactions.where(Interaction.status == "planned")
    assert planned.count() >= 5
    assert all(i.occurred_at > utcnow() for i in planned)


def test_demo_data_is_the_same_every_time(accord_host, make_org, make_user):
    shapes = []
    for slug in ("first", "second"):
        org = make_org(slug)
        users = {"agent": make_user(f"agent@{slug}.test", org, "agent")}
        accord_host.pm.get_plugin("contacts").load_demo_data(DemoContext(org=org, users=users))
        shapes.append(
            [
                (i.kind, i.summary, i.follow_up_due is None)
                for i in Interaction.in_org(org).order_by(Interaction.id)
            ]
        )
    assert shapes[0] == shapes[1]
