"""Satisfaction's tables: surveys and recovery tasks.

Indexes: due surveys for the sender (status, send_after), an incident's
surveys (its page), answers by time (results), tasks by status and assignee.
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
    # Frozen copies of the models as they were at this migration.
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

    class Incident(Base):
        class Meta:
            table_name = "incidents_incident"

    class Tenant(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)

    class Survey(Tenant):
        incident = ForeignKeyField(Incident, on_delete="CASCADE", index=False)
        person = ForeignKeyField(Person, null=True, on_delete="SET NULL", index=False)
        service_id = IntegerField(null=True)
        team_id = IntegerField(null=True)
        agent = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        status = CharField(max_length=10, default="pending")
        nonce = CharField(max_length=32)
        created_at = DateTimeField(default=now)
        send_after = DateTimeField()
        sent_at = DateTimeField(null=True)
        expires_at = DateTimeField(null=True)
        email_id = IntegerField(null=True)
        reason = CharField(max_length=300, default="")
        score = IntegerField(null=True)
        comment = TextField(default="")
        not_resolved = BooleanField(default=False)
        reopened = BooleanField(default=False)
        answered_at = DateTimeField(null=True)
        month = CharField(max_length=7, default="")
        follow_up = CharField(max_length=200, default="")

        class Meta:
            table_name = "satisfaction_survey"
            indexes = (
                (("status", "send_after"), False),
                (("org", "incident"), False),
                (("org", "answered_at"), False),
            )

    class RecoveryTask(Tenant):
        version = IntegerField(default=1)
        survey = ForeignKeyField(Survey, on_delete="CASCADE")
        incident = ForeignKeyField(Incident, on_delete="CASCADE", index=False)
        assignee = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        status = CharField(max_length=10, default="open")
        note = TextField(default="")
        created_at = DateTimeField(default=now)
        done_at = DateTimeField(null=True)

        class Meta:
            table_name = "satisfaction_recovery_task"
            indexes = (
                (("org", "status", "created_at"), False),
                (("org", "assignee", "status"), False),
            )

    db.create_tables([Survey, RecoveryTask])
