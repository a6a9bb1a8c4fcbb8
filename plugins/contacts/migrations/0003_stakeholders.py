"""Stakeholder groups, their members (influence and interest) and engagement plans."""

from datetime import UTC, datetime

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    # Frozen copies of the models as they were at this migration; other tables
    # appear only as far as the foreign keys need them.
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

    class StakeholderGroup(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=False)
        name = CharField(max_length=200)
        description = TextField(default="")
        communication_needs = TextField(default="")
        owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=now)
        updated_at = DateTimeField(default=now)
        version = IntegerField(default=1)

        class Meta:
            table_name = "contacts_stakeholder_group"
            indexes = ((("org", "name", "id"), False),)  # the list, sorted by name

    class StakeholderMember(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        group = ForeignKeyField(StakeholderGroup, on_delete="CASCADE", index=False)
        person = ForeignKeyField(Person, on_delete="CASCADE", index=False)
        influence = IntegerField(default=3)
        interest = IntegerField(default=3)
        note = CharField(max_length=300, default="")
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_stakeholder_member"
            indexes = (
                (("group", "person"), True),  # a group's members; once each
                (("person", "group"), False),  # a person's groups; the people filter
            )

    class EngagementActivity(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        group = ForeignKeyField(StakeholderGroup, on_delete="CASCADE")
        title = CharField(max_length=200)
        kind = CharField(max_length=20)
        frequency_days = IntegerField()
        owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        next_on = DateField(null=True)
        created_at = DateTimeField(default=now)
        updated_at = DateTimeField(default=now)
        version = IntegerField(default=1)

        class Meta:
            table_name = "contacts_engagement_activity"

    db.create_tables([StakeholderGroup, StakeholderMember, EngagementActivity])
    # An organisation's health counts its open follow-ups, overdue or not; a partial
    # index keeps that to the few open ones however long the organisation's history.
    db.execute_sql(
        "CREATE INDEX contacts_interaction_open_follow_ups ON contacts_interaction "
        "(organisation_id, follow_up_due) "
        "WHERE follow_up_done_at IS NULL AND follow_up_due IS NOT NULL"
    )
