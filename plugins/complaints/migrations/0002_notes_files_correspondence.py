"""A complaint's internal notes, attached files and correspondence with the complainant.

Indexes serve the complaint's timeline (each table by complaint and time) and
the outbox of emails sent to complainants (delivery state and next attempt).
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

    class Complaint(Base):
        class Meta:
            table_name = "complaints_complaint"

    class Tenant(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)
        complaint = ForeignKeyField(Complaint, on_delete="CASCADE", index=False)

    class Note(Tenant):
        body = TextField()
        author = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "complaints_note"
            indexes = ((("complaint", "created_at"), False),)

    class Attachment(Tenant):
        filename = CharField(max_length=200)
        content_type = CharField(max_length=100)
        size = IntegerField()
        stored_name = CharField(max_length=80)
        sha256 = CharField(max_length=64)
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        uploaded_at = DateTimeField(default=now)
        deleted_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        deleted_at = DateTimeField(null=True)

        class Meta:
            table_name = "complaints_attachment"
            indexes = ((("complaint", "uploaded_at"), False),)

    class Correspondence(Tenant):
        direction = CharField(max_length=3)
        channel = CharField(max_length=20)
        occurred_at = DateTimeField(default=now)
        subject = CharField(max_length=300, default="")
        summary = TextField(default="")
        address = CharField(max_length=254, default="")
        step = CharField(max_length=20, default="")
        recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        delivery = CharField(max_length=10, default="")
        attempts = IntegerField(default=0)
        last_error = CharField(max_length=300, default="")
        next_attempt_at = DateTimeField(null=True)
        sent_at = DateTimeField(null=True)

        class Meta:
            table_name = "complaints_correspondence"
            indexes = (
                (("complaint", "occurred_at"), False),
                (("delivery", "next_attempt_at"), False),
            )

    db.create_tables([Note, Attachment, Correspondence])
