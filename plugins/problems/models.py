"""Problems' records: problems, the incidents linked to them, their timeline, detector proposals.

A known error is a problem in the ``known_error`` status: the known-error
database is a view of this one table, so a problem never exists twice.
"""

from __future__ import annotations

from typing import Any

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from accord import JSONField, TenantModel, User, VersionedModel, utcnow
from accord.plugins.catalogue.models import Service
from accord.plugins.incidents.choices import CATEGORIES
from accord.plugins.incidents.models import Incident

from .choices import (
    OPEN,
    PRIORITIES,
    PRIORITY_BADGES,
    PROPOSAL_STATUSES,
    STATUS_BADGES,
    STATUSES,
)

REFERENCE_PREFIX = "PRB"


def format_reference(number: int) -> str:
    return f"{REFERENCE_PREFIX}-{number:04d}"


class Counter(TenantModel):
    """The last problem number given out in an organisation."""

    value = IntegerField(default=0)

    class Meta:
        table_name = "problems_counter"
        indexes = ((("org",), True),)


class Problem(VersionedModel):
    number = IntegerField()
    reference = CharField(max_length=20)
    title = CharField(max_length=200)
    service = ForeignKeyField(Service, null=True, on_delete="SET NULL", backref="+", index=False)
    category = CharField(max_length=30, default="other")
    priority = IntegerField(default=3)
    status = CharField(max_length=20, default="new")
    symptoms = TextField(default="")
    root_cause = TextField(default="")
    workaround = TextField(default="")
    fix_change = CharField(max_length=100, default="")  # the change's reference, like CHG-1042
    fix_description = TextField(default="")
    owner = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    known_error_at = DateTimeField(null=True)
    resolved_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)

    class Meta:
        table_name = "problems_problem"
        indexes = (
            (("org", "number"), True),
            (("org", "status", "number"), False),
            (("org", "status", "known_error_at"), False),
            (("org", "service", "status"), False),
            (("org", "updated_at"), False),
        )

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def status_label(self) -> str:
        return STATUSES.get(str(self.status), str(self.status))

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(str(self.status), "badge-muted")

    @property
    def priority_label(self) -> str:
        return PRIORITIES.get(int(self.priority), f"P{self.priority}")

    @property
    def priority_badge(self) -> str:
        return PRIORITY_BADGES.get(int(self.priority), "badge-muted")

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(str(self.category), str(self.category))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class ProblemIncident(TenantModel):
    """An incident caused by a problem."""

    problem = ForeignKeyField(Problem, on_delete="CASCADE", backref="+", index=False)
    incident = ForeignKeyField(Incident, on_delete="CASCADE", backref="+", index=False)
    linked_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    linked_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "problems_problem_incident"
        indexes = ((("problem", "incident"), True), (("org", "incident"), False))


class ProblemEvent(TenantModel):
    """One entry on a problem's timeline besides its field changes (which the audit log has)."""

    problem = ForeignKeyField(Problem, on_delete="CASCADE", backref="+", index=False)
    at = DateTimeField(default=utcnow)
    kind = CharField(max_length=20)
    author_label = CharField(max_length=200, default="")
    body = TextField(default="")

    class Meta:
        table_name = "problems_event"
        indexes = ((("problem", "at"), False),)


class Proposal(TenantModel):
    """A group of similar recent incidents the detector thinks share a cause.

    ``incident_key`` is the sorted incident ids joined by commas: the same
    group found again is the same proposal, and a dismissed group is not
    proposed again unless a new incident joins it.
    """

    service = ForeignKeyField(Service, null=True, on_delete="SET NULL", backref="+", index=False)
    category = CharField(max_length=30, default="other")
    title = CharField(max_length=200)
    incident_ids = JSONField(default=list)
    incident_key = TextField()
    # SHA-256 of incident_key: unique among undecided proposals (migration 0002).
    incident_digest = CharField(max_length=64, default="")
    similarity = IntegerField(default=0)
    status = CharField(max_length=12, default="proposed")
    created_at = DateTimeField(default=utcnow)
    decided_at = DateTimeField(null=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    problem = ForeignKeyField(Problem, null=True, on_delete="SET NULL", backref="+", index=False)

    class Meta:
        table_name = "problems_proposal"
        indexes = ((("org", "status", "created_at"), False),)

    def __str__(self) -> str:
        return f"{len(self.incident_ids)} incidents: {self.title}"

    @property
    def status_label(self) -> str:
        return PROPOSAL_STATUSES.get(str(self.status), str(self.status))

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(str(self.category), str(self.category))


MODELS: list[type[Any]] = [Counter, Problem, ProblemIncident, ProblemEvent, Proposal]
