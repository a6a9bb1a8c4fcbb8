"""System email: messages from the instance itself (invitations, password resets) over SMTP.

The SMTP server is the instance's, from ``[mail]`` (or ``ACCORD_SMTP_*`` /
``ACCORD_SMTP_URL``), not an organisation's: a password reset is asked for
before any organisation is chosen. A page calls ``send_system_email``; the
message goes to the job queue and is sent by a worker once the page's
transaction has committed, so a request that rolls back sends nothing.

When no server is configured nothing is queued and ``send_system_email``
returns False: the page must then say so, never claim the email was sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from huey import Huey
from starlette.requests import Request

from .settings import ConfigError, Settings

log = logging.getLogger("accord.mail")

TASK = "accord.send_system_email"
TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class MailServer:
    """Where system email goes: ``[mail]`` with ``url`` filled in over the single keys."""

    host: str = ""
    port: int = 587
    sender: str = ""
    username: str = ""
    password: str = ""
    starttls: bool = True
    # Implicit TLS from the first byte (smtps://, usually port 465).
    tls: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    @classmethod
    def from_settings(cls, settings: Settings) -> MailServer:
        mail = settings.section("mail")
        server = cls(
            host=str(mail.get("host") or ""),
            port=int(mail.get("port") or 587),
            sender=str(mail.get("from") or ""),
            username=str(mail.get("username") or ""),
            password=str(mail.get("password") or ""),
            starttls=bool(mail.get("starttls", True)),
        )
        url = str(mail.get("url") or "")
        return _from_url(url, server) if url else server


def _from_url(url: str, base: MailServer) -> MailServer:
    """``smtp://user:password@host:587?from=desk@example.org&starttls=false`` over ``base``."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ConfigError(f"the SMTP URL must start smtp:// or smtps://, not {parts.scheme}://")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    tls = parts.scheme == "smtps"
    starttls = query.get("starttls", "true" if base.starttls else "false").lower()
    return MailServer(
        host=parts.hostname or base.host,
        port=parts.port or (465 if tls else base.port),
        sender=query.get("from", base.sender),
        username=unquote(parts.username) if parts.username else base.username,
        password=unquote(parts.password) if parts.password else base.password,
        starttls=not tls and starttls in ("1", "true", "yes", "on"),
        tls=tls,
    )


def configured(settings: Settings) -> bool:
    """Whether this instance can send email (an SMTP host and a sender address are set)."""
    return MailServer.from_settings(settings).configured


def _message(server: MailServer, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = server.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=server.sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to these
    message.set_content(body)
    return message


def deliver(server: MailServer, to: str, subject: str, body: str) -> None:
    """Send one message now, over SMTP; raises ``OSError``/``SMTPException`` when it cannot."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.tls:
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    with smtp:
        if server.starttls and not server.tls:
            smtp.starttls(context=context)
        if server.username:
            smtp.login(server.username, server.password)
        smtp.send_message(_message(server, to, subject, body))


def register_task(queue: Huey, settings: Settings) -> None:
    """Declare the task that sends system email on ``queue`` (``jobs.make_queue`` calls it)."""

    # Retried: an SMTP server that is down for a minute must not lose a password reset.
    @queue.task(name=TASK, retries=5, retry_delay=60)
    def send(to: str, subject: str, body: str) -> None:
        server = MailServer.from_settings(settings)
        if not server.configured:
            log.warning("system email to %s dropped: mail is no longer configured", to)
            return
        deliver(server, to, subject, body)
        # Never the body: it holds one-time links.
        log.info("system email sent to %s: %s", to, subject)


def send_system_email(request: Request, to: str, subject: str, body: str) -> bool:
    """Queue a plain-text email from the instance to ``to``; False when mail is not configured.

    The message leaves after the request's transaction commits (and never if it
    rolls back). On False nothing was queued: tell the person so, and hand over
    what the email would have carried some other way.
    """
    from . import jobs

    state = request.app.state.accord
    if not configured(state.settings):
        return False
    jobs.enqueue(state.queue, TASK, to, subject, body)
    return True


def summary(settings: Settings) -> str:
    """One line for ``accord check``: where system email goes, or that it is off."""
    server = MailServer.from_settings(settings)
    if not server.configured:
        return (
            "not configured: invitations and password resets show their link to an admin "
            "instead (set [mail] host and from, or ACCORD_SMTP_URL)"
        )
    security = "TLS" if server.tls else "STARTTLS" if server.starttls else "no TLS"
    return f"{server.host}:{server.port} ({security}) from {server.sender}"
