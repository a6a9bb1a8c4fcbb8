"""Correspondence with the complainant: emails over real SMTP (aiosmtpd on 127.0.0.1), and
letters, calls and emails recorded; both on the timeline, and the workflow steps they did."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller  # a test dependency: never skipped

from accord import plugin_settings
from accord.plugins.complaints import correspondence
from accord.plugins.complaints.models import Correspondence
from accord.plugins.complaints.testing import make_complaint, reload
from accord.plugins.contacts.consent import set_topic
from accord.plugins.contacts.testing import make_person
from accord.testing import form_tokens, post_form

BASE = "/o/acme/complaints"


class Inbox:
    """An SMTP server's handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=free_port())
    server.start()
    handler.port = server.port
    yield handler
    server.stop()


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents", "accord.plugins.complaints"]


def configure_mail(accord_settings, accord_host, org, port):
    plugin_settings.save(
        accord_settings.secret_key,
        accord_host.manifest("incidents"),
        org,
        {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
            "smtp_from": "complaints@acme.example.org",
        },
    )


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "complaints")
    return signed_in("agent")


@pytest.fixture
def mailing(org, agent, enable_plugin, inbox, accord_settings, accord_host):
    enable_plugin(org, "incidents")
    configure_mail(accord_settings, accord_host, org, inbox.port)
    return inbox


@pytest.fixture
def carla(org):
    return make_person(org, "Carla", "Complainer", email="carla@riverside.example.org")


@pytest.fixture
def complaint(org, carla):
    return make_complaint(org, "Nobody told us about the outage.", person=carla)


def url(complaint, action=""):
    return f"{BASE}/{complaint.id}{action}"


def send(client, complaint, **data):
    fields = {"subject": f"Your complaint {complaint.reference}", "body": "We are sorry.", **data}
    fields.setdefault("version", str(reload(complaint).version))
    return post_form(client, url(complaint, "/email"), fields, token_from=url(complaint, "/email"))


def record(client, complaint, **data):
    fields = {
        "direction": "out",
        "channel": "letter",
        "occurred_at": "2026-03-02T10:15",
        "summary": "Apology letter with the outage report.",
        **data,
    }
    fields.setdefault("version", str(reload(complaint).version))
    return post_form(client, url(complaint, "/correspondence"), fields, token_from=url(complaint))


def test_the_email_page_prefills_the_subject_with_the_reference(mailing, agent, complaint):
    page = agent.get(url(complaint, "/email"))
    assert page.status_code == 200
    assert f'value="Your complaint {complaint.reference}"' in page.text
    assert "carla@riverside.example.org" in page.text


def test_an_email_reaches_the_complainant_and_shows_on_the_timeline(mailing, agent, complaint):
    response = send(agent, complaint, body="We are sorry: here is what happened.")
    assert response.status_code == 303
    [message] = mailing.messages
    assert message["To"] == "carla@riverside.example.org"
    assert message["From"] == "complaints@acme.example.org"
    assert message["Subject"] == f"Your complaint {complaint.reference}"
    assert message["Auto-Submitted"] is None  # a person wrote it; answers are wanted
    assert "We are sorry: here is what happened." in message.get_content()
    assert Correspondence.get().delivery == "sent"
    page = agent.get(url(complaint)).text
    assert "Email sent" in page and "to carla@riverside.example.org" in page
    assert ">sent</span>" in page


def test_an_email_can_acknowledge_the_complaint(mailing, agent, complaint):
    send(agent, complaint, step="acknowledge")
    assert reload(complaint).status == "acknowledged"
    assert reload(complaint).acknowledged_at == Correspondence.get().occurred_at
    assert "This message acknowledged the complaint." in agent.get(url(complaint)).text


def test_an_email_sent_twice_goes_once(mailing, agent, complaint):
    page = agent.get(url(complaint, "/email")).text
    data = {
        **form_tokens(page),
        "subject": "Once",
        "body": "Only once",
        "version": str(complaint.version),
    }
    agent.post(url(complaint, "/email"), data=data, follow_redirects=False)
    agent.post(url(complaint, "/email"), data=data, follow_redirects=False)
    assert len(mailing.messages) == 1 and Correspondence.select().count() == 1


def test_a_complainant_who_opted_out_of_service_notices_is_not_emailed(
    mailing, agent, complaint, carla
):
    set_topic(carla, "service_notices", False, source="test")
    page = agent.get(url(complaint, "/email"))
    assert "has opted out of service notices" in page.text and "record it instead" in page.text
    response = send(agent, complaint)
    assert response.status_code == 422
    assert "The email is not sent:" in response.text
    assert mailing.messages == [] and Correspondence.select().count() == 0


def test_quiet_hours_do_not_hold_back_an_answer_to_a_complaint(mailing, agent, complaint, carla):
    from accord.plugins.contacts.consent.models import ContactPreference

    ContactPreference.create(org=carla.org_id, person=carla.id, quiet_from=0, quiet_until=1439)
    assert send(agent, complaint).status_code == 303
    assert len(mailing.messages) == 1


def test_without_incidents_the_page_says_so_and_offers_to_record_it(agent, complaint):
    page = agent.get(url(complaint, "/email"))
    assert page.status_code == 200
    assert "the Incidents plugin is off in this organisation" in page.text
    assert "/correspondence?direction=out&amp;channel=email" in page.text


def test_without_a_mail_server_the_page_says_so(agent, org, enable_plugin, complaint):
    enable_plugin(org, "incidents")
    assert "No mail server is set" in agent.get(url(complaint, "/email")).text
    assert send(agent, complaint).status_code == 422


def test_an_email_the_server_refuses_waits_and_is_retried(
    org, agent, complaint, enable_plugin, accord_settings, accord_host, inbox
):
    enable_plugin(org, "incidents")
    configure_mail(accord_settings, accord_host, org, free_port())  # nobody listens there
    assert send(agent, complaint).status_code == 303
    message = Correspondence.get()
    assert message.delivery == "pending" and message.attempts == 1 and message.last_error
    page = agent.get(url(complaint)).text
    assert "queued: Could not send: the mail server refused or did not answer" in page
    assert "ConnectionRefused" not in page and "127.0.0.1" not in page
    configure_mail(accord_settings, accord_host, org, inbox.port)
    later = message.next_attempt_at + dt.timedelta(seconds=1)
    assert correspondence.deliver(org, now=later) == 1
    assert Correspondence.get().delivery == "sent" and len(inbox.messages) == 1


def test_sending_from_the_page_only_queues_it_and_the_worker_sends_it(
    mailing, agent, complaint, accord_settings, accord_host, monkeypatch
):
    import smtplib
    from dataclasses import replace

    from accord.jobs import make_queue

    monkeypatch.setattr(correspondence, "_queue", correspondence._queue)  # unbound after
    real_queue = replace(accord_settings, data={**accord_settings.data, "jobs": {}})
    queue = make_queue(real_queue, accord_host)

    def no_smtp_in_a_request(*args, **kwargs):
        raise AssertionError("a request opened an SMTP connection")

    with monkeypatch.context() as patched:
        patched.setattr(smtplib, "SMTP", no_smtp_in_a_request)
        assert send(agent, complaint).status_code == 303
    assert Correspondence.get().delivery == "pending" and mailing.messages == []
    assert "queued" in agent.get(url(complaint)).text
    task = queue.dequeue()
    assert task.name == "complaints.deliver_emails"
    assert queue.execute(task) == 1
    assert Correspondence.get().delivery == "sent" and len(mailing.messages) == 1


def test_an_administrator_sees_why_the_server_did_not_take_an_email(
    signed_in, org, agent, complaint, enable_plugin, accord_settings, accord_host
):
    enable_plugin(org, "incidents")
    configure_mail(accord_settings, accord_host, org, free_port())  # nobody listens there
    send(agent, complaint)
    assert "Technical detail" not in agent.get(url(complaint)).text
    page = signed_in("admin").get(url(complaint)).text
    assert "Could not send: the mail server refused or did not answer" in page
    assert "<summary>Technical detail</summary><code>ConnectionRefusedError" in page


def test_while_the_server_is_in_trouble_a_page_does_not_wait_for_it(
    org, agent, complaint, enable_plugin, accord_settings, accord_host, inbox
):
    enable_plugin(org, "incidents")
    configure_mail(accord_settings, accord_host, org, free_port())  # nobody listens there
    send(agent, complaint, body="First")
    configure_mail(accord_settings, accord_host, org, inbox.port)
    send(agent, complaint, body="Second")  # waits for the worker, behind the first
    assert inbox.messages == []
    assert [m.delivery for m in Correspondence.select().order_by(Correspondence.id)] == [
        "pending",
        "pending",
    ]


def test_a_letter_is_recorded_with_its_time_in_the_organisations_zone(agent, org, complaint):
    org.time_zone = "Europe/Paris"
    org.save()
    assert "time zone (Europe/Paris)" in agent.get(url(complaint, "/correspondence")).text
    assert record(agent, complaint, subject="Our apology").status_code == 303
    letter = Correspondence.get()
    assert letter.occurred_at == dt.datetime(2026, 3, 2, 9, 15)  # 10:15 in Paris, in UTC
    page = agent.get(url(complaint)).text
    assert "Letter sent" in page and "Apology letter with the outage report." in page
    assert "2026-03-02 10:15 CET" in page


def test_a_phone_call_from_the_complainant_is_recorded(agent, complaint):
    record(agent, complaint, direction="in", channel="phone", summary="Carla rang, still upset.")
    assert "Phone call received" in agent.get(url(complaint)).text


def test_a_recorded_letter_can_be_the_response(agent, complaint):
    record(agent, complaint, step="acknowledge")
    record(agent, complaint, step="respond", summary="Our full answer.")
    found = reload(complaint)
    assert found.status == "responded" and found.response == "Our full answer."
    page = agent.get(url(complaint)).text
    assert "This message was the complaint's response." in page


def test_a_step_the_complaint_has_moved_past_is_refused_not_dropped(agent, complaint):
    record(agent, complaint, step="acknowledge")
    record(agent, complaint, step="respond", summary="Our full answer.")
    response = record(agent, complaint, step="respond", summary="A second answer.")
    assert response.status_code == 422
    assert "This complaint was already responded to" in response.text
    assert Correspondence.select().count() == 2


def test_a_message_from_the_complainant_cannot_acknowledge_it(agent, complaint):
    response = record(agent, complaint, direction="in", step="acknowledge")
    assert response.status_code == 422
    assert "Only a message to the complainant can acknowledge or answer it." in response.text
    assert reload(complaint).status == "received"


def test_a_recorded_message_needs_a_summary_and_a_date(agent, complaint):
    response = record(agent, complaint, summary="", occurred_at="yesterday")
    assert response.status_code == 422
    assert "Enter a date and time like" in response.text and 'value="yesterday"' in response.text
    assert Correspondence.select().count() == 0


def test_a_viewer_cannot_send_or_record(signed_in, agent, mailing, complaint):
    viewer = signed_in("viewer")
    assert viewer.get(url(complaint, "/email")).status_code == 403
    assert record(viewer, complaint).status_code == 403
    assert Correspondence.select().count() == 0


def test_the_timeline_narrows_to_correspondence(agent, complaint):
    record(agent, complaint)
    post_form(agent, url(complaint, "/notes"), {"body": "Internal only"}, token_from=url(complaint))
    page = agent.get(url(complaint, "?show=correspondence")).text
    assert "Letter sent" in page and "Internal only" not in page


def test_the_worker_sends_what_a_request_could_not(mailing, agent, org, complaint):
    message = Correspondence.create(
        org=org,
        complaint=complaint.id,
        direction="out",
        channel="email",
        subject="Left behind",
        summary="Sent by the worker.",
        address="carla@riverside.example.org",
        delivery="sending",  # its process died while sending
        next_attempt_at=dt.datetime(2026, 1, 1),
    )
    assert correspondence.send_due_emails() == 1
    assert Correspondence.get_by_id(message.id).delivery == "sent"
    assert mailing.messages[0]["Subject"] == "Left behind"


def test_the_demo_has_notes_calls_and_letters_that_acknowledged(org, agent, make_user):
    from accord import DemoContext
    from accord.plugins.complaints.demo import add_demo_complaints
    from accord.plugins.complaints.models import Note

    for n in range(5):
        make_person(org, f"Demo{n}", "Person", email=f"demo{n}@example.org")
    manager = make_user("manager@acme.test", org, "manager")
    add_demo_complaints(DemoContext(org=org, users={"manager": manager}))
    assert Note.in_org(org).count() >= 3
    letters = Correspondence.in_org(org).where(Correspondence.step == "acknowledge")
    assert letters.count() >= 2
    for letter in letters:
        assert letter.complaint.acknowledged_at == letter.occurred_at
    assert Correspondence.in_org(org).where(Correspondence.channel == "phone").exists()
