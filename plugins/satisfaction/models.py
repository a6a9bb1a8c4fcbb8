"""Satisfaction's records: one survey per resolution of an incident, and recovery tasks.

A survey snapshots the incident's service, team and agent when it is
resolved, and its answer's month, so results are grouped on one table by
indexed columns however the incident changes later.
"""

from __future__ import annotations

from typing import Any

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from accord import TenantModel, User, VersionedModel, audit, utcnow
from accord.plugins.contacts.models import Person
from accord.plugins.incidents.models import Incident

STATUSES = {
    "pending": "Waiting to be sent",
    "sent": "Sent, no answer yet",
    "answered": "Answered",
    "skipped": "Not sent",
    "cancelled": "Cancelled",
}


class Survey(TenantModel):
    incident = ForeignKeyField(Incident, on_delete="CASCADE", backref="+", index=False)
    person = ForeignKeyField(Person, null=True, on_delete="SET NULL", backref="+", index=False)
    service_id = IntegerField(null=True)
    team_id = IntegerField(null=True)
    agent = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    status = CharField(max_length=10, default="pending")
    nonce = audit.secret(CharField(max_length=32))  # half of the survey link's secret
    created_at = DateTimeField(default=utcnow)
    send_after = DateTimeField()
    sent_at = DateTimeField(null=True)
    expires_at = DateTimeField(null=True)
    email_id = IntegerField(null=True)
    reason = CharField(max_length=300, default="")  # why it was skipped or cancelled
    score = IntegerField(null=True)
    comment = TextField(default="")
    not_resolved = BooleanField(default=False)
    reopened = BooleanField(default=False)
    answered_at = DateTimeField(null=True)
    month = CharField(max_length=7, default="")  # "2025-03", of the answer
    follow_up = CharField(max_length=200, default="")

    class Meta:
        table_name = "satisfaction_survey"
        indexes = (
            (("status", "send_after"), False),
            (("org", "incident"), False),
            (("org", "answered_at"), False),
        )

    def __str__(self) -> str:
        return f"survey of {self.incident.reference}"

    @property
    def status_label(self) -> str:
        return STATUSES.get(str(self.status), str(self.status))


class RecoveryTask(VersionedModel):
    """A low score for a team lead to follow up: call the reporter, put it right."""

    survey = ForeignKeyField(Survey, on_delete="CASCADE", backref="+")
    incident = ForeignKeyField(Incident, on_delete="CASCADE", backref="+", index=False)
    assignee = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    status = CharField(max_length=10, default="open")
    note = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    done_at = DateTimeField(null=True)

    class Meta:
        table_name = "satisfaction_recovery_task"
        indexes = ((("org", "status", "created_at"), False), (("org", "assignee", "status"), False))

    def __str__(self) -> str:
        return f"recovery after {self.incident.reference}"


MODELS: list[type[Any]] = [Survey, RecoveryTask]
