"""People's several email addresses and phone numbers; names indexed for typo-tolerant search.

Every existing ``Person.email`` and ``Person.phone`` becomes a primary detail
labelled "work". On PostgreSQL the names of people and organisations get a
GIN trigram index (pg_trgm), which answers ``similarity`` searches; without
the extension search stays exact and ``accord check`` says so.
"""

import logging
from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    Model,
    PostgresqlDatabase,
    Value,
)

log = logging.getLogger("accord.plugins.contacts")


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

    class Person(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=False)
        email = CharField(max_length=254, null=True)
        phone = CharField(max_length=20, null=True)
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_person"

    class ContactDetail(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=False)
        person = ForeignKeyField(Person, on_delete="CASCADE", index=False)
        kind = CharField(max_length=5)
        value = CharField(max_length=254)
        label = CharField(max_length=10, default="work")
        is_primary = BooleanField(default=False)
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_person_detail"
            indexes = (
                (("person", "kind", "value"), True),  # a person's details, never twice
                (("org", "kind", "value"), False),  # who has this address, in an organisation
            )

    db.create_tables([ContactDetail])
    # At most one primary per person and kind (partial indexes: both databases have them).
    db.execute_sql(
        "CREATE UNIQUE INDEX contacts_person_detail_one_primary "
        "ON contacts_person_detail (person_id, kind) WHERE is_primary"
    )
    for kind in ("email", "phone"):
        column = getattr(Person, kind)
        rows = Person.select(
            Person.org,
            Person.id,
            Value(kind),
            column,
            Value("work"),
            Value(True),
            Person.created_at,
        ).where(column.is_null(False) & (column != ""))
        fields = [
            ContactDetail.org,
            ContactDetail.person,
            ContactDetail.kind,
            ContactDetail.value,
            ContactDetail.label,
            ContactDetail.is_primary,
            ContactDetail.created_at,
        ]
        ContactDetail.insert_from(rows, fields).execute()
    if isinstance(db, PostgresqlDatabase):
        _name_trigram_indexes(db)


def _name_trigram_indexes(db):
    """GIN trigram indexes on the lower-cased names, as ``fuzzy.py`` queries them."""
    try:
        with db.atomic():  # a savepoint: a refusal must not abort the migration
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # the driver's error class varies; any refusal means "no index"
        log.warning("pg_trgm unavailable (%s); contact search will not tolerate typos", exc)
        return
    db.execute_sql(
        "CREATE INDEX contacts_person_name_trgm ON contacts_person "
        "USING gin ((lower((first_name || ' ') || last_name)) gin_trgm_ops)"
    )
    db.execute_sql(
        "CREATE INDEX contacts_organisation_name_trgm ON contacts_organisation "
        "USING gin ((lower(name)) gin_trgm_ops)"
    )
