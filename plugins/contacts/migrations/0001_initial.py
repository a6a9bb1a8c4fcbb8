"""People, customer organisations, tags, affiliations, interactions and their participants."""

import logging
from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    SqliteDatabase,
    TextField,
)

log = logging.getLogger("accord.plugins.contacts")


def up(migrator, db):
    # Frozen copies of the models as they were at this migration; the core's
    # tables appear only as far as the foreign keys need them.
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

    # List pages filter by organisation and status, then sort on one column and the id:
    # one index per sortable column keeps every page an index range scan.
    def list_indexes(*columns):
        return tuple(((("org", "status", column, "id"), False)) for column in columns)

    class CustomerOrganisation(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=False)
        name = CharField(max_length=200)
        kind = CharField(max_length=20, default="other")
        industry = CharField(max_length=100, default="")
        size = CharField(max_length=10, default="")
        parent = ForeignKeyField("self", null=True, on_delete="SET NULL")
        account_owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        notes = TextField(default="")
        status = CharField(max_length=10, default="active")
        archived_at = DateTimeField(null=True)
        created_at = DateTimeField(default=now)
        updated_at = DateTimeField(default=now)
        search_text = CharField(max_length=1000, default="")
        last_contacted_at = DateTimeField(null=True)
        next_planned_on = DateField(null=True)
        version = IntegerField(default=1)
        address = CharField(max_length=300, default="")
        postcode = CharField(max_length=20, default="")
        city = CharField(max_length=100, default="")
        region = CharField(max_length=100, default="")
        country = CharField(max_length=2, default="")

        class Meta:
            table_name = "contacts_organisation"
            indexes = (
                *list_indexes("name", "city", "last_contacted_at", "next_planned_on"),
                (("org", "city"), False),
                (("org", "country"), False),
            )

    class Person(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=False)
        first_name = CharField(max_length=100)
        last_name = CharField(max_length=100)
        job_title = CharField(max_length=200, default="")
        email = CharField(max_length=254, null=True)
        phone = CharField(max_length=20, null=True)
        date_of_birth = DateField(null=True)
        age_band = CharField(max_length=10, default="")
        preferred_language = CharField(max_length=10, default="")
        preferred_channel = CharField(max_length=20, default="")
        owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        notes = TextField(default="")
        status = CharField(max_length=10, default="active")
        archived_at = DateTimeField(null=True)
        created_at = DateTimeField(default=now)
        updated_at = DateTimeField(default=now)
        tag_names = CharField(max_length=1100, default="")
        organisation = ForeignKeyField(CustomerOrganisation, null=True, on_delete="SET NULL")
        search_text = CharField(max_length=1000, default="")
        last_contacted_at = DateTimeField(null=True)
        next_planned_on = DateField(null=True)
        version = IntegerField(default=1)
        address = CharField(max_length=300, default="")
        postcode = CharField(max_length=20, default="")
        city = CharField(max_length=100, default="")
        region = CharField(max_length=100, default="")
        country = CharField(max_length=2, default="")

        class Meta:
            table_name = "contacts_person"
            indexes = (
                *list_indexes("last_name", "city", "last_contacted_at", "next_planned_on"),
                (("org", "city"), False),
                (("org", "country"), False),
                (("org", "email"), False),  # finding a caller, and duplicates later
                (("org", "phone"), False),
            )

    class Tag(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=False)
        name = CharField(max_length=50)
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_tag"
            indexes = ((("org", "name"), True),)

    class PersonTag(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        person = ForeignKeyField(Person, on_delete="CASCADE", index=False)
        tag = ForeignKeyField(Tag, on_delete="CASCADE", index=False)

        class Meta:
            table_name = "contacts_person_tag"
            indexes = ((("person", "tag"), True), (("tag", "person"), False))

    class Affiliation(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        person = ForeignKeyField(Person, on_delete="CASCADE", index=False)
        organisation = ForeignKeyField(CustomerOrganisation, on_delete="CASCADE", index=False)
        role = CharField(max_length=200, default="")
        is_primary = BooleanField(default=False)
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_affiliation"
            indexes = ((("person", "organisation"), True), (("organisation", "person"), False))

    class Interaction(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=False)
        kind = CharField(max_length=20)
        direction = CharField(max_length=10, default="")
        occurred_at = DateTimeField(default=now)
        duration_minutes = IntegerField(null=True)
        summary = TextField()
        outcome = CharField(max_length=300, default="")
        person = ForeignKeyField(Person, null=True, on_delete="SET NULL")
        organisation = ForeignKeyField(
            CustomerOrganisation, null=True, on_delete="SET NULL", index=False
        )
        logged_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=now)
        follow_up_action = CharField(max_length=300, default="")
        follow_up_due = DateField(null=True)
        follow_up_assignee = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        follow_up_done_at = DateTimeField(null=True)
        follow_up_done_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        version = IntegerField(default=1)

        class Meta:
            table_name = "contacts_interaction"
            indexes = (
                (("org", "occurred_at", "id"), False),  # recent interactions
                (("organisation", "occurred_at"), False),  # an organisation's timeline
                (("org", "follow_up_assignee", "follow_up_due", "id"), False),  # my follow-ups
                (("org", "follow_up_due", "id"), False),  # overdue follow-ups
                (("follow_up_assignee",), False),
            )

    class InteractionParticipant(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        interaction = ForeignKeyField(Interaction, on_delete="CASCADE")
        person = ForeignKeyField(Person, on_delete="CASCADE", index=False)

        class Meta:
            table_name = "contacts_interaction_participant"
            indexes = ((("person", "interaction"), True),)  # a person's timeline

    db.create_tables(
        [
            CustomerOrganisation,
            Person,
            Tag,
            PersonTag,
            Affiliation,
            Interaction,
            InteractionParticipant,
        ]
    )
    if isinstance(db, PostgresqlDatabase):
        _trigram_indexes(db)
        _newest_first_indexes(db)
    elif isinstance(db, SqliteDatabase):
        for table in ("contacts_person", "contacts_organisation"):
            _fts5_index(db, table)


def _newest_first_indexes(db):
    """Indexes for "most recently contacted first" on PostgreSQL.

    Lists sort missing dates last both ways. An ascending index read backwards
    gives descending order with missing dates first, so descending order needs
    its own index (SQLite reads the ascending one for both).
    """
    for table in ("contacts_person", "contacts_organisation"):
        for column in ("last_contacted_at", "next_planned_on"):
            db.execute_sql(
                f"CREATE INDEX {table}_{column}_desc ON {table} "
                f"(org_id, status, {column} DESC NULLS LAST, id DESC)"
            )


def _trigram_indexes(db):
    """Let PostgreSQL answer ``search_text ILIKE '%term%'`` from an index, where pg_trgm is allowed.

    pg_trgm is a trusted extension (PostgreSQL 13+), so a database owner may
    create it; where it is refused, search still works, by scanning.
    """
    try:
        with db.atomic():  # a savepoint: a refusal must not abort the migration
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # the driver's error class varies; any refusal means "no index"
        log.warning("pg_trgm unavailable (%s); contact search will scan", exc)
        return
    for table in ("contacts_person", "contacts_organisation"):
        db.execute_sql(
            f"CREATE INDEX {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)"
        )


def _fts5_index(db, table):
    """An FTS5 trigram index of ``table.search_text``, kept in step by triggers.

    It answers substring searches (``models.SearchText.contains``) without
    reading every row; it holds only the index, the text stays in ``table``.
    """
    fts = f"{table}_fts"
    db.execute_sql(
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', "
        f"content_rowid='id', tokenize='trigram')"
    )
    insert = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    )
    db.execute_sql(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END")
    db.execute_sql(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END")
    db.execute_sql(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_text ON {table} "
        f"BEGIN {remove} {insert} END"
    )
