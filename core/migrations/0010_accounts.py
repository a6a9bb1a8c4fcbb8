"""Accounts staff expect: one-time links (invitations, password resets) and two-factor sign-in."""

from datetime import UTC, datetime

from peewee import (
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from playhouse.migrate import migrate


def up(migrator, db):
    def now():
        return datetime.now(UTC).replace(tzinfo=None)

    migrate(
        # The TOTP key, encrypted with the instance's secret key; set while two-factor is on.
        migrator.add_column("accord_user", "totp_secret", TextField(null=True)),
        migrator.add_column("accord_user", "totp_enabled_at", DateTimeField(null=True)),
        # The last time step whose code was accepted: a code is never accepted twice.
        migrator.add_column("accord_user", "totp_last_step", IntegerField(null=True)),
        # Throttled attempts besides sign-in: password-reset requests, two-factor codes.
        migrator.add_column(
            "accord_login_failure", "kind", CharField(max_length=20, default="sign-in")
        ),
    )

    # Frozen copies of the models as they were at this migration.
    class User(Model):
        class Meta:
            database = db
            table_name = "accord_user"

    class Organisation(Model):
        class Meta:
            database = db
            table_name = "accord_organisation"

    class AccountToken(Model):
        token_hash = CharField(max_length=64, unique=True)
        purpose = CharField(max_length=20)
        user = ForeignKeyField(User, on_delete="CASCADE", index=True)
        org = ForeignKeyField(Organisation, null=True, on_delete="CASCADE", index=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        created_at = DateTimeField(default=now)
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        role = CharField(max_length=20, null=True)
        invited_name = CharField(max_length=200, default="")

        class Meta:
            database = db
            table_name = "accord_account_token"

    class RecoveryCode(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", index=True)
        code_hash = CharField(max_length=64)
        used_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "accord_recovery_code"

    db.create_tables([AccountToken, RecoveryCode])
