"""The forms of contacts: people, organisations, affiliations and interactions."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from accord import Form, forms, utcnow

from . import normalise
from .choices import (
    AGE_BANDS,
    CHANNELS,
    DIRECTIONS,
    INTERACTION_KINDS,
    LANGUAGES,
    NOT_CONTACT,
    ORGANISATION_KINDS,
    ORGANISATION_SIZES,
    age_band,
    countries,
)
from .detail_rows import DetailRows
from .details import KINDS, Detail
from .fields import EmailAddress, OrganisationName, PhoneNumber, TagList
from .normalise import DEFAULT_REGION

# How far ahead of the server's clock a logged interaction may be (clock skew, typing time).
FUTURE_SLACK = datetime.timedelta(minutes=10)
EARLIEST_BIRTH = datetime.date(1900, 1, 1)


@dataclass
class Fieldset:
    """Some fields of a form under a legend, as ``components/_form_fields.html`` renders them.

    It carries no errors and no version: the page shows the error summary and
    the version once, above every fieldset.
    """

    legend: str
    form: Form
    names: tuple[str, ...]
    errors: ClassVar[dict[str, str]] = {}
    version: ClassVar[None] = None
    form_error: ClassVar[None] = None

    def __iter__(self) -> Iterator[Any]:
        reach = getattr(self.form, "reach", {})
        for name in self.names:
            if name in reach:
                yield reach[name]  # a person's rows of addresses or numbers
            elif name in self.form.fields:
                yield self.form[name]

    def only(self, name: str) -> Fieldset:
        """One field of the set, for pages that render fields one at a time."""
        return Fieldset("", self.form, (name,))


class GroupedForm(Form):
    """A long form shown in fieldsets: ``fieldsets = [(legend, (name, …)), …]``.

    Fields typed as an organisation's name (``OrganisationName``) are turned
    into ids by ``validate``, among the active organisations of ``self.org``
    (set by the view before ``is_valid``).
    """

    fieldsets: ClassVar[list[tuple[str, tuple[str, ...]]]] = []
    org: Any = None

    def groups(self) -> list[Fieldset]:
        return [Fieldset(legend, self, names) for legend, names in self.fieldsets]

    def validate(self) -> None:
        from .lookups import organisation_named

        for name, field in self.fields.items():
            typed = self.cleaned.get(name)
            if isinstance(field, OrganisationName) and typed:
                found = organisation_named(self.org, typed)
                if found is None:
                    self.add_error(
                        name, f"There is no organisation called “{typed}”; add it first."
                    )
                else:
                    self.cleaned[name] = found.id


class PrimaryEmail(EmailAddress):
    """The primary email: it labels changes in the history; the rows (``reach``) set it."""

    def clean(self, raw: str) -> Any:
        return None


class PrimaryPhone(PhoneNumber):
    """The primary phone: it labels changes in the history; the rows (``reach``) set it."""

    def clean(self, raw: str) -> Any:
        return None


class PersonForm(GroupedForm):
    """A person; their addresses and numbers are rows (``detail_rows.DetailRows``) in ``reach``.

    ``cleaned["details"]`` holds them all; ``cleaned["email"]`` and
    ``cleaned["phone"]`` the primaries. Views set ``region`` for numbers typed
    without a country code.
    """

    first_name = forms.Text("First name", max_length=100)
    last_name = forms.Text("Last name", max_length=100)
    job_title = forms.Text("Job title", required=False, max_length=200)
    email = PrimaryEmail("Email", required=False)
    phone = PrimaryPhone("Phone", required=False)
    preferred_channel = forms.Choice("Preferred channel", list(CHANNELS.items()), required=False)
    preferred_language = forms.Choice("Preferred language", list(LANGUAGES.items()), required=False)
    address = forms.Text("Street address", required=False, max_length=300)
    postcode = forms.Text("Postcode", required=False, max_length=20, autocomplete="postal-code")
    city = forms.Text("Town or city", required=False, max_length=100)
    region = forms.Text("County or region", required=False, max_length=100)
    country = forms.Choice("Country", lambda: list(countries().items()), required=False)
    date_of_birth = forms.Date("Date of birth", required=False)
    age_band = forms.Choice(
        "Age band",
        list(AGE_BANDS.items()),
        required=False,
        hint="When only the age is known. A date of birth sets the band itself.",
    )
    tag_names = TagList(
        "Tags", required=False, hint="Separate tags with commas: governor, ICT lead, newsletter"
    )
    owner = forms.Choice(
        "Owner", coerce=int, required=False, hint="The member of staff who looks after them."
    )
    notes = forms.TextArea("Notes", required=False, max_length=5000)

    fieldsets: ClassVar[list[tuple[str, tuple[str, ...]]]] = [
        ("Who they are", ("first_name", "last_name", "job_title", "organisation", "role")),
        ("How to reach them", ("email", "phone", "preferred_channel", "preferred_language")),
        ("Where they are", ("address", "postcode", "city", "region", "country")),
        ("Age", ("date_of_birth", "age_band")),
        ("Relationship", ("owner", "tag_names", "notes")),
    ]

    region: str = DEFAULT_REGION

    def __init__(self, data: Any = None, **options: Any) -> None:
        super().__init__(data, **options)
        self.reach = {
            kind: DetailRows.from_data(kind, data) if data is not None else DetailRows(kind)
            for kind in KINDS
        }

    def show_details(self, details: list[Detail]) -> None:
        """Show a stored person's addresses and numbers (an unbound form)."""
        self.reach = {kind: DetailRows.from_details(kind, details) for kind in KINDS}

    def is_valid(self) -> bool:
        if self.bound and not self._checked:
            super().is_valid()
            parse = {"email": normalise.email, "phone": self._phone}
            for kind, rows in self.reach.items():
                if rows.check(parse[kind]):
                    self.cleaned[kind] = rows.primary
                else:
                    self.errors[kind] = str(rows.error)
            self.cleaned["details"] = [d for rows in self.reach.values() for d in rows.details]
        return self.bound and not self.errors

    def _phone(self, text: str) -> str:
        return normalise.phone(text, self.region)

    def validate(self) -> None:
        super().validate()
        born = self.cleaned.get("date_of_birth")
        if born is not None:
            today = utcnow().date()
            if not EARLIEST_BIRTH <= born <= today:
                self.add_error("date_of_birth", "Enter a date of birth in the past.")
            else:
                self.cleaned["age_band"] = age_band(born, today)


class NewPersonForm(PersonForm):
    """A new person, with the organisation they belong to (more can be added later)."""

    organisation = OrganisationName("Organisation", required=False)
    role = forms.Text(
        "Role there", required=False, max_length=200, hint="For example: Head teacher, IT lead."
    )

    def validate(self) -> None:
        super().validate()
        if self.cleaned.get("role") and not self.cleaned.get("organisation"):
            self.add_error("organisation", "Choose the organisation this role is in.")


class OrganisationForm(GroupedForm):
    name = forms.Text("Name", max_length=200)
    kind = forms.Choice("Type", list(ORGANISATION_KINDS.items()), default="department")
    industry = forms.Text(
        "Sector", required=False, max_length=100, hint="For example: Education, Social care."
    )
    size = forms.Choice("Size", list(ORGANISATION_SIZES.items()), required=False)
    parent = OrganisationName(
        "Part of", required=False, hint="The organisation this one belongs to, if any."
    )
    address = forms.Text("Street address", required=False, max_length=300)
    postcode = forms.Text("Postcode", required=False, max_length=20, autocomplete="postal-code")
    city = forms.Text("Town or city", required=False, max_length=100)
    region = forms.Text("County or region", required=False, max_length=100)
    country = forms.Choice("Country", lambda: list(countries().items()), required=False)
    account_owner = forms.Choice("Account owner", coerce=int, required=False)
    notes = forms.TextArea("Notes", required=False, max_length=5000)

    fieldsets: ClassVar[list[tuple[str, tuple[str, ...]]]] = [
        ("The organisation", ("name", "kind", "industry", "size", "parent")),
        ("Address", ("address", "postcode", "city", "region", "country")),
        ("Relationship", ("account_owner", "notes")),
    ]


class AffiliationForm(GroupedForm):
    organisation = OrganisationName("Organisation")
    role = forms.Text("Role", required=False, max_length=200)
    is_primary = forms.Checkbox("Their main organisation")

    fieldsets: ClassVar[list[tuple[str, tuple[str, ...]]]] = [
        ("Add an organisation", ("organisation", "role", "is_primary")),
    ]


class InteractionForm(GroupedForm):
    kind = forms.Choice("What", list(INTERACTION_KINDS.items()), default="call")
    direction = forms.Choice(
        "Who started it", list(DIRECTIONS.items()), required=False, default="inbound"
    )
    status = forms.Choice(
        "Held or planned",
        [("held", "It has happened"), ("planned", "Planned for later")],
        default="held",
        required=False,
    )
    occurred_at = forms.DateTime("When")
    duration_minutes = forms.Integer("Minutes", required=False, min_value=0, max_value=24 * 60)
    summary = forms.TextArea("Summary", max_length=5000)
    outcome = forms.Text("Outcome", required=False, max_length=300)
    organisation = forms.Choice("For organisation", coerce=int, required=False)
    follow_up_action = forms.Text(
        "Follow-up", required=False, max_length=300, hint="What needs doing next, if anything."
    )
    follow_up_due = forms.Date("Follow-up due", required=False)
    follow_up_assignee = forms.Choice(
        "Follow-up by", coerce=int, required=False, hint="Left empty, it is yours."
    )

    fieldsets: ClassVar[list[tuple[str, tuple[str, ...]]]] = [
        (
            "What happened",
            (
                "kind",
                "direction",
                "status",
                "occurred_at",
                "duration_minutes",
                "summary",
                "outcome",
                "organisation",
            ),
        ),
        ("What is next", ("follow_up_action", "follow_up_due", "follow_up_assignee")),
    ]

    def validate(self) -> None:
        super().validate()
        data = self.cleaned
        if data["kind"] in NOT_CONTACT:
            data["direction"] = None
        elif not data.get("direction"):
            self.add_error("direction", "Say whether the customer or we started it.")
        when = data["occurred_at"]
        data["status"] = data.get("status") or "held"
        if data["status"] == "held" and when > utcnow() + FUTURE_SLACK:
            self.add_error(
                "occurred_at", "This is in the future: choose “Planned for later”, or its time."
            )
        elif data["status"] == "planned" and when <= utcnow():
            self.add_error("occurred_at", "A planned interaction is in the future.")
        action, due = data.get("follow_up_action"), data.get("follow_up_due")
        if action and due is None:
            self.add_error("follow_up_due", "Give the follow-up a due date.")
        elif due is not None and not action:
            self.add_error("follow_up_action", "Say what needs doing by then.")
        elif due is not None and due < when.date():
            self.add_error("follow_up_due", "The follow-up cannot be due before the interaction.")
        if due is None:
            data["follow_up_assignee"] = None
