"""Announcements: notices to staff, each shown from ``starts_at`` until ``ends_at``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import peewee
from accord import Organisation, TenantModel, User
from peewee import CharField, DateTimeField, ForeignKeyField, TextField

# Outages first: the order a reader needs them in.
SEVERITIES = {"outage": "Outage", "maintenance": "Planned maintenance", "info": "Information"}


def utcnow() -> datetime:
    """Naive UTC, as Accord stores every timestamp."""
    return datetime.now(UTC).replace(tzinfo=None)


class Announcement(TenantModel):
    title = CharField(max_length=200)
    body = TextField(default="")
    severity = CharField(max_length=20, choices=list(SEVERITIES.items()), default="info")
    starts_at = DateTimeField(default=utcnow)
    ends_at = DateTimeField(null=True)  # None: shown until someone deletes it
    # backref="+": a plugin adds no attribute to the core's User.
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "announcements_announcement"
        indexes = ((("org", "starts_at"), False),)

    def __str__(self) -> str:
        return str(self.title)

    @classmethod
    def current(cls, org: Organisation, now: datetime | None = None) -> peewee.ModelSelect:
        """The organisation's announcements on show at ``now``, most severe first."""
        now = now or utcnow()
        return (
            cls.in_org(org)
            .where((cls.starts_at <= now) & (cls.ends_at.is_null() | (cls.ends_at > now)))
            .order_by(_severity_rank(cls.severity), cls.starts_at.desc())
        )

    def status(self, now: datetime | None = None) -> str:
        """``"upcoming"``, ``"current"`` or ``"ended"``."""
        now = now or utcnow()
        if self.starts_at > now:
            return "upcoming"
        if self.ends_at is not None and self.ends_at <= now:
            return "ended"
        return "current"

    @property
    def severity_label(self) -> str:
        return SEVERITIES.get(str(self.severity), str(self.severity))


def _severity_rank(field: Any) -> peewee.Case:
    return peewee.Case(
        field, [(name, rank) for rank, name in enumerate(SEVERITIES)], len(SEVERITIES)
    )
