"""Incidents' tables: teams, the priority matrix, incidents, their timeline, clock, files and mail.

The incident indexes serve the queues at a million incidents: by status and
priority with the due time, by assignee, by team, by creation time, by due
time alone (breaching soon), by service (the catalogue's count) and by
reporter (the contact's page).
"""

from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    # Frozen copies of the models as they were at this migration; other plugins'
    # and the core's tables appear only as far as the foreign keys need them.
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    def now():
        return datetime.now(UTC).replace(tzinfo=None)

    class Organisation(Base):
        class Meta:
            table_name = "accord_organisation"

    class User(Base):
        class Meta:
            table_name = "accord_user"

    class Person(Base):
        class Meta:
            table_name = "contacts_person"

    class CustomerOrganisation(Base):
        class Meta:
            table_name = "contacts_organisation"

    class Service(Base):
        class Meta:
            table_name = "catalogue_service"

    class Tenant(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)

    class Team(Tenant):
        version = IntegerField(default=1)
        name = CharField(max_length=100)
        tier = IntegerField(default=1)
        lead = ForeignKeyField(User, null=True, on_delete="SET NULL")
        description = TextField(default="")
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "incidents_team"
            indexes = ((("org", "name"), True),)

    class TeamMember(Tenant):
        team = ForeignKeyField(Team, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE")

        class Meta:
            table_name = "incidents_team_member"
            indexes = ((("team", "user"), True), (("org", "user"), False))

    class PriorityCell(Tenant):
        impact = IntegerField()
        urgency = IntegerField()
        priority = IntegerField()

        class Meta:
            table_name = "incidents_priority_cell"
            indexes = ((("org", "impact", "urgency"), True),)

    class Counter(Tenant):
        value = IntegerField(default=0)

        class Meta:
            table_name = "incidents_counter"
            indexes = ((("org",), True),)

    class Incident(Tenant):
        version = IntegerField(default=1)
        number = IntegerField()
        reference = CharField(max_length=20)
        title = CharField(max_length=200)
        description = TextField(default="")
        reporter = ForeignKeyField(Person, null=True, on_delete="SET NULL", index=False)
        customer = ForeignKeyField(CustomerOrganisation, null=True, on_delete="SET NULL")
        service = ForeignKeyField(Service, null=True, on_delete="SET NULL", index=False)
        category = CharField(max_length=30, default="other")
        channel = CharField(max_length=20, default="phone")
        impact = IntegerField(default=3)
        urgency = IntegerField(default=3)
        priority = IntegerField(default=3)
        status = CharField(max_length=20, default="new")
        pending_reason = CharField(max_length=20, default="")
        pending_note = CharField(max_length=300, default="")
        team = ForeignKeyField(Team, null=True, on_delete="SET NULL", index=False)
        assignee = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        logged_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=now)
        updated_at = DateTimeField(default=now)
        responded_at = DateTimeField(null=True)
        resolved_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        response_due = DateTimeField(null=True)
        response_warn_at = DateTimeField(null=True)
        response_breached = BooleanField(default=False)
        resolution_due = DateTimeField(null=True)
        resolution_warn_at = DateTimeField(null=True)
        resolution_breached = BooleanField(default=False)
        resolution_remaining_minutes = IntegerField(null=True)
        has_target = BooleanField(default=False)
        due_at = DateTimeField(null=True)
        warn_at = DateTimeField(null=True)
        sla_computed_at = DateTimeField(null=True)
        resolution_code = CharField(max_length=30, default="")
        resolution_notes = TextField(default="")
        reopen_count = IntegerField(default=0)

        class Meta:
            table_name = "incidents_incident"
            indexes = (
                (("org", "number"), True),
                (("org", "status", "priority", "due_at"), False),
                (("org", "assignee", "status"), False),
                (("org", "team", "status"), False),
                (("org", "created_at"), False),
                (("org", "due_at"), False),
                (("org", "service", "status"), False),
                (("reporter", "created_at"), False),
            )

    class Activity(Tenant):
        incident = ForeignKeyField(Incident, on_delete="CASCADE", index=False)
        at = DateTimeField(default=now)
        kind = CharField(max_length=20)
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        author_label = CharField(max_length=200, default="")
        body = TextField(default="")
        public = BooleanField(default=False)
        data = TextField(default="{}")

        class Meta:
            table_name = "incidents_activity"
            indexes = ((("incident", "at"), False),)

    class ClockLedger(Tenant):
        incident = ForeignKeyField(Incident, on_delete="CASCADE", index=False)
        clock = CharField(max_length=12)
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

    class Attachment(Tenant):
        incident = ForeignKeyField(Incident, on_delete="CASCADE", index=False)
        activity = ForeignKeyField(Activity, null=True, on_delete="SET NULL")
        filename = CharField(max_length=200)
        content_type = CharField(max_length=100)
        size = IntegerField()
        stored_name = CharField(max_length=80)
        sha256 = CharField(max_length=64)
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        uploaded_at = DateTimeField(default=now)

        class Meta:
            table_name = "incidents_attachment"
            indexes = ((("incident", "uploaded_at"), False),)

    class CannedReply(Tenant):
        version = IntegerField(default=1)
        title = CharField(max_length=100)
        body = TextField()
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "incidents_canned_reply"
            indexes = ((("org", "title"), True),)

    class EmailTemplate(Tenant):
        version = IntegerField(default=1)
        kind = CharField(max_length=20)
        subject = CharField(max_length=200)
        body = TextField()

        class Meta:
            table_name = "incidents_email_template"
            indexes = ((("org", "kind"), True),)

    class OutboundEmail(Tenant):
        incident = ForeignKeyField(Incident, on_delete="CASCADE", index=False)
        kind = CharField(max_length=20)
        to_address = CharField(max_length=254)
        subject = CharField(max_length=300)
        body = TextField()
        status = CharField(max_length=10, default="pending")
        attempts = IntegerField(default=0)
        last_error = CharField(max_length=300, default="")
        created_at = DateTimeField(default=now)
        next_attempt_at = DateTimeField(default=now)
        sent_at = DateTimeField(null=True)

        class Meta:
            table_name = "incidents_outbound_email"
            indexes = ((("status", "next_attempt_at"), False), (("incident", "created_at"), False))

    db.create_tables(
        [
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
        ]
    )
