"""Email to reporters, received by a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import email
import socket
from dataclasses import replace
from email import policy

import pytest
from aiosmtpd.controller import Controller  # a test dependency: never skipped
from aiosmtpd.smtp import AuthResult

from accord import plugin_settings, utcnow
from accord.jobs import make_queue
from accord.plugins.catalogue.testing import make_service
from accord.plugins.contacts.testing import make_person
from accord.plugins.incidents import tasks
from accord.plugins.incidents.models import EmailTemplate, Incident, OutboundEmail
from accord.testing import post_form


class Inbox:
    """An SMTP server's handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    server = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=handler.authenticate,
        auth_require_tls=False,
    )
    server.start()
    handler.port = server.port
    yield handler
    server.stop()


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


def configure(accord_settings, accord_host, org, **values):
    manifest = accord_host.manifest("incidents")
    plugin_settings.save(accord_settings.secret_key, manifest, org, values)


@pytest.fixture
def mailing(org, enable_plugin, inbox, accord_settings, accord_host):
    enable_plugin(org, "incidents")
    configure(
        accord_settings,
        accord_host,
        org,
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_starttls=False,
        smtp_from="servicedesk@acme.example.org",
    )
    return inbox


@pytest.fixture
def service(org, mailing):
    return make_service(org, "Email", levels={3: (60, 480)})


@pytest.fixture
def ana(org):
    return make_person(org, "Ana", "Lima", email="ana@riverside.example.org")


@pytest.fixture
def agent(signed_in, service):
    return signed_in("agent")


def log_for(client, person, service):
    data = {
        "title": "Outlook keeps asking for my password",
        "reporter": str(person.id),
        "service": str(service.id),
        "category": "email",
        "channel": "phone",
        "impact": "3",
        "urgency": "3",
    }
    post_form(client, "/o/acme/incidents/new", data, token_from="/o/acme/incidents/new")
    return Incident.get()


def act(client, incident, action, **data):
    data.setdefault("version", str(Incident.get_by_id(incident.id).version))
    url = f"/o/acme/incidents/{incident.id}"
    return post_form(client, f"{url}/{action}", data, token_from=url)


def test_the_reporter_is_emailed_when_their_incident_is_logged(agent, ana, service, mailing):
    log_for(agent, ana, service)
    [message] = mailing.messages
    assert message["To"] == "ana@riverside.example.org"
    assert message["From"] == "servicedesk@acme.example.org"
    assert (
        message["Subject"]
        == "[INC-000001] We have logged your incident: Outlook keeps asking for my password"
    )
    assert "Dear Ana," in message.get_content()
    assert message["Auto-Submitted"] == "auto-generated"
    assert OutboundEmail.get().status == "sent"


def test_times_in_an_email_are_in_the_organisations_zone(org, agent, ana, service, mailing):
    org.time_zone = "America/New_York"
    org.save()
    incident = log_for(agent, ana, service)
    [message] = mailing.messages
    due = incident.resolution_due.replace(tzinfo=dt.UTC).astimezone(org.zone)
    assert f"resolve it by {due:%Y-%m-%d %H:%M} {due.tzname()}." in message.get_content()


def test_the_reporter_is_emailed_when_the_status_changes(agent, ana, service, mailing):
    incident = log_for(agent, ana, service)
    act(agent, incident, "pend", pending_reason="customer")
    message = mailing.messages[-1]
    assert message["Subject"] == "[INC-000001] Your incident is now pending"
    assert "We are waiting for: Awaiting the customer." in message.get_content()


def test_the_reporter_is_emailed_the_resolution(agent, ana, service, mailing):
    incident = log_for(agent, ana, service)
    act(
        agent,
        incident,
        "resolve",
        resolution_code="fixed",
        resolution_notes="Cleared the cached password.",
    )
    message = mailing.messages[-1]
    assert message["Subject"] == "[INC-000001] Resolved: Outlook keeps asking for my password"
    assert "Fixed: Cleared the cached password." in message.get_content()
    assert len(mailing.messages) == 2  # logged, resolved: one email each


def test_a_reply_is_emailed_and_an_internal_note_is_not(agent, ana, service, mailing):
    incident = log_for(agent, ana, service)
    act(agent, incident, "notes", body="Checked the logs.", kind="note")
    act(agent, incident, "notes", body="Please restart Outlook.", kind="reply")
    assert len(mailing.messages) == 2
    assert "Please restart Outlook." in mailing.messages[-1].get_content()


def test_the_organisations_own_wording_is_used(agent, org, ana, service, mailing):
    EmailTemplate.create(
        org=org,
        kind="created",
        subject="Ticket {{ reference }} opened",
        body="Hi {{ reporter_first_name }}, we are on it.",
    )
    log_for(agent, ana, service)
    assert mailing.messages[0]["Subject"] == "Ticket INC-000001 opened"
    assert mailing.messages[0].get_content().strip() == "Hi Ana, we are on it."


def test_the_smtp_password_is_the_decrypted_secret(
    agent, org, ana, service, mailing, accord_settings, accord_host
):
    configure(accord_settings, accord_host, org, smtp_username="desk", smtp_password="s3cret pass")
    log_for(agent, ana, service)
    assert mailing.logins == [("desk", "s3cret pass")]
    assert len(mailing.messages) == 1


@pytest.fixture
def worker_queue(accord_settings, accord_host, monkeypatch):
    """A real queue (the tests' default runs tasks where they are queued), unbound after."""
    monkeypatch.setattr(tasks, "_queue", tasks._queue)
    return make_queue(
        replace(accord_settings, data={**accord_settings.data, "jobs": {}}), accord_host
    )


def test_a_request_only_queues_the_email_and_the_worker_sends_it(
    agent, ana, service, mailing, worker_queue, monkeypatch
):
    import smtplib

    def no_smtp_in_a_request(*args, **kwargs):
        raise AssertionError("a request opened an SMTP connection")

    with monkeypatch.context() as patched:
        patched.setattr(smtplib, "SMTP", no_smtp_in_a_request)
        log_for(agent, ana, service)
    assert OutboundEmail.get().status == "pending" and mailing.messages == []
    task = worker_queue.dequeue()
    assert task.name == "incidents.deliver_emails"
    assert worker_queue.execute(task) == 1
    assert OutboundEmail.get().status == "sent" and len(mailing.messages) == 1


def test_an_email_the_server_could_not_take_is_retried_by_the_worker(
    agent, org, ana, service, mailing, accord_settings, accord_host
):
    configure(accord_settings, accord_host, org, smtp_port=free_port())  # nobody listens
    log_for(agent, ana, service)
    queued = OutboundEmail.get()
    assert (queued.status, queued.attempts) == ("pending", 1) and queued.last_error
    assert mailing.messages == []
    configure(accord_settings, accord_host, org, smtp_port=mailing.port)
    OutboundEmail.update(next_attempt_at=utcnow() - dt.timedelta(seconds=1)).execute()
    assert tasks.send_due_emails() == 1
    assert OutboundEmail.get().status == "sent" and len(mailing.messages) == 1


def test_the_timeline_says_could_not_send_without_the_servers_details(
    agent, org, ana, service, mailing, accord_settings, accord_host
):
    port = free_port()  # nobody listens
    configure(accord_settings, accord_host, org, smtp_port=port)
    incident = log_for(agent, ana, service)
    assert "ConnectionRefusedError" in OutboundEmail.get().last_error  # kept for administrators
    page = agent.get(f"/o/acme/incidents/{incident.id}").text
    assert "queued: Could not send: the mail server refused or did not answer" in page
    assert "ConnectionRefused" not in page and "127.0.0.1" not in page and str(port) not in page
    assert "Technical detail" not in page


def test_an_administrator_sees_why_the_server_did_not_take_it(
    signed_in, agent, org, ana, service, mailing, accord_settings, accord_host
):
    configure(accord_settings, accord_host, org, smtp_port=free_port())  # nobody listens
    incident = log_for(agent, ana, service)
    page = signed_in("admin").get(f"/o/acme/incidents/{incident.id}").text
    assert "Could not send: the mail server refused or did not answer" in page
    assert "<summary>Technical detail</summary><code>ConnectionRefusedError" in page


def test_a_server_left_out_of_the_instances_list_is_not_connected_to(
    agent, org, ana, service, mailing, monkeypatch
):
    from accord.plugins.incidents import smtp_hosts

    # The instance lists its servers after 127.0.0.1 was saved.
    monkeypatch.setattr(smtp_hosts, "_allowed", ["smtp.example.org"])
    log_for(agent, ana, service)
    assert mailing.messages == []
    assert "not in the instance's [mail] allowed_smtp_hosts" in OutboundEmail.get().last_error


def test_without_an_smtp_server_nothing_is_sent_and_the_timeline_says_so(
    signed_in, org, enable_plugin, ana
):
    enable_plugin(org, "incidents")
    service = make_service(org, "Email")
    agent = signed_in("agent")
    incident = log_for(agent, ana, service)
    assert OutboundEmail.get().status == "skipped"
    page = agent.get(f"/o/acme/incidents/{incident.id}")
    assert "not sent: No SMTP server or sender is set" in page.text


def test_a_reporter_without_an_email_address_gets_no_email(agent, org, service, mailing):
    bo = make_person(org, "Bo", "Diaz")
    log_for(agent, bo, service)
    assert mailing.messages == [] and not OutboundEmail.select().exists()


def test_while_an_email_waits_for_its_retry_requests_do_not_try_the_server_again(
    agent, org, ana, service, mailing, accord_settings, accord_host
):
    configure(accord_settings, accord_host, org, smtp_port=free_port())  # nobody listens
    log_for(agent, ana, service)
    configure(accord_settings, accord_host, org, smtp_port=mailing.port)
    incident = Incident.get()
    act(agent, incident, "notes", body="Please restart Outlook.", kind="reply")
    assert mailing.messages == []  # the request did not wait on a server in trouble
    assert OutboundEmail.select().where(OutboundEmail.status == "pending").count() == 2
    OutboundEmail.update(next_attempt_at=utcnow() - dt.timedelta(seconds=1)).execute()
    assert tasks.send_due_emails() == 2


# --- mail.queue_message: other plugins email an incident's reporter --------------------------


def test_another_plugins_message_is_sent_through_the_outbox_and_shown_on_the_timeline(
    agent, org, ana, service, mailing
):
    from accord.plugins.incidents import mail

    incident = log_for(agent, ana, service)
    queued = mail.queue_message(incident, "How did we do?", "Tell us in one click.", kind="survey")
    assert queued is not None and queued.kind == "survey" and queued.status == "pending"
    assert tasks.send_due_emails() == 1
    message = mailing.messages[-1]
    assert message["Subject"] == "How did we do?"
    assert message["To"] == "ana@riverside.example.org"
    assert message.get_content().strip() == "Tell us in one click."
    page = agent.get(f"/o/acme/incidents/{incident.id}")
    assert "“How did we do?” (sent)" in page.text


def test_another_plugins_message_is_sent_at_once_after_an_event_about_the_incident(
    agent, org, ana, service, mailing, accord_host
):
    from accord import emit
    from accord.plugins.incidents import mail

    incident = log_for(agent, ana, service)
    mail.queue_message(incident, "How did we do?", "Tell us in one click.", kind="survey")
    emit(org, "satisfaction.survey_sent", {"incident_id": incident.id}, host=accord_host)
    assert mailing.messages[-1]["Subject"] == "How did we do?"


def test_no_message_is_queued_when_reporters_are_not_emailed(
    agent, org, ana, service, mailing, accord_settings, accord_host
):
    from accord.plugins.incidents import mail

    incident = log_for(agent, ana, service)
    configure(accord_settings, accord_host, org, email_reporters=False)
    assert mail.queue_message(incident, "How did we do?", "Tell us.") is None
    assert OutboundEmail.select().where(OutboundEmail.kind == "message").count() == 0


def test_no_message_is_queued_for_a_reporter_without_an_email_address(agent, org, service, mailing):
    from accord.plugins.incidents import mail

    incident = log_for(agent, make_person(org, "Bo", "Diaz"), service)
    assert mail.queue_message(incident, "How did we do?", "Tell us.") is None
