"""Contacts' records: people, customer organisations, affiliations, tags and interactions.

People and organisations carry a few columns derived from other rows
(``search_text``, ``tag_names``, the primary ``organisation``,
``last_contacted_at`` and ``next_planned_on``) so lists sort, filter and
search on one table; ``derived.py`` keeps them in step.
"""

from __future__ import annotations

import datetime
import operator
from functools import reduce
from typing import Any

from peewee import (
    SQL,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Expression,
    ForeignKeyField,
    IntegerField,
    SqliteDatabase,
    Table,
    TextField,
)

from accord import TenantModel, User, VersionedModel, utcnow

from .choices import (
    AGE_BANDS,
    CHANNELS,
    DETAIL_LABELS,
    DIRECTIONS,
    INTERACTION_KINDS,
    INTERACTION_STATUSES,
    LANGUAGES,
    NOT_CONTACT,
    ORGANISATION_KINDS,
    ORGANISATION_SIZES,
    age_band,
    country_name,
)
from .normalise import phone_display


class SearchText(CharField):
    """A lower-case line of everything a record is found by (see ``derived.py``).

    ``matches(terms)`` is what searches ask: the rows whose line contains
    every term. On SQLite that is ``primary key IN (the ids that match)``,
    the ids coming from the table's FTS5 trigram index (``<table>_fts``, kept
    by triggers), since ``LIKE '%…%'`` reads every row; terms shorter than a
    trigram use ``LIKE``. On PostgreSQL it is ``ILIKE`` on the line itself,
    which the pg_trgm index answers, and the planner weighs it against the
    page's order: a rare term ("smith") is looked up in the trigram index and
    its rows read once, a common one ("manager") is met walking the ordered
    index, stopping at a page's worth. (Asking for the ids first, as SQLite
    does, read every match twice and sorted all of a common term's.)
    """

    def matches(self, terms: list[str]) -> Expression:
        model = self.model
        pk = model._meta.primary_key
        database = getattr(model._meta.database, "obj", model._meta.database)
        if not isinstance(database, SqliteDatabase):
            return reduce(operator.and_, [CharField.contains(self, t) for t in terms])
        indexed = [t for t in terms if len(t) >= 3]
        conditions = [CharField.contains(self, t) for t in terms if t not in indexed]
        if indexed:
            index = f"{model._meta.table_name}_fts"
            query = " AND ".join('"' + t.replace('"', '""') + '"' for t in indexed)
            rows = SQL(f'(SELECT rowid FROM "{index}" WHERE "{index}" MATCH ?)', [query])
            conditions.append(pk.in_(rows))
        return reduce(operator.and_, conditions)

    def contains(self, rhs: Any) -> Expression:
        return self.matches([str(rhs)])


# Read by name: the job's model lives in import_jobs.py, which imports this module.
_IMPORT_JOBS = Table("contacts_import_job", ("id", "status"))


def published(model: Any) -> Expression:
    """Rows of ``model`` that no unfinished import wrote: an import's rows appear all at once.

    An import writes in short batches tagged with its job (``import_job_id``);
    the job turning "done" publishes them in one step, then the tags are
    cleared in batches, so almost every row passes on its NULL alone.
    """
    unfinished = _IMPORT_JOBS.select(_IMPORT_JOBS.id).where(_IMPORT_JOBS.status != "done")
    return model.import_job_id.is_null() | model.import_job_id.not_in(unfinished)


class Published:
    """``in_org`` (so ``get_in_org``: a 404) and ``within_org`` leave out unfinished imports."""

    @classmethod
    def in_org(cls, org: Any, *fields: Any) -> Any:
        return super().in_org(org, *fields).where(published(cls))  # type: ignore[misc]

    @classmethod
    def within_org(cls, org: Any, *fields: Any) -> Any:
        return super().within_org(org, *fields).where(published(cls))  # type: ignore[misc]


class Place(VersionedModel):
    """Address fields shared by people and organisations (no table of its own)."""

    address = CharField(max_length=300, default="")
    postcode = CharField(max_length=20, default="")
    city = CharField(max_length=100, default="")
    region = CharField(max_length=100, default="")
    country = CharField(max_length=2, default="")  # ISO 3166 alpha-2

    class Meta:
        table_name = "contacts_place"  # never created: only its subclasses have tables

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def location(self) -> str:
        return ", ".join(p for p in (self.city, self.region, self.country_name) if p)


class CustomerOrganisation(Published, Place):
    """A customer: a department, school, agency or company the ICT department serves."""

    name = CharField(max_length=200)
    kind = CharField(max_length=20, default="other")
    industry = CharField(max_length=100, default="")
    size = CharField(max_length=10, default="")
    parent = ForeignKeyField("self", null=True, on_delete="SET NULL", backref="+")
    account_owner = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    notes = TextField(default="")
    status = CharField(max_length=10, default="active")
    archived_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    # Derived (see derived.py).
    search_text = SearchText(max_length=1000, default="")
    last_contacted_at = DateTimeField(null=True)
    next_planned_on = DateField(null=True)
    # Set while an import writes it (see importing.py): hidden until that import is done.
    import_job_id = IntegerField(null=True, index=True)

    class Meta:
        table_name = "contacts_organisation"

    def __str__(self) -> str:
        return str(self.name)

    @property
    def kind_label(self) -> str:
        return ORGANISATION_KINDS.get(self.kind, self.kind)

    @property
    def size_label(self) -> str:
        return ORGANISATION_SIZES.get(self.size, self.size)


class Person(Published, Place):
    first_name = CharField(max_length=100)
    last_name = CharField(max_length=100)
    job_title = CharField(max_length=200, default="")
    email = CharField(max_length=254, null=True)  # normalised (normalise.email)
    phone = CharField(max_length=20, null=True)  # E.164
    date_of_birth = DateField(null=True)
    age_band = CharField(max_length=10, default="")  # from date_of_birth when that is known
    preferred_language = CharField(max_length=10, default="")
    preferred_channel = CharField(max_length=20, default="")
    owner = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    notes = TextField(default="")
    status = CharField(max_length=10, default="active")
    archived_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    # Derived (see derived.py); tag_names is also what the person form edits.
    tag_names = CharField(max_length=1100, default="")
    organisation = ForeignKeyField(
        CustomerOrganisation, null=True, on_delete="SET NULL", backref="+"
    )  # the primary affiliation's organisation
    search_text = SearchText(max_length=1000, default="")
    last_contacted_at = DateTimeField(null=True)
    next_planned_on = DateField(null=True)
    # Set when this person was merged into another (then archived): links lead there.
    merged_into = ForeignKeyField("self", null=True, on_delete="SET NULL", backref="+")
    # Set while an import writes it (see importing.py): hidden until that import is done.
    import_job_id = IntegerField(null=True, index=True)

    class Meta:
        table_name = "contacts_person"

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def phone_display(self) -> str:
        return phone_display(self.phone)

    @property
    def age_band_label(self) -> str:
        band = age_band(self.date_of_birth, utcnow().date()) if self.date_of_birth else None
        return AGE_BANDS.get(band or self.age_band, "")

    @property
    def language_label(self) -> str:
        return LANGUAGES.get(self.preferred_language, self.preferred_language)

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.preferred_channel, self.preferred_channel)

    @property
    def archived(self) -> bool:
        return self.status == "archived"

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in str(self.tag_names).split(",") if t.strip()]


class Tag(TenantModel):
    name = CharField(max_length=50)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_tag"

    def __str__(self) -> str:
        return str(self.name)


class PersonTag(TenantModel):
    person = ForeignKeyField(Person, on_delete="CASCADE", backref="+")
    tag = ForeignKeyField(Tag, on_delete="CASCADE", backref="+")

    class Meta:
        table_name = "contacts_person_tag"


class Affiliation(Published, TenantModel):
    """A person's place in a customer organisation; a person may have several."""

    person = ForeignKeyField(Person, on_delete="CASCADE", backref="+")
    organisation = ForeignKeyField(CustomerOrganisation, on_delete="CASCADE", backref="+")
    role = CharField(max_length=200, default="")
    is_primary = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    # Set while an import writes it (see importing.py): hidden until that import is done.
    import_job_id = IntegerField(null=True, index=True)

    class Meta:
        table_name = "contacts_affiliation"

    def __str__(self) -> str:
        return f"{self.person} at {self.organisation}"


class Interaction(VersionedModel):
    """A call, meeting, email, chat, visit or note, with an optional follow-up task."""

    kind = CharField(max_length=20)
    direction = CharField(max_length=10, default="")
    occurred_at = DateTimeField(default=utcnow)  # when it happened, or is planned for
    status = CharField(max_length=10, default="held")  # held, planned or cancelled
    duration_minutes = IntegerField(null=True)
    summary = TextField()
    outcome = CharField(max_length=300, default="")
    person = ForeignKeyField(Person, null=True, on_delete="SET NULL", backref="+")  # logged for
    organisation = ForeignKeyField(
        CustomerOrganisation, null=True, on_delete="SET NULL", backref="+"
    )
    logged_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utcnow)
    follow_up_action = CharField(max_length=300, default="")
    follow_up_due = DateField(null=True)
    follow_up_assignee = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    follow_up_done_at = DateTimeField(null=True)
    follow_up_done_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "contacts_interaction"

    def __str__(self) -> str:
        return f"{self.kind_label} on {self.occurred_at:%Y-%m-%d}"

    @property
    def kind_label(self) -> str:
        return INTERACTION_KINDS.get(self.kind, self.kind)

    @property
    def direction_label(self) -> str:
        return DIRECTIONS.get(self.direction, "")

    @property
    def is_contact(self) -> bool:
        return self.held and self.kind not in NOT_CONTACT

    @property
    def held(self) -> bool:
        return self.status == "held"

    @property
    def planned(self) -> bool:
        return self.status == "planned"

    @property
    def status_label(self) -> str:
        return INTERACTION_STATUSES.get(self.status, self.status)

    @property
    def has_follow_up(self) -> bool:
        return self.follow_up_due is not None

    @property
    def follow_up_open(self) -> bool:
        return self.has_follow_up and self.follow_up_done_at is None

    def overdue(self, today: datetime.date | None = None) -> bool:
        return self.follow_up_open and self.follow_up_due < (today or utcnow().date())


def held() -> Expression:
    """The interactions that took place: only they count as contact (not planned, cancelled)."""
    return Interaction.status == "held"


class InteractionParticipant(TenantModel):
    """A person who took part in an interaction (the person it was logged for among them)."""

    interaction = ForeignKeyField(Interaction, on_delete="CASCADE", backref="+")
    person = ForeignKeyField(Person, on_delete="CASCADE", backref="+")

    class Meta:
        table_name = "contacts_interaction_participant"


class ContactDetail(TenantModel):
    """One of a person's email addresses or phone numbers, labelled; one primary per kind.

    The primary of each kind is mirrored in ``Person.email`` / ``Person.phone``
    (by ``details.set_details``, the one writer), so code that needs one
    address keeps reading the person row.
    """

    person = ForeignKeyField(Person, on_delete="CASCADE", backref="+")
    kind = CharField(max_length=5)  # "email" or "phone"
    value = CharField(max_length=254)  # normalised: as Person.email / Person.phone
    label = CharField(max_length=10, default="work")
    is_primary = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_person_detail"

    @property
    def label_text(self) -> str:
        return DETAIL_LABELS.get(self.label, self.label)

    @property
    def display(self) -> str:
        return phone_display(self.value) if self.kind == "phone" else str(self.value)


MODELS: list[Any] = [
    CustomerOrganisation,
    Person,
    ContactDetail,
    Tag,
    PersonTag,
    Affiliation,
    Interaction,
    InteractionParticipant,
]
