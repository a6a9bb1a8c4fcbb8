"""Complaints' tables: the complaint and the reference counter.

Indexes serve the list (status and acknowledgement due, received time), the
contacts pages (person, customer), the report (service and cause) and the
incident a complaint is about.
"""

from datetime import UTC, datetime

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


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

    class CustomerOrganisation(Base):
        class Meta:
            table_name = "contacts_organisation"

    class Tenant(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)

    class Counter(Tenant):
        value = IntegerField(default=0)

        class Meta:
            table_name = "complaints_counter"
            indexes = ((("org",), True),)

    class Complaint(Tenant):
        version = IntegerField(default=1)
        number = IntegerField()
        reference = CharField(max_length=20)
        person = ForeignKeyField(Person, null=True, on_delete="SET NULL", index=False)
        customer = ForeignKeyField(
            CustomerOrganisation, null=True, on_delete="SET NULL", index=False
        )
        service_id = IntegerField(null=True)
        incident_id = IntegerField(null=True)
        cause = CharField(max_length=30, default="other")
        channel = CharField(max_length=20, default="email")
        severity = CharField(max_length=10, default="medium")
        description = TextField(default="")
        source = CharField(max_length=50, default="staff")
        owner = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        status = CharField(max_length=20, default="received")
        received_at = DateTimeField(default=now)
        acknowledge_due = DateTimeField()
        acknowledged_at = DateTimeField(null=True)
        response = TextField(default="")
        responded_at = DateTimeField(null=True)
        lesson = TextField(default="")
        improvement = TextField(default="")
        closed_at = DateTimeField(null=True)
        logged_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)

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

    db.create_tables([Counter, Complaint])
