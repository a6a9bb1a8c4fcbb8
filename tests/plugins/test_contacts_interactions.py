"""Contacts: logging interactions on a person's page, the timeline, and follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accord import User, utcnow
from accord.plugins.contacts.models import Interaction, Person
from accord.plugins.contacts.testing import log_interaction, make_organisation, make_person
from accord.testing import HTMX_HEADERS, post_form

FOLLOW_UPS = "/o/acme/contacts/follow-ups/"
OVERDUE = "/o/acme/contacts/follow-ups/overdue"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


@pytest.fixture
def school(enabled):
    return make_organisation(enabled, "Riverside Academy")


@pytest.fixture
def ana(enabled, school):
    return make_person(enabled, "Ana", "Lima", organisation=school)


def page(person):
    return f"/o/acme/contacts/people/{person.id}"


def log_url(person):
    return f"{page(person)}/interactions"


def logged(**fields):
    values = {
        "kind": "call",
        "direction": "inbound",
        "occurred_at": (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "12",
        "summary": "Printer in the staff room jams on double-sided jobs.",
        "outcome": "Engineer booked",
    }
    values.update(fields)
    return values


def fresh(person):
    return Person.get_by_id(person.id)


# --- Logging --------------------------------------------------------------------------------


def test_logging_without_javascript_redirects_to_the_timeline(signed_in, ana):
    client = signed_in("agent")
    response = post_form(client, log_url(ana), logged(), token_from=page(ana))
    assert response.status_code == 303
    assert response.headers["location"] == page(ana) + "#activity"
    detail = client.get(response.headers["location"]).text
    assert "Call with Ana Lima is logged." in detail
    assert "Printer in the staff room jams" in detail
    assert "Engineer booked" in detail


def test_logging_with_htmx_returns_the_activity_with_the_new_entry(signed_in, ana):
    client = signed_in("agent")
    response = post_form(client, log_url(ana), logged(), token_from=page(ana), headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Printer in the staff room jams" in response.text
    assert "Call with Ana Lima is logged." in response.text
    assert 'name="summary"' in response.text  # a fresh form to log the next one
    assert "jams on double-sided jobs.</textarea>" not in response.text


def test_an_invalid_interaction_is_shown_again_with_htmx(signed_in, ana):
    client = signed_in("agent")
    response = post_form(
        client,
        log_url(ana),
        logged(summary="Keep <this>", direction="", follow_up_action="Call back"),
        token_from=page(ana),
        headers=HTMX_HEADERS,
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert "Say whether the customer or we started it." in response.text
    assert "Give the follow-up a due date." in response.text
    assert "Keep &lt;this&gt;</textarea>" in response.text
    assert Interaction.select().count() == 0


def test_an_invalid_interaction_is_shown_again_on_the_whole_page_without_javascript(signed_in, ana):
    response = post_form(signed_in("agent"), log_url(ana), logged(summary=""), token_from=page(ana))
    assert response.status_code == 422
    assert "<html" in response.text
    assert "Enter summary." in response.text


def test_an_interaction_in_the_future_is_refused(signed_in, ana):
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = post_form(
        signed_in("agent"), log_url(ana), logged(occurred_at=later), token_from=page(ana)
    )
    assert response.status_code == 422
    assert "This is in the future: choose “Planned for later”" in response.text


def test_a_note_is_not_contact(signed_in, ana):
    post_form(
        signed_in("agent"), log_url(ana), logged(kind="note", direction=""), token_from=page(ana)
    )
    assert Interaction.get().direction == ""
    assert fresh(ana).last_contacted_at is None


def test_logging_sets_last_contacted_and_next_planned(signed_in, ana, school):
    due = (utcnow() + timedelta(days=7)).date()
    post_form(
        signed_in("agent"),
        log_url(ana),
        logged(
            organisation=str(school.id),
            follow_up_action="Send the quote",
            follow_up_due=due.isoformat(),
        ),
        token_from=page(ana),
    )
    interaction = Interaction.get()
    assert fresh(ana).last_contacted_at == interaction.occurred_at
    assert fresh(ana).next_planned_on == due
    assert school.__class__.get_by_id(school.id).next_planned_on == due
    assert interaction.follow_up_assignee.email.startswith("agent")


def test_others_who_took_part_see_it_on_their_timeline(signed_in, enabled, ana, school):
    bo = make_person(enabled, "Bo", "Chen", organisation=school)
    stranger = make_person(enabled, "Cy", "Dale")
    client = signed_in("agent")
    data = {**logged(kind="meeting"), "participants": [str(bo.id), str(stranger.id)]}
    post_form(client, log_url(ana), data, token_from=page(ana))
    assert "Printer in the staff room jams" in client.get(page(bo)).text
    assert "Printer in the staff room jams" not in client.get(page(stranger)).text
    assert fresh(bo).last_contacted_at is not None


def test_viewers_cannot_log(signed_in, ana):
    client = signed_in("viewer")
    assert post_form(client, log_url(ana), logged(), token_from=page(ana)).status_code == 403


# --- The timeline ---------------------------------------------------------------------------


def test_the_timeline_is_newest_first_with_the_persons_changes(signed_in, ana):
    log_interaction(ana, summary="Older call", occurred_at=utcnow() - timedelta(days=3))
    log_interaction(ana, summary="Newer call", occurred_at=utcnow() - timedelta(days=1))
    text = signed_in("viewer").get(page(ana)).text
    assert text.index(">created<") < text.index("Newer call") < text.index("Older call")


def test_the_organisation_timeline_shows_its_interactions(signed_in, ana, school):
    log_interaction(ana, summary="Service review")
    text = signed_in("viewer").get(f"/o/acme/contacts/organisations/{school.id}").text
    assert "Service review" in text
    assert "Ana Lima" in text


# --- Planned interactions ------------------------------------------------------------------


def later(**delta):
    return (utcnow() + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


def coming_up_and_timeline(text):
    """The "Coming up" part of a page and its timeline, apart."""
    coming, _, timeline = text.partition("<h3>Timeline</h3>")
    return coming[coming.index('id="coming-up"') :], timeline


def plan_meeting(client, person, **fields):
    data = logged(
        **{"kind": "meeting", "status": "planned", "occurred_at": later(days=3), **fields}
    )
    return post_form(client, log_url(person), data, token_from=page(person))


def test_a_planned_interaction_shows_as_coming_up_not_on_the_timeline(signed_in, ana):
    client = signed_in("agent")
    response = plan_meeting(client, ana, summary="Termly review with the head.")
    assert response.status_code == 303
    coming, timeline = coming_up_and_timeline(client.get(page(ana)).text)
    assert "Termly review with the head." in coming
    assert "Mark as held" in coming
    assert "Termly review with the head." not in timeline
    assert Interaction.get().status == "planned"


def test_a_planned_interaction_is_not_contact(signed_in, ana, school):
    plan_meeting(signed_in("agent"), ana)
    assert fresh(ana).last_contacted_at is None
    assert school.__class__.get_by_id(school.id).last_contacted_at is None


def test_a_planned_interaction_is_the_next_planned_step(signed_in, ana, school):
    plan_meeting(signed_in("agent"), ana, occurred_at=later(days=3))
    expected = (utcnow() + timedelta(days=3)).date()
    assert fresh(ana).next_planned_on == expected
    assert school.__class__.get_by_id(school.id).next_planned_on == expected


def test_a_planned_interaction_must_be_in_the_future(signed_in, ana):
    response = plan_meeting(signed_in("agent"), ana, occurred_at=later(days=-1))
    assert response.status_code == 422
    assert "A planned interaction is in the future." in response.text
    assert Interaction.select().count() == 0


def test_marking_a_planned_interaction_held_makes_it_contact(signed_in, ana):
    client = signed_in("agent")
    plan_meeting(client, ana, summary="Termly review with the head.")
    meeting = Interaction.get()
    response = post_form(
        client, f"/o/acme/contacts/interactions/{meeting.id}/held", {}, token_from=page(ana)
    )
    assert response.status_code == 303
    assert Interaction.get_by_id(meeting.id).status == "held"
    assert Interaction.get_by_id(meeting.id).occurred_at <= utcnow()  # held early: now
    assert fresh(ana).last_contacted_at is not None
    coming, timeline = coming_up_and_timeline(client.get(page(ana)).text)
    assert "Termly review with the head." in timeline
    assert "Nothing planned." in coming


def test_a_cancelled_interaction_stays_on_the_timeline_marked_cancelled(signed_in, ana):
    client = signed_in("agent")
    plan_meeting(client, ana, summary="Termly review with the head.")
    meeting = Interaction.get()
    post_form(
        client, f"/o/acme/contacts/interactions/{meeting.id}/cancel", {}, token_from=page(ana)
    )
    assert Interaction.get_by_id(meeting.id).status == "cancelled"
    assert fresh(ana).last_contacted_at is None
    _, timeline = coming_up_and_timeline(client.get(page(ana)).text)
    assert "Meeting · from the customer · cancelled" in timeline


def test_only_a_planned_interaction_can_be_marked_held(signed_in, ana):
    call = log_interaction(ana)
    client = signed_in("agent")
    url = f"/o/acme/contacts/interactions/{call.id}/held"
    assert post_form(client, url, {}, token_from=page(ana)).status_code == 409


def test_viewers_cannot_mark_a_planned_interaction_held(signed_in, ana):
    meeting = log_interaction(
        ana, kind="meeting", occurred_at=utcnow() + timedelta(days=1), status="planned"
    )
    client = signed_in("viewer")
    url = f"/o/acme/contacts/interactions/{meeting.id}/held"
    assert post_form(client, url, {}, token_from=page(ana)).status_code == 403


# --- On an organisation's page --------------------------------------------------------------


def organisation_page(school):
    return f"/o/acme/contacts/organisations/{school.id}"


def test_an_organisations_page_offers_to_log_an_interaction_with_its_people(signed_in, ana, school):
    text = signed_in("agent").get(organisation_page(school)).text
    assert 'href="#log">Log interaction</a>' in text
    assert f'action="{organisation_page(school)}/interactions"' in text
    assert f'name="participants" value="{ana.id}"' in text
    assert f'<option value="{school.id}" selected>Riverside Academy</option>' in text


def test_logging_on_an_organisations_page_records_who_took_part(signed_in, enabled, ana, school):
    other = make_person(enabled, "Cy", "Elsewhere")
    client = signed_in("agent")
    data = logged(summary="Visit to the server room.", participants=[str(ana.id), str(other.id)])
    response = post_form(
        client,
        organisation_page(school) + "/interactions",
        data,
        token_from=organisation_page(school),
    )
    assert response.status_code == 303
    assert response.headers["location"] == organisation_page(school) + "#activity"
    visit = Interaction.get()
    assert (visit.organisation_id, visit.person_id) == (school.id, ana.id)
    assert fresh(ana).last_contacted_at is not None
    assert fresh(other).last_contacted_at is None  # not one of its people: not taking part
    assert "Visit to the server room." in client.get(organisation_page(school)).text


def test_an_invalid_interaction_on_an_organisations_page_is_a_422(signed_in, ana, school):
    response = post_form(
        signed_in("agent"),
        organisation_page(school) + "/interactions",
        logged(summary=""),
        token_from=organisation_page(school),
    )
    assert response.status_code == 422
    assert "Enter summary." in response.text


# --- Timeline filters -----------------------------------------------------------------------


def test_the_timeline_shows_only_the_kind_chosen(signed_in, ana):
    log_interaction(ana, kind="call", summary="A call about the printer.")
    log_interaction(ana, kind="meeting", summary="A meeting about the budget.")
    text = signed_in("viewer").get(page(ana) + "?show=meeting").text
    assert "A meeting about the budget." in text
    assert "A call about the printer." not in text
    assert ">created<" not in text  # changes are a kind of their own


def test_a_timeline_filter_is_a_plain_link_that_htmx_follows_in_place(signed_in, ana):
    text = signed_in("viewer").get(page(ana)).text
    assert f'href="{page(ana)}?show=call#timeline" hx-get="{page(ana)}?show=call"' in text
    assert 'hx-target="#timeline"' in text


def test_a_timeline_filter_with_htmx_returns_only_the_timeline(signed_in, ana, school):
    log_interaction(ana, kind="meeting", summary="A meeting about the budget.")
    for url in (page(ana), organisation_page(school)):
        response = signed_in("viewer").get(url + "?show=meeting", headers=HTMX_HEADERS)
        assert "<html" not in response.text
        assert response.text.lstrip().startswith('<div id="timeline"')
        assert "A meeting about the budget." in response.text


def test_an_unknown_timeline_kind_shows_everything(signed_in, ana):
    log_interaction(ana, kind="call", summary="A call about the printer.")
    assert "A call about the printer." in signed_in("viewer").get(page(ana) + "?show=zzz").text


# --- Follow-ups -----------------------------------------------------------------------------


def due_in(days):
    return (utcnow() + timedelta(days=days)).date()


def test_my_follow_ups_lists_only_mine(signed_in, ana, make_user):
    client = signed_in("agent", email="alex@acme.test")
    me = User.get(User.email == "alex@acme.test")
    other = make_user("sam@acme.test", ana.org, "agent")
    log_interaction(
        ana, follow_up_action="Send quote", follow_up_due=due_in(3), follow_up_assignee=me
    )
    log_interaction(
        ana, follow_up_action="Book visit", follow_up_due=due_in(3), follow_up_assignee=other
    )
    text = client.get(FOLLOW_UPS).text
    assert "Send quote" in text
    assert "Book visit" not in text


def test_overdue_follow_ups_lists_everyones_late_ones(signed_in, ana, make_user):
    other = make_user("sam@acme.test", ana.org, "agent")
    log_interaction(
        ana, follow_up_action="Late one", follow_up_due=due_in(-2), follow_up_assignee=other
    )
    log_interaction(
        ana, follow_up_action="Early one", follow_up_due=due_in(2), follow_up_assignee=other
    )
    text = signed_in("viewer").get(OVERDUE).text
    assert "Late one" in text and "overdue" in text
    assert "Early one" not in text


def test_marking_a_follow_up_done_with_htmx_returns_its_new_state(signed_in, ana):
    client = signed_in("agent", email="alex@acme.test")
    me = User.get(User.email == "alex@acme.test")
    item = log_interaction(
        ana, follow_up_action="Send quote", follow_up_due=due_in(1), follow_up_assignee=me
    )
    url = f"/o/acme/contacts/interactions/{item.id}/done"
    response = post_form(client, url, token_from=FOLLOW_UPS, headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert f'id="follow-up-{item.id}"' in response.text and "Done" in response.text
    assert Interaction.get_by_id(item.id).follow_up_done_by_id == me.id
    assert fresh(ana).next_planned_on is None
    assert "Send quote" not in client.get(FOLLOW_UPS).text


def test_marking_a_follow_up_done_without_javascript_goes_back(signed_in, ana):
    client = signed_in("agent")
    item = log_interaction(ana, follow_up_action="Send quote", follow_up_due=due_in(1))
    url = f"/o/acme/contacts/interactions/{item.id}/done"
    response = post_form(client, url, {"next": OVERDUE}, token_from=page(ana))
    assert response.status_code == 303
    assert response.headers["location"] == OVERDUE
    away = post_form(client, url, {"next": "https://evil.example/"}, token_from=page(ana))
    assert away.headers["location"] == page(ana)
