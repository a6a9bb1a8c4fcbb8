"""Contacts: one consent and communication-preference record per person, asked by every plugin."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from playhouse.test_utils import count_queries

from accord import DemoContext, Organisation, utcnow
from accord.plugins.contacts.consent import (
    ContactPurpose,
    define_purpose,
    may_contact,
    record_contact,
    set_channel,
    set_topic,
    unsubscribe_url,
)
from accord.plugins.contacts.consent.models import (
    ConsentChange,
    ContactPreference,
    TopicConsent,
)
from accord.plugins.contacts.models import Person
from accord.plugins.contacts.testing import make_person
from accord.testing import csrf_from, post_form


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


@pytest.fixture
def ana(enabled):
    return make_person(
        enabled,
        "Ana",
        "Lima",
        email="ana@example.org",
        phone="+44 113 496 0123",
        address="1 High Street",
    )


def person_url(person, page=""):
    return f"/o/acme/contacts/people/{person.id}{page}"


def quiet(person, start, end):
    ContactPreference.create(org=person.org_id, person=person.id, quiet_from=start, quiet_until=end)


def at(hour, minute=0, day=15):
    """A time in January (UTC), when London is on UTC too."""
    return datetime.datetime(2026, 1, day, hour, minute)


def preference_form(**changes):
    values = {
        "email_allowed": "on",
        "phone_allowed": "on",
        "sms_allowed": "on",
        "post_allowed": "on",
        "topic_newsletters": "default",  # no choice yet: the defaults stay defaults
        "topic_service_notices": "default",
        "topic_surveys": "default",
        "preferred_channel": "",
        "quiet_from": "",
        "quiet_until": "",
        "cap": "",
        "cap_period": "week",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


# ---- the defaults -----------------------------------------------------------------------


def test_surveys_and_service_notices_are_allowed_by_default(ana):
    assert may_contact(ana, channel="email", purpose="surveys")
    assert may_contact(ana, channel="email", purpose="service_notices")


def test_newsletters_need_an_explicit_opt_in(ana):
    decision = may_contact(ana, channel="email", purpose="newsletters")
    assert not decision
    assert decision.reason == "Ana Lima has not opted in to newsletters."
    set_topic(ana, "newsletters", True, source="import")
    assert may_contact(ana, channel="email", purpose="newsletters")


def test_the_decision_says_why_it_allows(ana):
    decision = may_contact(ana, channel="sms", purpose="surveys")
    assert decision.allowed is True
    assert decision.reason == "Ana Lima may be contacted by text message about surveys."


def test_an_unknown_purpose_or_channel_is_an_error(ana):
    with pytest.raises(ValueError):
        may_contact(ana, channel="email", purpose="gossip")
    with pytest.raises(ValueError):
        may_contact(ana, channel="pigeon", purpose="surveys")


def test_a_purpose_another_plugin_defines_can_be_asked_about(ana, enabled):
    define_purpose(
        enabled, ContactPurpose("spring_offers", "Spring offers", defined_by="campaigns")
    )
    assert not may_contact(ana, channel="email", purpose="spring_offers")
    set_topic(ana, "spring_offers", True, source="campaigns")
    assert may_contact(ana, channel="email", purpose="spring_offers")


def test_there_is_no_channel_without_an_address(enabled):
    bo = make_person(enabled, "Bo", "Chen")
    decision = may_contact(bo, channel="email", purpose="service_notices")
    assert not decision
    assert decision.reason == "Bo Chen has no email address on record."


# ---- topics and channels ----------------------------------------------------------------


def test_unsubscribing_from_one_topic_keeps_the_others(ana):
    set_topic(ana, "newsletters", True, source="staff form")
    set_topic(ana, "surveys", False, source="unsubscribe link")
    assert may_contact(ana, channel="email", purpose="newsletters")
    assert may_contact(ana, channel="email", purpose="service_notices")
    decision = may_contact(ana, channel="email", purpose="surveys")
    assert decision.reason == "Ana Lima has opted out of surveys."


def test_a_channel_switched_off_stops_every_topic_on_it_only(ana):
    set_channel(ana, "email", False, source="staff form")
    decision = may_contact(ana, channel="email", purpose="service_notices")
    assert decision.reason == "Ana Lima does not want to be contacted by email."
    assert may_contact(ana, channel="post", purpose="service_notices")


def test_an_archived_person_receives_only_service_notices(ana):
    Person.update(status="archived").where(Person.id == ana.id).execute()
    archived = Person.get_by_id(ana.id)
    assert not may_contact(archived, channel="email", purpose="surveys")
    assert may_contact(archived, channel="email", purpose="service_notices")


# ---- quiet hours and the frequency cap ---------------------------------------------------


def test_quiet_hours_hold_back_surveys(ana):
    quiet(ana, 12 * 60, 14 * 60)
    decision = may_contact(ana, channel="phone", purpose="surveys", at=at(13, 30))
    assert not decision
    assert "within Ana Lima's quiet hours (12:00–14:00)" in decision.reason
    assert may_contact(ana, channel="phone", purpose="surveys", at=at(14, 0))


def test_quiet_hours_may_span_midnight(ana):
    quiet(ana, 21 * 60, 8 * 60)
    assert not may_contact(ana, channel="sms", purpose="surveys", at=at(23, 0))
    assert not may_contact(ana, channel="sms", purpose="surveys", at=at(7, 59))
    assert may_contact(ana, channel="sms", purpose="surveys", at=at(8, 0))
    assert may_contact(ana, channel="sms", purpose="surveys", at=at(20, 59))


def test_quiet_hours_are_read_in_the_organisations_time_zone(ana, enabled):
    quiet(ana, 21 * 60, 8 * 60)
    summer = datetime.datetime(2026, 7, 1, 20, 30)  # UTC: 21:30 in London
    Organisation.update(time_zone="Europe/London").where(Organisation.id == enabled.id).execute()
    assert not may_contact(ana, channel="sms", purpose="surveys", at=summer)
    Organisation.update(time_zone="UTC").where(Organisation.id == enabled.id).execute()
    assert may_contact(ana, channel="sms", purpose="surveys", at=summer)


def test_service_notices_ignore_quiet_hours(ana):
    quiet(ana, 0, 23 * 60 + 59)
    assert may_contact(ana, channel="email", purpose="service_notices", at=at(12))


def test_the_frequency_cap_counts_contacts_made_in_the_week(ana):
    ContactPreference.create(org=ana.org_id, person=ana.id, cap=2, cap_period="week")
    record_contact(ana, channel="email", purpose="surveys", source="satisfaction", at=at(9, day=1))
    record_contact(ana, channel="email", purpose="surveys", source="satisfaction", at=at(9, day=10))
    record_contact(ana, channel="email", purpose="service_notices", source="incidents", at=at(9))
    assert may_contact(ana, channel="email", purpose="surveys", at=at(10, day=12))
    record_contact(ana, channel="email", purpose="surveys", source="satisfaction", at=at(9, day=12))
    decision = may_contact(ana, channel="email", purpose="surveys", at=at(10, day=12))
    assert decision.reason == "Ana Lima has had 2 of at most 2 contacts in the last week."
    assert may_contact(ana, channel="email", purpose="service_notices", at=at(10, day=12))


# ---- the card, the form and the history --------------------------------------------------


def test_the_persons_page_shows_the_contact_preferences_card(signed_in, ana):
    set_topic(ana, "surveys", False, source="import")
    page = signed_in("viewer").get(person_url(ana))
    assert page.status_code == 200
    assert "Contact preferences" in page.text
    assert "May we contact Ana Lima now?" in page.text
    assert "Ana Lima has opted out of surveys." in page.text
    assert "Opted out" in page.text


def test_the_card_asks_the_database_the_same_number_of_times_for_more_topics(
    signed_in, enabled, ana
):
    ContactPreference.create(
        org=enabled, person=ana.id, quiet_from=60, quiet_until=120, cap=3, cap_period="week"
    )
    client = signed_in("viewer")
    client.get(person_url(ana))  # the session and caches warmed up

    def queries():
        with count_queries() as counter:
            assert client.get(person_url(ana)).status_code == 200
        return counter.count

    before = queries()
    for n in range(4):
        define_purpose(enabled, ContactPurpose(f"topic_{n}", f"Topic {n}"))
    assert queries() == before > 0


def test_staff_edit_preferences_and_the_history_records_the_source(signed_in, ana):
    client = signed_in("agent")
    url = person_url(ana, "/consent")
    data = preference_form(
        sms_allowed=None, topic_newsletters="in", quiet_from="21:00", quiet_until="08:00", cap="3"
    )
    response = post_form(client, url, data, token_from=url)
    assert response.status_code == 303
    assert may_contact(ana, channel="email", purpose="newsletters", at=at(12))
    assert not may_contact(ana, channel="email", purpose="newsletters", at=at(22))
    assert not may_contact(ana, channel="sms", purpose="service_notices")
    changes = {c.subject: c for c in ConsentChange.select().where(ConsentChange.person == ana.id)}
    assert set(changes) == {"channel:sms", "topic:newsletters", "quiet_hours", "frequency_cap"}
    assert {c.source for c in changes.values()} == {"staff form"}
    assert changes["quiet_hours"].after == "21:00–08:00"
    history = client.get(person_url(ana, "/consent/history"))
    assert "Topic: Newsletters" in history.text
    assert "staff form" in history.text


def test_malformed_quiet_hours_are_refused_with_the_input_kept(signed_in, ana):
    client = signed_in("agent")
    url = person_url(ana, "/consent")
    data = preference_form(quiet_from="25:99", quiet_until="08:00")
    response = post_form(client, url, data, token_from=url)
    assert response.status_code == 422
    assert "Enter a time of day like 21:00." in response.text
    assert 'value="25:99"' in response.text
    assert ContactPreference.select().count() == 0


def test_quiet_hours_need_both_ends(signed_in, ana):
    client = signed_in("agent")
    url = person_url(ana, "/consent")
    response = post_form(client, url, preference_form(quiet_from="21:00"), token_from=url)
    assert response.status_code == 422
    assert "Give both ends of the quiet hours, or neither." in response.text


def test_saving_an_unchanged_form_records_nothing(signed_in, ana):
    client = signed_in("agent")
    url = person_url(ana, "/consent")
    assert post_form(client, url, preference_form(), token_from=url).status_code == 303
    assert ConsentChange.select().count() == 0


class _FormReader(HTMLParser):
    """What a browser submits for a form nobody touched: values, ticks, chosen options."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "checkbox":
            if "checked" in a:
                self.values[a["name"]] = a.get("value", "on")
        elif tag == "input" and a.get("name"):
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select, self._first = a["name"], None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.values.setdefault(self._select, self._first or "")
            self._select = None


def untouched(html):
    reader = _FormReader()
    reader.feed(html)
    return reader.values


@pytest.mark.parametrize("channel", ["chat", "in_person", "email", ""])
def test_saving_the_form_untouched_changes_nothing(signed_in, ana, channel):
    Person.update(preferred_channel=channel).where(Person.id == ana.id).execute()
    client = signed_in("agent")
    url = person_url(ana, "/consent")
    data = untouched(client.get(url).text)
    assert post_form(client, url, data, token_from=url).status_code == 303
    assert Person.get_by_id(ana.id).preferred_channel == channel
    assert ConsentChange.select().count() == 0 and TopicConsent.select().count() == 0


def test_the_preferred_channel_has_one_empty_option(signed_in, ana):
    page = signed_in("agent").get(person_url(ana, "/consent")).text
    select = page.split('name="preferred_channel"')[1].split("</select>")[0]
    assert select.count('value=""') == 1 and "No preference" in select


def test_the_form_shows_a_default_as_no_choice_yet(signed_in, ana):
    page = signed_in("agent").get(person_url(ana, "/consent")).text
    select = page.split('name="topic_surveys"')[1].split("</select>")[0]
    assert '<option value="default" selected>Yes, by default</option>' in select


def test_choosing_what_the_default_already_gives_is_recorded_as_a_choice(signed_in, ana):
    client = signed_in("agent")
    url = person_url(ana, "/consent")
    post_form(client, url, preference_form(topic_surveys="in"), token_from=url)
    assert TopicConsent.get(TopicConsent.purpose == "surveys").opted_in


def test_the_history_records_the_preferred_channel_it_replaced(signed_in, ana):
    Person.update(preferred_channel="chat").where(Person.id == ana.id).execute()
    client = signed_in("agent")
    url = person_url(ana, "/consent")
    post_form(client, url, preference_form(preferred_channel="phone"), token_from=url)
    change = ConsentChange.get(ConsentChange.subject == "preferred_channel")
    assert (change.before, change.after) == ("Chat", "Phone")


def test_an_edit_over_someone_elses_change_is_a_conflict(signed_in, ana):
    ContactPreference.create(org=ana.org_id, person=ana.id)
    client = signed_in("agent")
    url = person_url(ana, "/consent")
    assert 'name="version" value="1"' in client.get(url).text
    set_channel(ana, "post", False, source="staff form")  # someone else, meanwhile
    response = post_form(client, url, preference_form(version="1", cap="2"), token_from=url)
    assert response.status_code == 409
    assert ContactPreference.get(ContactPreference.person == ana.id).cap is None


def test_viewers_cannot_edit_preferences(signed_in, ana):
    assert signed_in("viewer").get(person_url(ana, "/consent")).status_code == 403


# ---- the public unsubscribe link ---------------------------------------------------------


def test_unsubscribe_link_asks_then_unsubscribes_from_that_topic_only(client, enabled, ana):
    set_topic(ana, "newsletters", True, source="staff form")
    url = unsubscribe_url(enabled, ana, "newsletters")
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop receiving newsletters from" in page.text
    assert may_contact(ana, channel="email", purpose="newsletters")  # a GET changes nothing
    done = post_form(client, url, token_from=url)
    assert done.status_code == 200
    assert "You are unsubscribed from newsletters" in done.text
    assert not may_contact(ana, channel="email", purpose="newsletters")
    assert may_contact(ana, channel="email", purpose="surveys")
    newest = ConsentChange.select().order_by(ConsentChange.id.desc()).first()
    assert (newest.subject, newest.after, newest.source) == (
        "topic:newsletters",
        "opted out",
        "unsubscribe link",
    )


def test_unsubscribing_twice_records_one_change(client, enabled, ana):
    url = unsubscribe_url(enabled, ana, "surveys")
    token = csrf_from(client.get(url).text)
    assert client.post(url, data={"csrf_token": token}).status_code == 200
    again = client.post(url, data={"csrf_token": token})  # a second click on the same page
    assert again.status_code == 200
    assert ConsentChange.select().where(ConsentChange.subject == "topic:surveys").count() == 1
    assert "You do not receive surveys" in client.get(url).text


def test_the_unsubscribe_url_is_the_unsubscribe_pages_path(app, enabled, ana):
    url = unsubscribe_url(enabled, ana, "surveys")
    token = url.rsplit("/", 1)[1]
    assert url == app.url_path_for("contacts:unsubscribe", slug="acme", token=token)


def test_a_forged_unsubscribe_link_is_refused(client, enabled, ana):
    url = unsubscribe_url(enabled, ana, "surveys")
    forged = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    page = client.get(forged)
    assert page.status_code == 404
    assert "This unsubscribe link is not valid" in page.text
    assert post_form(client, forged, token_from=url).status_code == 404
    assert TopicConsent.select().count() == 0


def test_a_link_of_one_organisation_does_not_work_under_another(client, make_org, enabled, ana):
    other = make_org("other")
    url = unsubscribe_url(enabled, ana, "surveys")
    assert client.get(url.replace("/acme/", f"/{other.slug}/")).status_code == 404


# ---- the people list ---------------------------------------------------------------------


def test_the_people_list_filters_by_consent(signed_in, enabled, ana):
    bo = make_person(enabled, "Bo", "Chen", email="bo@example.org")
    cy = make_person(enabled, "Cy", "Dunn", email="cy@example.org")
    set_topic(ana, "newsletters", True, source="import")
    set_topic(cy, "newsletters", True, source="import")
    set_channel(cy, "email", False, source="staff form")
    set_topic(bo, "surveys", False, source="unsubscribe link")
    client = signed_in("viewer")
    newsletters = client.get("/o/acme/contacts/people/?consent=newsletters:email").text
    assert "Ana Lima" in newsletters
    assert "Bo Chen" not in newsletters and "Cy Dunn" not in newsletters
    opted_out = client.get("/o/acme/contacts/people/?consent=surveys:out").text
    assert "Bo Chen" in opted_out
    assert "Ana Lima" not in opted_out


def test_the_people_list_filters_people_who_take_no_calls(signed_in, enabled, ana):
    make_person(enabled, "Bo", "Chen", phone="+44 113 496 0124")
    set_channel(ana, "phone", False, source="staff form")
    listed = signed_in("viewer").get("/o/acme/contacts/people/?consent=no-channel:phone").text
    assert "Ana Lima" in listed
    assert "Bo Chen" not in listed


def test_a_defined_purpose_appears_on_the_card_and_in_the_filter(signed_in, enabled, ana):
    bo = make_person(enabled, "Bo", "Chen", email="bo@example.org")
    define_purpose(enabled, ContactPurpose("spring_offers", "Spring offers"))
    set_topic(bo, "spring_offers", True, source="campaigns")
    client = signed_in("viewer")
    assert "Spring offers" in client.get(person_url(ana)).text
    listed = client.get("/o/acme/contacts/people/?consent=spring_offers:email").text
    assert "Bo Chen" in listed
    assert "Ana Lima" not in listed


def test_a_defined_purpose_without_opt_in_reaches_everyone_who_did_not_say_no(
    signed_in, enabled, ana
):
    bo = make_person(enabled, "Bo", "Chen", email="bo@example.org")
    invites = ContactPurpose("user_group", "User group invitations", opt_in_required=False)
    define_purpose(enabled, invites)
    set_topic(bo, "user_group", False, source="unsubscribe link")
    assert may_contact(ana, channel="email", purpose="user_group")
    listed = signed_in("viewer").get("/o/acme/contacts/people/?consent=user_group:email").text
    assert "Ana Lima" in listed
    assert "Bo Chen" not in listed


# ---- tenancy -----------------------------------------------------------------------------


def test_another_organisations_person_is_not_found(signed_in, make_org, enable_plugin, enabled):
    theirs = make_org("org-a")
    enable_plugin(theirs, "contacts")
    secret = make_person(theirs, "Ana", "Secret", email="secret@example.org")
    client = signed_in("admin")
    for path in ("/consent", "/consent/history"):
        response = client.get(person_url(secret, path))
        assert response.status_code == 404, path
        assert "Secret" not in response.text
    url = person_url(secret, "/consent")
    token_from = "/o/acme/contacts/people/"
    response = post_form(client, url, preference_form(email_allowed=None), token_from=token_from)
    assert response.status_code == 404
    assert ContactPreference.select().count() == 0


def test_recording_a_contact_is_kept_for_the_cap_with_its_source(ana):
    made = record_contact(ana, channel="phone", purpose="surveys", source="satisfaction")
    assert (made.source, made.essential, made.org_id) == ("satisfaction", False, ana.org_id)
    assert made.at <= utcnow()


# ---- CSV import ----------------------------------------------------------------------------


IMPORT = "/o/acme/contacts/people/import"


def import_csv(client, text, action="import"):
    """Upload ``text``, map its columns and import it (the worker runs at once in tests)."""
    page = client.get(IMPORT)
    uploaded = client.post(
        IMPORT,
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("people.csv", text.encode(), "text/csv")},
        follow_redirects=False,
    )
    job_url = uploaded.headers["location"]
    mapping = {"map-0": "first_name", "map-1": "last_name", "map-2": "email"}
    mapping["map-3"] = "consent_newsletters"
    data = {"action": action, "on_match": "update", **mapping}
    post_form(client, job_url, data, token_from=job_url)
    return client.get(job_url)


def test_an_imported_newsletter_opt_in_is_recorded_with_source_import(signed_in, enabled):
    text = "First;Last;Email;Newsletter\nAna;Lima;ana@example.org;yes\nBo;Chen;bo@example.org;\n"
    assert "Imported: 2 added" in import_csv(signed_in("agent"), text).text
    ana = Person.get(Person.last_name == "Lima")
    bo = Person.get(Person.last_name == "Chen")
    assert may_contact(ana, channel="email", purpose="newsletters")
    assert not may_contact(bo, channel="email", purpose="newsletters")
    change = ConsentChange.get(ConsentChange.person == ana.id)
    assert (change.subject, change.after, change.source) == (
        "topic:newsletters",
        "opted in",
        "import",
    )
    assert ConsentChange.select().where(ConsentChange.person == bo.id).count() == 0


def test_an_unclear_consent_answer_is_a_row_error(signed_in, enabled):
    text = "First;Last;Email;Newsletter\nAna;Lima;ana@example.org;maybe\n"
    response = import_csv(signed_in("agent"), text)
    assert "1 of 1 rows have errors" in response.text
    assert "Newsletters opt-in “maybe”: answer yes or no." in response.text
    assert Person.select().count() == 0


# ---- demo ----------------------------------------------------------------------------------


def test_the_demo_has_people_opted_in_and_out(accord_host, org, make_user):
    users = {role: make_user(f"{role}@acme.test", org, role) for role in ("manager", "agent")}
    accord_host.pm.get_plugin("contacts").load_demo_data(DemoContext(org=org, users=users))
    people = list(Person.in_org(org).where(Person.status == "active"))
    newsletters = [p for p in people if may_contact(p, channel="email", purpose="newsletters")]
    no_surveys = [p for p in people if not may_contact(p, channel="email", purpose="surveys")]
    assert 5 <= len(newsletters) < len(people) / 2
    assert no_surveys
    sources = {c.source for c in ConsentChange.in_org(org)}
    assert {"import", "staff form", "unsubscribe link"} <= sources
