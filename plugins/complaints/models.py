"""Complaints' records: the complaint and the organisation's reference counter.

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
    OPEN,
    SEVERITIES,
    SEVERITY_BADGES,
    STATUS_BADGES,
    STATUSES,
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


MODELS: list[type[Any]] = [Counter, Complaint]
