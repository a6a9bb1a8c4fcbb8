"""Email to reporters: the organisation's wording, an outbox, and delivery over SMTP.

Why an outbox: the email is written as a row in the same transaction as the
change it reports, so it exists exactly when the change committed. After the
commit, ``handle_event`` on the change's ``incidents.*`` event queues
``incidents.deliver_emails``, and the worker sends the organisation's due
emails at once: no request ever opens an SMTP connection, so a slow or
unreachable server never holds a page. Whatever that attempt could not send
(the SMTP server was down, the process died) stays pending, and the periodic
task of ``accord worker`` retries it with back-off. Each send first claims its
row (``pending`` → ``sending`` in one UPDATE), so two workers never both send it.
Delivery is at least once: a process that dies mid-send leaves a row
``sending``, which is retried after ``STUCK_AFTER``.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import jinja2

from accord import Organisation, local_time, plugin_settings, utcnow
from accord.plugins.catalogue.models import Service
from accord.plugins.contacts.models import Person

from .choices import PENDING_REASONS, RESOLUTION_CODES, priority_label
from .models import EmailTemplate, Incident, OutboundEmail
from .sandbox import BoundedEnvironment, TooCostly, render
from .smtp_hosts import refused_at_send

log = logging.getLogger("accord.plugins.incidents.mail")

PLUGIN = "incidents"
MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
STUCK_AFTER = dt.timedelta(minutes=15)
TIMEOUT_SECONDS = 15

KINDS = {
    "created": "When an incident is logged",
    "status_changed": "When its status changes",
    "resolved": "When it is resolved",
    "reply": "A reply from an agent",
    "merged": "When it is merged into another incident",
}
DEFAULTS = {
    "created": (
        "[{{ reference }}] We have logged your incident: {{ title }}",
        "Dear {{ reporter_first_name }},\n\n"
        "Thank you for contacting {{ organisation }}. We have logged your incident as "
        "{{ reference }}, priority {{ priority }}:\n\n  {{ title }}\n\n"
        "{% if resolution_due %}We aim to resolve it by {{ resolution_due }}.\n\n{% endif %}"
        "Please quote {{ reference }} if you contact us about it.\n\n{{ organisation }}\n",
    ),
    "status_changed": (
        "[{{ reference }}] Your incident is now {{ status | lower }}",
        "Dear {{ reporter_first_name }},\n\n"
        "Your incident {{ reference }} ({{ title }}) is now {{ status | lower }}."
        "{% if pending_reason %}\n\nWe are waiting for: {{ pending_reason }}.{% endif %}\n\n"
        "{{ organisation }}\n",
    ),
    "resolved": (
        "[{{ reference }}] Resolved: {{ title }}",
        "Dear {{ reporter_first_name }},\n\n"
        "We have resolved your incident {{ reference }} ({{ title }}).\n\n"
        "{{ resolution_code }}: {{ resolution_notes }}\n\n"
        "If it is not fixed, reply within {{ reopen_days }} days quoting {{ reference }} "
        "and we will reopen it.\n\n{{ organisation }}\n",
    ),
    "reply": (
        "[{{ reference }}] {{ title }}",
        "Dear {{ reporter_first_name }},\n\n{{ message }}\n\n"
        "{{ agent }}\n{{ organisation }}\n\nReference: {{ reference }}\n",
    ),
    "merged": (
        "[{{ reference }}] Now followed as {{ merged_into }}",
        "Dear {{ reporter_first_name }},\n\n"
        "Your incident {{ reference }} ({{ title }}) is the same as {{ merged_into }}, "
        "which we are already working on, so we have merged them: {{ reference }} is closed "
        "and everything you told us is on {{ merged_into }}.\n\n"
        "Please quote {{ merged_into }} from now on.\n\n{{ organisation }}\n",
    ),
}
# What a template may use, with an example for the editing page and the syntax check.
VARIABLES = {
    "reference": "INC-000123",
    "title": "Outlook keeps asking for my password",
    "status": "In progress",
    "priority": "P2 High",
    "service": "Email and calendar",
    "reporter_name": "Ana Lima",
    "reporter_first_name": "Ana",
    "organisation": "Acme Council ICT",
    "resolution_due": "2025-03-31 14:30 UTC",
    "pending_reason": "Awaiting the customer",
    "resolution_code": "Fixed",
    "resolution_notes": "Cleared the cached credentials and signed in again.",
    "reopen_days": 7,
    "message": "We have reset your password; please sign in again.",
    "agent": "Alex Agent",
    "merged_into": "INC-000120",
}

_env = BoundedEnvironment(autoescape=False, keep_trailing_newline=True)


NOT_SET = "No SMTP server or sender is set for incidents."
COULD_NOT_SEND = "Could not send: the mail server refused or did not answer"


def public_error(error: str) -> str:
    """Why an email was not sent, for anyone who sees it: no host, port or socket error.

    The stored ``last_error`` keeps the technical detail, which the timelines show
    only to those who may change the mail settings (``settings.plugins``); missing
    settings and an address the email library refuses are told as they are.
    """
    if not error or error == NOT_SET or error.startswith("Not a usable address"):
        return error
    return COULD_NOT_SEND


class SmtpNotSet(Exception):
    """The organisation has no SMTP server or sender address in the plugin's settings."""


# --- Wording -----------------------------------------------------------------------------------


def wording(org: Organisation, kind: str) -> tuple[str, str]:
    """``(subject, body)`` templates of ``kind``: the organisation's own, else the default."""
    own = EmailTemplate.get_or_none((EmailTemplate.org == org) & (EmailTemplate.kind == kind))
    return (str(own.subject), str(own.body)) if own is not None else DEFAULTS[kind]


def template_error(text: str) -> str | None:
    """Why ``text`` is not a usable template, or None."""
    try:
        render(_env, text, VARIABLES)
    except jinja2.TemplateSyntaxError as exc:
        return f"Line {exc.lineno}: {exc.message}"
    except TooCostly as exc:
        return f"This template asks too much of the server: {exc}."
    except Exception as exc:  # the sandbox refuses anything unsafe; say so
        return f"{type(exc).__name__}: {exc}"
    return None


def _render(text: str, values: dict[str, Any]) -> str:
    return render(_env, text, values)


def variables(incident: Incident, reporter: Person | None, message: str = "") -> dict[str, Any]:
    settings = plugin_settings.get(incident.org, PLUGIN)
    service = (
        Service.get_or_none(Service.id == incident.service_id) if incident.service_id else None
    )
    due = incident.resolution_due
    agent = incident.assignee if incident.assignee_id else None
    return {
        "reference": incident.reference,
        "title": incident.title,
        "status": incident.status_label,
        "priority": priority_label(incident.priority),
        "service": str(service.name) if service else "",
        "reporter_name": reporter.full_name if reporter else "",
        "reporter_first_name": str(reporter.first_name) if reporter else "",
        "organisation": str(incident.org.name),
        "resolution_due": local_time(incident.org, due),
        "pending_reason": PENDING_REASONS.get(incident.pending_reason, "")
        if incident.status == "pending"
        else "",
        "resolution_code": RESOLUTION_CODES.get(incident.resolution_code, ""),
        "resolution_notes": incident.resolution_notes,
        "reopen_days": settings.get("reopen_days") or 7,
        "message": message,
        "agent": str(agent.name) if agent else str(incident.org.name),
        "merged_into": _reference_of(incident.merged_into_id),
    }


def _reference_of(incident_id: int | None) -> str:
    found = Incident.get_or_none(Incident.id == incident_id) if incident_id else None
    return str(found.reference) if found else ""


def compose(incident: Incident, kind: str, message: str = "") -> tuple[str, str]:
    """The subject and body of ``kind`` for ``incident``'s reporter."""
    reporter = (
        Person.get_or_none(Person.id == incident.reporter_id) if incident.reporter_id else None
    )
    values = variables(incident, reporter, message)
    subject, body = wording(incident.org, kind)
    try:
        rendered = _render(subject, values), _render(body, values)
    except Exception:  # a template the sandbox refuses today: the default still informs
        log.exception("email template %s of %s failed; using the default", kind, incident.org_id)
        rendered = _render(DEFAULTS[kind][0], values), _render(DEFAULTS[kind][1], values)
    return " ".join(rendered[0].split())[:300], rendered[1]


# --- The outbox --------------------------------------------------------------------------------


def _reporter_address(incident: Incident) -> str | None:
    """Where the reporter's emails go, or None when reporters are not emailed or have no address."""
    if not plugin_settings.get(incident.org, PLUGIN).get("email_reporters", True):
        return None
    reporter = (
        Person.get_or_none(Person.id == incident.reporter_id) if incident.reporter_id else None
    )
    return str(reporter.email) if reporter is not None and reporter.email else None


def _insert(incident: Incident, kind: str, to: str, subject: str, body: str) -> OutboundEmail:
    settings = plugin_settings.get(incident.org, PLUGIN)
    configured = bool(settings.get("smtp_host") and settings.get("smtp_from"))
    row_id = OutboundEmail.insert(
        org=incident.org_id,
        incident=incident.id,
        kind=kind[:20],
        to_address=to,
        subject=" ".join(subject.split())[:300],
        body=body,
        status="pending" if configured else "skipped",
        last_error="" if configured else NOT_SET,
    ).execute()
    return OutboundEmail.get_by_id(row_id)


def queue(incident: Incident, kind: str, message: str = "") -> OutboundEmail | None:
    """Write the reporter's email into the outbox (in the caller's transaction)."""
    to = _reporter_address(incident)
    if to is None:
        return None
    subject, body = compose(incident, kind, message)
    return _insert(incident, kind, to, subject, body)


def queue_to(
    incident: Incident, address: str, subject: str, body: str, *, kind: str
) -> OutboundEmail:
    """Email someone on the staff about ``incident`` (an escalation), through the outbox."""
    return _insert(incident, kind, address, subject, body)


def queue_message(
    incident: Incident, subject: str, body: str, *, kind: str = "message"
) -> OutboundEmail | None:
    """Email ``incident``'s reporter a message another plugin wrote, through the outbox.

    Published for other plugins (a satisfaction survey, a problem's workaround):
    the row is written in the caller's transaction and sent after it commits
    (by the next ``incidents.*`` event's delivery or the worker's retry within a
    minute), over the organisation's SMTP settings for incidents. It appears on
    the incident's timeline as an email. ``kind`` (at most 20 characters) says
    what it is, like ``"survey"``. None when reporters are not emailed
    (the ``email_reporters`` setting) or the reporter has no email address.
    """
    to = _reporter_address(incident)
    if to is None:
        return None
    return _insert(incident, kind, to, subject, body)


def _claim(row: OutboundEmail, now: dt.datetime) -> bool:
    claimed = (
        OutboundEmail.update(
            status="sending", attempts=OutboundEmail.attempts + 1, next_attempt_at=now
        )
        .where((OutboundEmail.id == row.id) & (OutboundEmail.status == "pending"))
        .execute()
    )
    return bool(claimed)


def _finish(row: OutboundEmail, now: dt.datetime, error: str | None) -> None:
    if error is None:
        OutboundEmail.update(status="sent", sent_at=now, last_error="").where(
            OutboundEmail.id == row.id
        ).execute()
        return
    attempts = int(row.attempts) + 1
    if attempts >= MAX_ATTEMPTS:
        values: dict[str, Any] = {"status": "failed"}
    else:
        wait = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
        values = {"status": "pending", "next_attempt_at": now + dt.timedelta(minutes=wait)}
    OutboundEmail.update(last_error=error[:300], **values).where(
        OutboundEmail.id == row.id
    ).execute()


def failing(org: Organisation, now: dt.datetime | None = None) -> bool:
    """Whether an email of ``org`` failed and waits for its retry: the server is in trouble."""
    now = now or utcnow()
    return (
        OutboundEmail.in_org(org)
        .where(
            (OutboundEmail.status == "pending")
            & (OutboundEmail.attempts > 0)
            & (OutboundEmail.next_attempt_at > now)
        )
        .exists()
    )


def deliver(
    org: Organisation, *, now: dt.datetime | None = None, after_change: bool = False
) -> int:
    """Send ``org``'s pending emails that are due; count those sent.

    ``after_change`` (a request, just committed) sends nothing while an earlier
    email waits for its retry, so a server that is down or unreachable does
    not hold up every request; the worker, or a change after the back-off,
    retries. Without a worker, each change thus also retries what is due.
    """
    now = now or utcnow()
    if after_change and failing(org, now):
        return 0
    rows = list(
        OutboundEmail.in_org(org)
        .where((OutboundEmail.status == "pending") & (OutboundEmail.next_attempt_at <= now))
        .order_by(OutboundEmail.id)
        .limit(200)
    )
    claimed = [row for row in rows if _claim(row, now)]
    if not claimed:
        return 0
    settings = plugin_settings.get(org, PLUGIN)
    sent = 0
    try:
        with _connect(settings) as smtp:
            for row in claimed:
                error = _send(smtp, settings, row)
                _finish(row, utcnow(), error)
                sent += error is None
    except (OSError, smtplib.SMTPException, SmtpNotSet) as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.warning("cannot send incidents email for %s: %s", org.slug, error)
        for row in claimed:
            if OutboundEmail.get_by_id(row.id).status == "sending":
                _finish(row, utcnow(), error)
    return sent


def _connect(settings: dict[str, Any]) -> smtplib.SMTP:
    host, port = settings.get("smtp_host"), int(settings.get("smtp_port") or 587)
    if not host or not settings.get("smtp_from"):
        raise SmtpNotSet("no SMTP server or sender is set")
    if refused_at_send(str(host)):
        raise SmtpNotSet(f"{host} is not in the instance's [mail] allowed_smtp_hosts")
    context = ssl.create_default_context()
    if port == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        if settings.get("smtp_starttls"):
            smtp.starttls(context=context)
    if settings.get("smtp_username"):
        smtp.login(settings["smtp_username"], settings.get("smtp_password") or "")
    return smtp


def _send(smtp: smtplib.SMTP, settings: dict[str, Any], row: OutboundEmail) -> str | None:
    message = EmailMessage()
    message["From"] = settings["smtp_from"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=str(settings["smtp_from"]).rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(row.body)
    try:
        smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        return f"refused: {exc.recipients}"
    except smtplib.SMTPResponseException as exc:
        return f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
    return None


def release_stuck(now: dt.datetime | None = None) -> int:
    """Rows left ``sending`` by a process that died: pending again (retried, at least once)."""
    now = now or utcnow()
    return (
        OutboundEmail.update(status="pending")
        .where(
            (OutboundEmail.status == "sending")
            & (OutboundEmail.next_attempt_at < now - STUCK_AFTER)
        )
        .execute()
    )


# --- For other plugins: one message over the organisation's SMTP settings ----------------------


def smtp_ready(org: Organisation) -> bool:
    """Whether ``org``'s incidents settings name an SMTP server and a sender address."""
    settings = plugin_settings.get(org, PLUGIN)
    return bool(settings.get("smtp_host") and settings.get("smtp_from"))


def send_message(
    org: Organisation, to: str, subject: str, body: str, *, reply_to: str = ""
) -> str | None:
    """Send one message a person wrote, now, over ``org``'s incidents SMTP settings.

    Published for plugins that keep their own outbox (complaints' letters to
    complainants, which have no incident): call it after your change commits
    and keep the row pending when it fails. Unlike the reporters' emails it is
    not marked ``Auto-Submitted``: a person wrote it and the answer is wanted.
    Returns None when the server accepted it, else why not, in words.
    """
    settings = plugin_settings.get(org, PLUGIN)
    message = EmailMessage()
    try:
        message["From"] = settings.get("smtp_from") or ""
        message["To"] = to
        message["Subject"] = " ".join(subject.split())
        if reply_to:
            message["Reply-To"] = reply_to
    except (ValueError, TypeError) as exc:  # an address the email library refuses
        return f"Not a usable address: {exc}"
    message["Date"] = formatdate(localtime=False)
    sender_domain = str(settings.get("smtp_from") or "").rpartition("@")[2]
    message["Message-ID"] = make_msgid(domain=sender_domain or None)
    message.set_content(body)
    try:
        with _connect(settings) as smtp:
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        return f"refused: {exc.recipients}"
    except smtplib.SMTPResponseException as exc:
        return f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
    except (OSError, smtplib.SMTPException, SmtpNotSet) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None
