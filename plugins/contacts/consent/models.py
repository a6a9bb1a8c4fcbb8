"""Consent records: a person's preferences, topic choices, their history and contacts made."""

from __future__ import annotations

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField

from accord import TenantModel, User, VersionedModel, utcnow

from ..models import Person


class ContactPreference(VersionedModel):
    """How a person may be reached: channels, quiet hours and a frequency cap (one per person).

    A person without a row has the defaults: every channel on, no quiet
    hours, no cap. Quiet hours are minutes after midnight in the
    organisation's time zone; ``quiet_from`` later than ``quiet_until``
    spans midnight.
    """

    person = ForeignKeyField(Person, on_delete="CASCADE", backref="+")
    email_allowed = BooleanField(default=True)
    phone_allowed = BooleanField(default=True)
    sms_allowed = BooleanField(default=True)
    post_allowed = BooleanField(default=True)
    quiet_from = IntegerField(null=True)
    quiet_until = IntegerField(null=True)
    cap = IntegerField(null=True)  # at most this many non-essential contacts …
    cap_period = CharField(max_length=5, default="week")  # … per rolling week or month
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_consent_preference"


class TopicConsent(TenantModel):
    """A person's explicit choice about one purpose; without a row the purpose's default holds."""

    person = ForeignKeyField(Person, on_delete="CASCADE", backref="+")
    purpose = CharField(max_length=60)
    opted_in = BooleanField()
    changed_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_consent_topic"


class ConsentChange(TenantModel):
    """One change of a person's preferences: append-only, never edited."""

    person = ForeignKeyField(Person, on_delete="CASCADE", backref="+")
    at = DateTimeField(default=utcnow)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    source = CharField(max_length=100)  # "staff form", "import", "unsubscribe link", a plugin
    subject = CharField(max_length=80)  # "channel:email", "topic:surveys", "quiet_hours" …
    before = CharField(max_length=100, default="")
    after = CharField(max_length=100, default="")

    class Meta:
        table_name = "contacts_consent_change"


class ContactMade(TenantModel):
    """A contact another plugin made (a survey sent …): what frequency caps count."""

    person = ForeignKeyField(Person, on_delete="CASCADE", backref="+")
    channel = CharField(max_length=10)
    purpose = CharField(max_length=60)
    essential = BooleanField(default=False)
    source = CharField(max_length=100)
    at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_consent_contact"


class ConsentPurpose(TenantModel):
    """A purpose another plugin defined for an organisation (a campaign topic …)."""

    key = CharField(max_length=60)
    label = CharField(max_length=100)
    description = CharField(max_length=300, default="")
    essential = BooleanField(default=False)
    opt_in_required = BooleanField(default=True)
    defined_by = CharField(max_length=60, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_consent_purpose"


class ConsentKey(TenantModel):
    """The organisation's secret for signing unsubscribe links (made on first use)."""

    key = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_consent_key"


CONSENT_MODELS = [
    ContactPreference,
    TopicConsent,
    ConsentChange,
    ContactMade,
    ConsentPurpose,
    ConsentKey,
]
