"""Correspondence with the complainant: emails sent from a complaint, and messages recorded.

An email is written as a ``Correspondence`` row (``delivery`` pending) in the
transaction of the page that sends it, so it exists exactly when that
committed: the outbox pattern of incidents, with the same SMTP settings
(``incidents.mail.send_message``), since a complaint has no incident to carry
it. After the commit, the ``complaints.email_queued`` event queues
``complaints.deliver_emails`` and the worker sends it at once (never the
request); what fails waits for ``complaints.send_due_emails`` (``accord
worker``, each minute) with back-off. Each send first claims its row (``pending`` →
``sending`` in one UPDATE), so a request and the worker never both send it.

Consent: a reply to a complaint is a service message about the person's own
case, so it asks contacts' ``may_contact`` for the essential
``service_notices`` purpose (quiet hours and caps do not hold it back; an
opt-out, a switched-off channel or no address do) and records the contact.

A message to the complainant may do a workflow step: acknowledge the
complaint, or be its response; the step is moved with the message's time and
the timeline says which message did it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from accord import Organisation, User, database, emit, jobs, utcnow
from accord.jobs import enqueue
from accord.models import PluginEnablement

from . import workflow
from .models import Complaint, Correspondence

log = logging.getLogger("accord.plugins.complaints")

PURPOSE = "service_notices"
MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
STUCK_AFTER = dt.timedelta(minutes=15)
# The workflow move each step makes.
STEP_MOVES = {"acknowledge": "acknowledge", "respond": "respond"}


def steps_for(complaint: Complaint) -> list[str]:
    """The steps a message to the complainant can do now, given the complaint's status."""
    return [step for step in STEP_MOVES if step in workflow.moves_from(str(complaint.status))]


def _do_step(
    complaint: Complaint,
    version: Any,
    step: str,
    text: str,
    at: dt.datetime,
    user: User | None,
    quiet: bool = False,
) -> None:
    """Move the complaint by ``step``; raises ``NotAllowed`` or ``StaleEdit`` before any write."""
    if not step:
        return
    if step not in steps_for(complaint):
        raise workflow.NotAllowed(workflow.refusal(complaint, STEP_MOVES[step]))
    values = {"response": text} if step == "respond" else {}
    workflow.move(
        complaint, version, STEP_MOVES[step], user=user, values=values, now=at, quiet=quiet
    )


def record(
    complaint: Complaint,
    values: dict[str, Any],
    *,
    version: Any,
    user: User | None,
    quiet: bool = False,
) -> Correspondence:
    """Record correspondence that happened elsewhere (a letter, a call, an email received).

    ``quiet`` (demo data, imports): the step's move announces no event.
    """
    step = values.get("step") or ""
    if step and values["direction"] != "out":
        raise workflow.NotAllowed(
            "Only a message to the complainant can acknowledge or answer the complaint."
        )
    at = values.get("occurred_at") or utcnow()
    _do_step(complaint, version, step, values["summary"], at, user, quiet)
    return Correspondence.create(
        org=complaint.org_id,
        complaint=complaint.id,
        direction=values["direction"],
        channel=values["channel"],
        occurred_at=at,
        subject=values.get("subject") or "",
        summary=values["summary"],
        step=step,
        recorded_by=user,
    )


def cannot_email(org: Organisation, enabled: set[str] | frozenset[str], person: Any) -> str:
    """Why the complainant cannot be emailed from Accord now, in words; "" when they can."""
    if "incidents" not in enabled:
        return (
            "Emails go out through the service desk's mail settings, "
            "and the Incidents plugin is off in this organisation."
        )
    from accord.plugins.incidents.mail import smtp_ready  # incidents is optional

    if not smtp_ready(org):
        return "No mail server is set: an administrator sets it in Settings › Plugins › Incidents."
    if person is None:
        return "This complaint has no complainant in contacts to write to."
    from accord.plugins.contacts.consent import may_contact

    decision = may_contact(person, channel="email", purpose=PURPOSE)
    return "" if decision else decision.reason


def queue_email(
    complaint: Complaint,
    person: Any,
    subject: str,
    body: str,
    *,
    step: str = "",
    version: Any,
    user: User | None,
) -> Correspondence:
    """Write the email to ``person`` into the outbox and do its step; sent once this commits."""
    from accord.plugins.contacts.consent import record_contact

    now = utcnow()
    _do_step(complaint, version, step, body, now, user)
    message = Correspondence.create(
        org=complaint.org_id,
        complaint=complaint.id,
        direction="out",
        channel="email",
        occurred_at=now,
        subject=" ".join(subject.split())[:300],
        summary=body,
        address=str(person.email),
        step=step,
        recorded_by=user,
        delivery="pending",
        next_attempt_at=now,
    )
    record_contact(person, channel="email", purpose=PURPOSE, source="complaints", at=now)
    emit(
        complaint.org,
        "complaints.email_queued",
        {"complaint_id": complaint.id, "reference": complaint.reference, "message_id": message.id},
    )
    return message


# --- Delivery ----------------------------------------------------------------------------------


def _claim(row: Correspondence, now: dt.datetime) -> bool:
    claimed = (
        Correspondence.update(
            delivery="sending", attempts=Correspondence.attempts + 1, next_attempt_at=now
        )
        .where((Correspondence.id == row.id) & (Correspondence.delivery == "pending"))
        .execute()
    )
    return bool(claimed)


def _finish(row: Correspondence, now: dt.datetime, error: str | None) -> None:
    if error is None:
        Correspondence.update(delivery="sent", sent_at=now, last_error="").where(
            Correspondence.id == row.id
        ).execute()
        return
    attempts = int(row.attempts) + 1
    if attempts >= MAX_ATTEMPTS:
        values: dict[str, Any] = {"delivery": "failed"}
    else:
        wait = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
        values = {"delivery": "pending", "next_attempt_at": now + dt.timedelta(minutes=wait)}
    Correspondence.update(last_error=error[:300], **values).where(
        Correspondence.id == row.id
    ).execute()


def failing(org: Organisation, now: dt.datetime) -> bool:
    """Whether an email of ``org`` failed and waits for its retry: the server is in trouble."""
    return (
        Correspondence.in_org(org)
        .where(
            (Correspondence.delivery == "pending")
            & (Correspondence.attempts > 0)
            & (Correspondence.next_attempt_at > now)
        )
        .exists()
    )


def deliver(
    org: Organisation, *, now: dt.datetime | None = None, after_change: bool = False
) -> int:
    """Send ``org``'s emails to complainants that are due; count those sent.

    ``after_change`` (a request, just committed) sends nothing while an earlier
    email waits for its retry, so a mail server that is down does not hold up
    every page that writes to a complainant; the worker retries.
    """
    from accord.plugins.incidents.mail import send_message

    now = now or utcnow()
    if after_change and failing(org, now):
        return 0
    rows = list(
        Correspondence.in_org(org)
        .where((Correspondence.delivery == "pending") & (Correspondence.next_attempt_at <= now))
        .order_by(Correspondence.id)
        .limit(100)
    )
    sent = 0
    for row in rows:
        if not _claim(row, now):
            continue  # another process has it
        error = send_message(org, str(row.address), str(row.subject), str(row.summary))
        if error:
            log.warning("cannot send complaints email %s of %s: %s", row.id, org.slug, error)
        _finish(row, utcnow(), error)
        sent += error is None
    return sent


def release_stuck(now: dt.datetime | None = None) -> int:
    """Rows left ``sending`` by a process that died: pending again (retried, at least once)."""
    now = now or utcnow()
    return (
        Correspondence.update(delivery="pending")
        .where(
            (Correspondence.delivery == "sending")
            & (Correspondence.next_attempt_at < now - STUCK_AFTER)
        )
        .execute()
    )


DELIVER_TASK = "complaints.deliver_emails"
# The instance's job queue, given to ``register_tasks`` when it is made: an event
# handler has no request to find it on.
_queue: Any = None


def bind_queue(queue: Any) -> None:
    global _queue
    _queue = queue


def queue_delivery(org: Organisation) -> None:
    """Have the worker send ``org``'s due emails now: no SMTP connection in a request."""
    if _queue is not None:
        enqueue(_queue, DELIVER_TASK, org.id)


def deliver_emails(org_id: int) -> int:
    """Send one organisation's due emails (queued after one was written); count those sent."""
    with jobs.connected():
        org = Organisation.get_or_none(Organisation.id == org_id)
        return deliver(org, after_change=True) if org is not None else 0


def send_due_emails() -> int:
    """Retry every organisation's due emails to complainants; the worker runs it each minute."""
    sent = 0
    with database.connection_context():
        release_stuck()
        waiting = Correspondence.select(Correspondence.org).where(
            Correspondence.delivery == "pending"
        )
        orgs = (
            Organisation.select()
            .join(PluginEnablement, on=(PluginEnablement.org == Organisation.id))
            .where(
                (PluginEnablement.plugin == "incidents")
                & PluginEnablement.enabled
                & Organisation.id.in_(waiting)
            )
            .order_by(Organisation.id)
        )
        for org in orgs:
            try:
                sent += deliver(org)
            except Exception:  # one organisation's trouble must not stop the others'
                log.exception("delivering complaints email for %s failed", org.slug)
    return sent
