"""Complaints' records: the complaint, its notes, files and correspondence, and the counter.

The service and the related incident are kept as plain ids: catalogue and
incidents are optional for complaints, so their tables may not exist when
these are created and a complaint outlives a deleted incident.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from accord import TenantModel, User, VersionedModel, utcnow
from accord.plugins.contacts.models import CustomerOrganisation, Person

from .choices import (
    CAUSES,
    CHANNELS,
    DELIVERY,
    DIRECTIONS,
    LETTER_CHANNELS,
    OPEN,
    SEVERITIES,
    SEVERITY_BADGES,
    STATUS_BADGES,
    STATUSES,
    STEPS,
)

REFERENCE_PREFIX = "CMP"


def format_reference(number: int) -> str:
    return f"{REFERENCE_PREFIX}-{number:04d}"


class Counter(TenantModel):
    """The last complaint number given out in an organisation."""

    value = IntegerField(default=0)

    class Meta:
        table_name = "complaints_counter"
        indexes = ((("org",), True),)


class Complaint(VersionedModel):
    number = IntegerField()
    reference = CharField(max_length=20)
    person = ForeignKeyField(Person, null=True, on_delete="SET NULL", backref="+", index=False)
    customer = ForeignKeyField(
        CustomerOrganisation, null=True, on_delete="SET NULL", backref="+", index=False
    )
    service_id = IntegerField(null=True, verbose_name="Service")
    incident_id = IntegerField(null=True, verbose_name="Incident")
    # ``choices`` name each value as the forms do, for the audit log and the timeline.
    cause = CharField(max_length=30, default="other", choices=list(CAUSES.items()))
    channel = CharField(max_length=20, default="email", choices=list(CHANNELS.items()))
    severity = CharField(max_length=10, default="medium", choices=list(SEVERITIES.items()))
    description = TextField(default="")
    source = CharField(max_length=50, default="staff")
    owner = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    status = CharField(max_length=20, default="received", choices=list(STATUSES.items()))
    received_at = DateTimeField(default=utcnow)
    acknowledge_due = DateTimeField(verbose_name="Acknowledge by")
    acknowledged_at = DateTimeField(null=True)
    response = TextField(default="")
    responded_at = DateTimeField(null=True)
    lesson = TextField(default="")
    improvement = TextField(default="")
    closed_at = DateTimeField(null=True)
    logged_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)

    class Meta:
        table_name = "complaints_complaint"
        indexes = (
            (("org", "number"), True),
            (("org", "status", "acknowledge_due"), False),
            (("org", "received_at"), False),
            (("org", "service_id", "cause"), False),
            (("org", "person"), False),
            (("org", "customer"), False),
            (("org", "incident_id"), False),
        )

    def __str__(self) -> str:
        return f"{self.reference} {self.summary}"

    @property
    def summary(self) -> str:
        first = (str(self.description).strip().splitlines() or [""])[0]
        return first[:80] + ("…" if len(first) > 80 else "")

    @property
    def status_label(self) -> str:
        return STATUSES.get(str(self.status), str(self.status))

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(str(self.status), "badge-muted")

    @property
    def cause_label(self) -> str:
        return CAUSES.get(str(self.cause), str(self.cause))

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(str(self.channel), str(self.channel))

    @property
    def severity_label(self) -> str:
        return SEVERITIES.get(str(self.severity), str(self.severity))

    @property
    def severity_badge(self) -> str:
        return SEVERITY_BADGES.get(str(self.severity), "badge-muted")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def acknowledgement(self, now: dt.datetime | None = None) -> str:
        """``overdue``, ``late``, ``on_time`` or ``waiting`` (see ``choices.ACKNOWLEDGEMENT``)."""
        if self.acknowledged_at is not None:
            return "late" if self.acknowledged_at > self.acknowledge_due else "on_time"
        return "overdue" if (now or utcnow()) > self.acknowledge_due else "waiting"


class Note(TenantModel):
    """Staff's internal note on a complaint: never sent to the complainant."""

    complaint = ForeignKeyField(Complaint, on_delete="CASCADE", backref="+", index=False)
    body = TextField()
    author = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "complaints_note"
        indexes = ((("complaint", "created_at"), False),)

    def __str__(self) -> str:
        return f"note on complaint {self.complaint_id}"


class Attachment(TenantModel):
    """A file kept with a complaint (by the core's file store).

    Deleting one removes its file and keeps this row, marked ``deleted_at``, so
    the timeline still says which file was there and who deleted it.
    """

    complaint = ForeignKeyField(Complaint, on_delete="CASCADE", backref="+", index=False)
    filename = CharField(max_length=200)
    content_type = CharField(max_length=100)
    size = IntegerField()
    stored_name = CharField(max_length=80)
    sha256 = CharField(max_length=64)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    uploaded_at = DateTimeField(default=utcnow)
    deleted_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    deleted_at = DateTimeField(null=True)

    class Meta:
        table_name = "complaints_attachment"
        indexes = ((("complaint", "uploaded_at"), False),)

    def __str__(self) -> str:
        return str(self.filename)

    @property
    def size_label(self) -> str:
        size = int(self.size)
        if size < 1024:
            return f"{size} bytes"
        if size < 1024 * 1024:
            return f"{size / 1024:.0f} KB"
        return f"{size / (1024 * 1024):.1f} MB"


class Correspondence(TenantModel):
    """A message to or from the complainant: an email sent from Accord, or one recorded.

    An email sent from Accord is its own outbox row: ``delivery`` goes
    ``pending`` → ``sending`` → ``sent`` (or ``failed`` after the retries);
    recorded correspondence has no delivery. ``step`` names the workflow step
    the message did (``acknowledge``, ``respond``), if any.
    """

    complaint = ForeignKeyField(Complaint, on_delete="CASCADE", backref="+", index=False)
    direction = CharField(max_length=3, choices=list(DIRECTIONS.items()))
    channel = CharField(max_length=20, choices=list(LETTER_CHANNELS.items()))
    occurred_at = DateTimeField(default=utcnow, verbose_name="When")
    subject = CharField(max_length=300, default="")
    summary = TextField(default="")
    address = CharField(max_length=254, default="")
    step = CharField(max_length=20, default="", choices=list(STEPS.items()))
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    delivery = CharField(max_length=10, default="", choices=list(DELIVERY.items()))
    attempts = IntegerField(default=0)
    last_error = CharField(max_length=300, default="")
    next_attempt_at = DateTimeField(null=True)
    sent_at = DateTimeField(null=True)

    class Meta:
        table_name = "complaints_correspondence"
        indexes = (
            (("complaint", "occurred_at"), False),
            (("delivery", "next_attempt_at"), False),
        )

    def __str__(self) -> str:
        return f"{self.label.lower()} on complaint {self.complaint_id}"

    @property
    def label(self) -> str:
        """``Letter sent``, ``Phone call received``, ``Email sent`` …"""
        what = LETTER_CHANNELS.get(str(self.channel), str(self.channel))
        return f"{what} {'sent' if self.direction == 'out' else 'received'}"


MODELS: list[type[Any]] = [Counter, Complaint, Note, Attachment, Correspondence]
