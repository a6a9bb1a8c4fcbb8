"""Organisations, users, memberships, sessions, sign-in failures, plugin state, audit."""

from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
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
        slug = CharField(max_length=63, unique=True)
        name = CharField(max_length=200)
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "accord_organisation"

    class User(Base):
        email = CharField(max_length=254, unique=True)
        name = CharField(max_length=200)
        password_hash = CharField(max_length=255)
        is_active = BooleanField(default=True)
        created_at = DateTimeField(default=now)
        password_changed_at = DateTimeField(default=now)

        class Meta:
            table_name = "accord_user"

    class Membership(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        role = CharField(max_length=20)

        class Meta:
            table_name = "accord_membership"
            indexes = ((("user", "org"), True),)

    class Session(Base):
        token_hash = CharField(max_length=64, primary_key=True)
        user = ForeignKeyField(User, on_delete="CASCADE")
        created_at = DateTimeField(default=now)
        last_seen_at = DateTimeField(default=now)
        data = TextField(default="{}")

        class Meta:
            table_name = "accord_session"

    class LoginFailure(Base):
        email = CharField(max_length=254, index=True)
        client = CharField(max_length=64)
        at = DateTimeField(default=now, index=True)

        class Meta:
            table_name = "accord_login_failure"

    class PluginEnablement(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        plugin = CharField(max_length=100)
        enabled = BooleanField(default=True)
        changed_at = DateTimeField(default=now)

        class Meta:
            table_name = "accord_plugin_enablement"
            indexes = ((("org", "plugin"), True),)

    class AuditEntry(Base):
        org = ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
        at = DateTimeField(default=now, index=True)
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        actor_label = CharField(max_length=254)
        action = CharField(max_length=40)
        plugin = CharField(max_length=100)
        table = CharField(max_length=100)
        record_id = CharField(max_length=64, null=True)
        summary = CharField(max_length=300)
        changes = TextField(default="{}")

        class Meta:
            table_name = "accord_audit_entry"
            indexes = ((("org", "at"), False),)

    db.create_tables(
        [Organisation, User, Membership, Session, LoginFailure, PluginEnablement, AuditEntry]
    )
