"""Consent and communication preferences: per person, per topic, their history and contacts made."""

from datetime import UTC, datetime

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model


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

    class ContactPreference(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        person = ForeignKeyField(Person, on_delete="CASCADE", unique=True)
        email_allowed = BooleanField(default=True)
        phone_allowed = BooleanField(default=True)
        sms_allowed = BooleanField(default=True)
        post_allowed = BooleanField(default=True)
        quiet_from = IntegerField(null=True)
        quiet_until = IntegerField(null=True)
        cap = IntegerField(null=True)
        cap_period = CharField(max_length=5, default="week")
        updated_at = DateTimeField(default=now)
        version = IntegerField(default=1)

        class Meta:
            table_name = "contacts_consent_preference"

    class TopicConsent(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=False)
        person = ForeignKeyField(Person, on_delete="CASCADE", index=False)
        purpose = CharField(max_length=60)
        opted_in = BooleanField()
        changed_at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_consent_topic"
            indexes = (
                (("person", "purpose"), True),  # one choice per person and purpose
                (("org", "purpose", "opted_in", "person"), False),  # the people list's filter
            )

    class ConsentChange(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        person = ForeignKeyField(Person, on_delete="CASCADE", index=False)
        at = DateTimeField(default=now)
        user = ForeignKeyField(User, null=True, on_delete="SET NULL")
        source = CharField(max_length=100)
        subject = CharField(max_length=80)
        before = CharField(max_length=100, default="")
        after = CharField(max_length=100, default="")

        class Meta:
            table_name = "contacts_consent_change"
            indexes = ((("person", "at", "id"), False),)  # a person's history, newest first

    class ContactMade(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        person = ForeignKeyField(Person, on_delete="CASCADE", index=False)
        channel = CharField(max_length=10)
        purpose = CharField(max_length=60)
        essential = BooleanField(default=False)
        source = CharField(max_length=100)
        at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_consent_contact"
            indexes = ((("person", "essential", "at"), False),)  # the frequency cap's count

    class ConsentPurpose(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=False)
        key = CharField(max_length=60)
        label = CharField(max_length=100)
        description = CharField(max_length=300, default="")
        essential = BooleanField(default=False)
        opt_in_required = BooleanField(default=True)
        defined_by = CharField(max_length=60, default="")
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_consent_purpose"
            indexes = ((("org", "key"), True),)

    class ConsentKey(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", unique=True)
        key = CharField(max_length=64)
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_consent_key"

    db.create_tables(
        [ContactPreference, TopicConsent, ConsentChange, ContactMade, ConsentPurpose, ConsentKey]
    )
