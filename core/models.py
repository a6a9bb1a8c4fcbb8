"""The core's own records: organisations, people, access, plugin state, audit."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import peewee
from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .clock import utcnow
from .db import BaseModel

ROLES = ("admin", "manager", "agent", "viewer")


class JSONField(TextField):
    """JSON stored as text, so it reads the same on SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, default=str, sort_keys=True)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class Organisation(BaseModel):
    slug = CharField(max_length=63, unique=True)
    name = CharField(max_length=200)
    # An IANA name (Europe/London): reports count days, quiet hours and dates in it.
    time_zone = CharField(max_length=64, default="UTC")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "accord_organisation"

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        """The organisation's time zone (UTC if its name is unknown to this machine)."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


class User(BaseModel):
    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=200)
    password_hash = CharField(max_length=255)
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    password_changed_at = DateTimeField(default=utcnow)
    # Two-factor sign-in (``accord.two_factor``): the TOTP key, encrypted, while it is on.
    totp_secret = TextField(null=True)
    totp_enabled_at = DateTimeField(null=True)
    totp_last_step = IntegerField(null=True)

    class Meta:
        table_name = "accord_user"

    def __str__(self) -> str:
        return self.name

    @property
    def has_password(self) -> bool:
        """False for an invited person who has not yet chosen a password."""
        return bool(self.password_hash)

    @property
    def two_factor(self) -> bool:
        return self.totp_enabled_at is not None


class Membership(BaseModel):
    user = ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    org = ForeignKeyField(Organisation, backref="memberships", on_delete="CASCADE")
    role = CharField(max_length=20, choices=[(r, r) for r in ROLES])

    class Meta:
        table_name = "accord_membership"
        indexes = ((("user", "org"), True),)


class Session(BaseModel):
    """A signed-in browser. The cookie holds a token; only its hash is stored."""

    token_hash = CharField(max_length=64, primary_key=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    data = JSONField(default=dict)

    class Meta:
        table_name = "accord_session"


class LoginFailure(BaseModel):
    """A failed sign-in, kept for throttling across every worker."""

    email = CharField(max_length=254, index=True)
    client = CharField(max_length=64)
    at = DateTimeField(default=utcnow, index=True)
    # What was tried: "sign-in", "reset" (a reset link asked for), "code" (a two-factor code).
    kind = CharField(max_length=20, default="sign-in")

    class Meta:
        table_name = "accord_login_failure"


class AccountToken(BaseModel):
    """A one-time link sent to a person: an invitation or a password reset.

    The link carries a random token; only its hash is kept, so neither the
    database nor the audit log can give it away.
    """

    token_hash = CharField(max_length=64, unique=True)
    purpose = CharField(max_length=20)  # "invite" or "reset"
    user = ForeignKeyField(User, backref="account_tokens", on_delete="CASCADE")
    # The organisation an invitation is to (None for a reset).
    org = ForeignKeyField(Organisation, null=True, on_delete="CASCADE", backref="+")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    # An invitation's role, and the name the inviting admin gave (shown to them, never the
    # account's own name: an invitation must not tell whether the address has an account).
    role = CharField(max_length=20, null=True)
    invited_name = CharField(max_length=200, default="")

    class Meta:
        table_name = "accord_account_token"


class RecoveryCode(BaseModel):
    """A two-factor recovery code (its hash), good for one sign-in without the authenticator."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=64)
    used_at = DateTimeField(null=True)

    class Meta:
        table_name = "accord_recovery_code"


class PluginEnablement(BaseModel):
    org = ForeignKeyField(Organisation, backref="plugin_states", on_delete="CASCADE")
    plugin = CharField(max_length=100)
    enabled = BooleanField(default=True)
    changed_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "accord_plugin_enablement"
        indexes = ((("org", "plugin"), True),)


class AuditEntry(BaseModel):
    org = ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
    at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    actor_label = CharField(max_length=254)
    action = CharField(max_length=40)
    plugin = CharField(max_length=100)
    table = CharField(max_length=100)
    record_id = CharField(max_length=64, null=True)
    summary = CharField(max_length=300)
    changes = JSONField(default=dict)

    class Meta:
        table_name = "accord_audit_entry"
        indexes = (
            (("org", "at"), False),
            (("table", "record_id"), False),
            (("org", "table", "record_id", "at", "id"), False),  # a record's timeline
        )


class TenantModel(BaseModel):
    """A row owned by one organisation.

    Views never filter by organisation themselves: they start from
    ``Model.in_org(org)`` or ``Model.get_in_org(org, pk)``, which cannot
    return another organisation's rows. Saves and deletes are audited.
    """

    org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True, backref="+")

    @classmethod
    def in_org(cls, org: Organisation, *fields: Any) -> peewee.ModelSelect:
        return cls.select(*fields).where(cls.org == org)

    @classmethod
    def within_org(cls, org: Organisation | int, *fields: Any) -> peewee.ModelSelect:
        """Like ``in_org``, for a query that something else narrows (a person, a record).

        The organisation is still checked on every row, but as ``org_id + 0``,
        which no index serves: without statistics a planner takes ``org_id = ?``
        for selective and walks the organisation's index in the order asked for,
        which in a one-organisation instance is the whole table.
        """
        org_id = org.id if isinstance(org, Organisation) else org
        return cls.select(*fields).where((cls.org + 0) == org_id)

    @classmethod
    def get_in_org(cls, org: Organisation, pk: Any) -> Any:
        """The row ``pk`` of ``org``, or ``peewee.DoesNotExist`` (a 404 to the user)."""
        field = cls._meta.primary_key
        if isinstance(field, peewee.IntegerField):
            try:
                pk = int(pk)
            except (TypeError, ValueError):
                raise cls.DoesNotExist(pk) from None
        return cls.in_org(org).where(field == pk).get()

    def save(self, force_insert: bool = False, only: Any = None) -> int:
        from . import audit

        before = None
        if self._pk is not None and not force_insert:
            before = type(self).select().where(type(self)._meta.primary_key == self._pk).first()
        result = super().save(force_insert=force_insert, only=only)
        audit.record_save(self, before)
        return result

    def delete_instance(self, recursive: bool = False, delete_nullable: bool = False) -> int:
        from . import audit

        result = super().delete_instance(recursive=recursive, delete_nullable=delete_nullable)
        audit.record_delete(self)
        return result


CORE_MODELS = (
    Organisation,
    User,
    Membership,
    Session,
    LoginFailure,
    AccountToken,
    RecoveryCode,
    PluginEnablement,
    AuditEntry,
)
