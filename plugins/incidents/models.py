"""Incidents' records: teams, the priority matrix, incidents, their timeline, clock and mail.

Queues read one table: an incident carries its next SLA deadline (``due_at``,
``warn_at``: the response clock's until someone responds, then the
resolution clock's; NULL while no clock runs), so "breaching soon" and every
queue's sort by due time is an index range scan at a million incidents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from accord import JSONField, TenantModel, User, VersionedModel, utcnow
from accord.plugins.catalogue.models import Service
from accord.plugins.contacts.models import CustomerOrganisation, Person

from .choices import (
    CATEGORIES,
    CHANNELS,
    DONE,
    OPEN,
    PENDING_REASONS,
    PRIORITY_BADGES,
    RESOLUTION_CODES,
    SLA_BADGES,
    SLA_STATES,
    STATUS_BADGES,
    STATUSES,
    TIERS,
    priority_label,
)

REFERENCE_PREFIX = "INC"


def format_reference(number: int) -> str:
    return f"{REFERENCE_PREFIX}-{number:06d}"


class Team(VersionedModel):
    """A resolver group: the service desk (tier 1), specialists (2), suppliers (3)."""

    name = CharField(max_length=100)
    tier = IntegerField(default=1)
    lead = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    description = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "incidents_team"
        indexes = ((("org", "name"), True),)

    def __str__(self) -> str:
        return str(self.name)

    @property
    def tier_label(self) -> str:
        return TIERS.get(int(self.tier), f"Tier {self.tier}")


class TeamMember(TenantModel):
    team = ForeignKeyField(Team, on_delete="CASCADE", backref="members")
    user = ForeignKeyField(User, on_delete="CASCADE", backref="+")

    class Meta:
        table_name = "incidents_team_member"
        indexes = ((("team", "user"), True), (("org", "user"), False))

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id}"


class PriorityCell(TenantModel):
    """One cell of the organisation's impact × urgency matrix (absent: the default)."""

    impact = IntegerField()
    urgency = IntegerField()
    priority = IntegerField()

    class Meta:
        table_name = "incidents_priority_cell"
        indexes = ((("org", "impact", "urgency"), True),)

    def __str__(self) -> str:
        return f"impact {self.impact} × urgency {self.urgency} = P{self.priority}"


class Counter(TenantModel):
    """The last reference number given out in an organisation."""

    value = IntegerField(default=0)

    class Meta:
        table_name = "incidents_counter"
        indexes = ((("org",), True),)


class Incident(VersionedModel):
    number = IntegerField()
    reference = CharField(max_length=20)
    title = CharField(max_length=200)
    description = TextField(default="")
    reporter = ForeignKeyField(Person, null=True, on_delete="SET NULL", backref="+", index=False)
    customer = ForeignKeyField(CustomerOrganisation, null=True, on_delete="SET NULL", backref="+")
    service = ForeignKeyField(Service, null=True, on_delete="SET NULL", backref="+", index=False)
    category = CharField(max_length=30, default="other")
    channel = CharField(max_length=20, default="phone")
    impact = IntegerField(default=3)
    urgency = IntegerField(default=3)
    priority = IntegerField(default=3)
    status = CharField(max_length=20, default="new")
    pending_reason = CharField(max_length=20, default="")
    pending_note = CharField(max_length=300, default="")
    team = ForeignKeyField(Team, null=True, on_delete="SET NULL", backref="+", index=False)
    assignee = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    logged_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    # The response is the moment the organisation's rule counts (``response.py``): the
    # first public reply, the start of work, or whichever came first; ``response_via``
    # says which ("reply", "start", "resolution").
    responded_at = DateTimeField(null=True)
    response_via = CharField(max_length=20, default="")
    first_reply_at = DateTimeField(null=True)
    work_started_at = DateTimeField(null=True)
    resolved_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    # SLA: each clock's due and warning instants (NULL while paused or without a target),
    # whether it was overdue when last computed, and the next deadline for queues.
    response_due = DateTimeField(null=True)
    response_warn_at = DateTimeField(null=True)
    response_breached = BooleanField(default=False)
    resolution_due = DateTimeField(null=True)
    resolution_warn_at = DateTimeField(null=True)
    resolution_breached = BooleanField(default=False)
    resolution_remaining_minutes = IntegerField(null=True)  # while paused
    has_target = BooleanField(default=False)
    due_at = DateTimeField(null=True)
    warn_at = DateTimeField(null=True)
    sla_computed_at = DateTimeField(null=True)
    resolution_code = CharField(max_length=30, default="")
    resolution_notes = TextField(default="")
    reopen_count = IntegerField(default=0)
    # A major incident gathers its children (the same failure reported by many);
    # a duplicate merged into another points at the survivor.
    is_major = BooleanField(default=False)
    parent = ForeignKeyField("self", null=True, on_delete="SET NULL", backref="+", index=False)
    merged_into = ForeignKeyField("self", null=True, on_delete="SET NULL", backref="+", index=False)
    escalated_at = DateTimeField(null=True)  # last escalated to a higher tier
    alert_at = DateTimeField(null=True)  # the next SLA alert the escalation task owes

    class Meta:
        table_name = "incidents_incident"
        indexes = (
            (("parent", "status"), False),
            (("merged_into",), False),
            (("org", "is_major", "status"), False),
            (("org", "number"), True),
            (("org", "status", "priority", "due_at"), False),
            (("org", "assignee", "status"), False),
            (("org", "team", "status"), False),
            (("org", "created_at"), False),
            (("org", "due_at"), False),
            (("org", "service", "status"), False),
            (("reporter", "created_at"), False),
        )

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    # Words ---------------------------------------------------------------------------------

    @property
    def status_label(self) -> str:
        return STATUSES.get(str(self.status), str(self.status))

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(str(self.status), "badge-muted")

    @property
    def priority_label(self) -> str:
        return priority_label(self.priority)

    @property
    def priority_badge(self) -> str:
        return PRIORITY_BADGES.get(int(self.priority), "badge-muted")

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(str(self.channel), str(self.channel))

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(str(self.category), str(self.category))

    @property
    def pending_label(self) -> str:
        label = PENDING_REASONS.get(str(self.pending_reason), str(self.pending_reason))
        return f"{label}: {self.pending_note}" if self.pending_note else label

    @property
    def resolution_label(self) -> str:
        return RESOLUTION_CODES.get(str(self.resolution_code), str(self.resolution_code))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_done(self) -> bool:
        return self.status in DONE

    # SLA ------------------------------------------------------------------------------------

    def sla_state(self, now: dt.datetime | None = None) -> str:
        """The state of the clock that matters now, from the stored due times (no recompute)."""
        now = now or utcnow()
        if not self.has_target:
            return "none"
        if self.status in DONE:
            return "breached" if self.resolution_breached or self.response_breached else "met"
        if self.resolution_breached or self.response_breached:
            return "breached"
        if self.status == "pending":
            return "paused"
        if self.due_at is not None and now > self.due_at:
            return "breached"
        if self.warn_at is not None and now >= self.warn_at:
            return "at_risk"
        return "on_track"

    def sla_label(self, now: dt.datetime | None = None) -> str:
        return SLA_STATES[self.sla_state(now)]

    def sla_badge(self, now: dt.datetime | None = None) -> str:
        return SLA_BADGES[self.sla_state(now)]


# Only incidents with an SLA alert to come: the escalation task's look each minute.
Incident.add_index(
    Incident.index(Incident.org, Incident.alert_at, where=Incident.alert_at.is_null(False))
)


class Activity(TenantModel):
    """One entry on an incident's timeline: a note, a reply, a status change, an SLA event…"""

    incident = ForeignKeyField(Incident, on_delete="CASCADE", backref="+", index=False)
    at = DateTimeField(default=utcnow)
    kind = CharField(max_length=20)
    author = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    author_label = CharField(max_length=200, default="")
    body = TextField(default="")
    public = BooleanField(default=False)  # the reporter saw it (a reply, an email)
    data = JSONField(default=dict)

    class Meta:
        table_name = "incidents_activity"
        indexes = ((("incident", "at"), False),)

    def __str__(self) -> str:
        return f"{self.kind} on {self.incident_id}"


class ClockLedger(TenantModel):
    """One stretch of an incident's clock: counted or not, and why (rewritten on recompute)."""

    incident = ForeignKeyField(Incident, on_delete="CASCADE", backref="+", index=False)
    clock = CharField(max_length=12)  # "response" or "resolution"
    position = IntegerField()
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    counted = BooleanField()
    kind = CharField(max_length=30)
    reason = CharField(max_length=300)
    projected = BooleanField(default=False)
    ongoing = BooleanField(default=False)

    class Meta:
        table_name = "incidents_clock_ledger"
        indexes = ((("incident", "clock", "position"), False),)

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at


class Attachment(TenantModel):
    incident = ForeignKeyField(Incident, on_delete="CASCADE", backref="+", index=False)
    activity = ForeignKeyField(Activity, null=True, on_delete="SET NULL", backref="+")
    filename = CharField(max_length=200)
    content_type = CharField(max_length=100)
    size = IntegerField()
    stored_name = CharField(max_length=80)
    sha256 = CharField(max_length=64)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    uploaded_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "incidents_attachment"
        indexes = ((("incident", "uploaded_at"), False),)

    def __str__(self) -> str:
        return str(self.filename)


class CannedReply(VersionedModel):
    title = CharField(max_length=100)
    body = TextField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "incidents_canned_reply"
        indexes = ((("org", "title"), True),)

    def __str__(self) -> str:
        return str(self.title)


class EmailTemplate(VersionedModel):
    """An organisation's own wording of one email to reporters (absent: the default)."""

    kind = CharField(max_length=20)
    subject = CharField(max_length=200)
    body = TextField()

    class Meta:
        table_name = "incidents_email_template"
        indexes = ((("org", "kind"), True),)

    def __str__(self) -> str:
        return str(self.kind)


class OutboundEmail(TenantModel):
    """An email to a reporter, written in the transaction of the change it reports (outbox)."""

    incident = ForeignKeyField(Incident, on_delete="CASCADE", backref="+", index=False)
    kind = CharField(max_length=20)
    to_address = CharField(max_length=254)
    subject = CharField(max_length=300)
    body = TextField()
    status = CharField(max_length=10, default="pending")  # pending, sending, sent, failed, skipped
    attempts = IntegerField(default=0)
    last_error = CharField(max_length=300, default="")
    created_at = DateTimeField(default=utcnow)
    next_attempt_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)

    class Meta:
        table_name = "incidents_outbound_email"
        indexes = ((("status", "next_attempt_at"), False), (("incident", "created_at"), False))

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address}"


class SlaAlert(TenantModel):
    """An SLA clock of an incident reached ``state`` (at_risk, breached): alerted once a round."""

    incident = ForeignKeyField(Incident, on_delete="CASCADE", backref="+", index=False)
    clock = CharField(max_length=12)
    state = CharField(max_length=12)
    round = IntegerField(default=0)  # the incident's reopen count: a reopened one alerts anew
    at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "incidents_sla_alert"
        indexes = ((("incident", "clock", "state", "round"), True),)


class EscalationRule(TenantModel):
    """What is done when an incident of ``priority`` nears or passes its due time."""

    priority = IntegerField()
    trigger = CharField(max_length=10)  # "warning" or "breach"
    next_tier = BooleanField(default=False)
    notify_lead = BooleanField(default=False)
    notify_manager = BooleanField(default=False)

    class Meta:
        table_name = "incidents_escalation_rule"
        indexes = ((("org", "priority", "trigger"), True),)


class SavedView(TenantModel):
    """A person's named queue with its filters, search and sort (the query string)."""

    user = ForeignKeyField(User, on_delete="CASCADE", backref="+")
    queue = CharField(max_length=20)
    name = CharField(max_length=60)
    query = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "incidents_saved_view"
        indexes = ((("org", "user", "name"), True),)

    def __str__(self) -> str:
        return str(self.name)


class Watcher(TenantModel):
    """A member told in the app when the incident changes (``watching.py``)."""

    incident = ForeignKeyField(Incident, on_delete="CASCADE", backref="+", index=False)
    user = ForeignKeyField(User, on_delete="CASCADE", backref="+")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "incidents_watcher"
        indexes = ((("incident", "user"), True),)


class DailySummary(TenantModel):
    """What the incidents of one day, service and team add up to, as counts of facts.

    ``grain`` is "day" (``day`` is that day in the organisation's time zone) or
    "month" (``day`` is the month's first day). ``service`` and ``team`` hold an id,
    ``NONE`` (the incident has none) or ``ALL`` (the row adds up every service or
    team), so a report reads one set of rows whatever its filters. A fact is
    "logged", "resolved", "response" or "resolution"; ``value`` says which kind
    (``summaries.py``). Written only by ``summaries.py``.
    """

    grain = CharField(max_length=5)
    day = DateField()
    service = IntegerField()
    team = IntegerField()
    fact = CharField(max_length=12)
    value = CharField(max_length=60)
    tally = IntegerField(default=0)
    total_ms = BigIntegerField(default=0)  # durations of "response" and "resolution" facts

    class Meta:
        table_name = "incidents_daily_summary"
        # A report without filters, or of one service, reads a range of days of one
        # service key; a report of one team, the team's.
        indexes = (
            (("org", "grain", "service", "day", "team", "fact", "value"), True),
            (("org", "grain", "team", "day"), False),
        )


class SummarySource(TenantModel):
    """What one incident adds to the daily summaries now: taken away when it changes."""

    incident = ForeignKeyField(Incident, primary_key=True, on_delete="CASCADE", backref="+")
    service = IntegerField()
    team = IntegerField()
    logged_day = DateField()
    logged_value = CharField(max_length=60)
    responded_day = DateField(null=True)
    response_bucket = IntegerField(null=True)
    response_ms = BigIntegerField(null=True)
    resolved_day = DateField(null=True)
    resolved_value = CharField(max_length=60, default="")
    resolution_bucket = IntegerField(null=True)
    resolution_ms = BigIntegerField(null=True)

    class Meta:
        table_name = "incidents_summary_source"


class SummaryState(TenantModel):
    """An organisation's summaries were built in ``zone``; until then reports count live."""

    zone = CharField(max_length=64)
    built_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "incidents_summary_state"
        indexes = ((("org",), True),)


MODELS: list[type[Any]] = [
    Team,
    TeamMember,
    PriorityCell,
    Counter,
    Incident,
    Activity,
    ClockLedger,
    Attachment,
    CannedReply,
    EmailTemplate,
    OutboundEmail,
    SlaAlert,
    EscalationRule,
    SavedView,
    Watcher,
    DailySummary,
    SummarySource,
    SummaryState,
]
