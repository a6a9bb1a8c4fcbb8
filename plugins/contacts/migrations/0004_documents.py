"""Documents kept with people and customer organisations."""

from datetime import UTC, datetime

from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField, Model


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

    class Document(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        person = ForeignKeyField(Person, null=True, on_delete="CASCADE")
        organisation = ForeignKeyField(CustomerOrganisation, null=True, on_delete="CASCADE")
        filename = CharField(max_length=200)
        description = CharField(max_length=300, default="")
        content_type = CharField(max_length=150)
        size = BigIntegerField()
        stored_name = CharField(max_length=64)
        sha256 = CharField(max_length=64)
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        uploaded_at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_document"
            indexes = (
                (("person", "uploaded_at"), False),
                (("organisation", "uploaded_at"), False),
            )

    db.create_tables([Document])
