"""The catalogue's forms: what a valid service, component, calendar or set of levels is."""

from __future__ import annotations

from typing import Any

from peewee import fn

from accord import Form, ValidationError, forms

from . import hours
from .models import (
    COMPONENT_KINDS,
    DAY_FIELDS,
    PRIORITIES,
    STATUSES,
    Service,
    ServiceCategory,
)
from .wording import (
    MAX_TARGET_MINUTES,
    country_names,
    duration_text,
    parse_duration,
    subdivision_names,
)

CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class Code(forms.Text):
    def parse(self, text: str) -> str:
        code = text.upper()
        if not set(code) <= CODE_CHARS:
            raise ValidationError("Use letters, digits and dashes only, like EMAIL or NET-WAN.")
        return code


class TimeZone(forms.Text):
    def parse(self, text: str) -> str:
        try:
            hours.check_timezone(text)
        except ValueError:
            raise ValidationError("Enter a time zone name like Europe/London.") from None
        return text


class Hours(forms.Text):
    """One weekday's working hours: ``08:00-18:00`` or ``08:00-12:00, 13:00-17:30``."""

    def parse(self, text: str) -> str:
        try:
            return hours.format_windows(hours.parse_windows(text))
        except ValueError:
            raise ValidationError(
                "Enter hours like 08:00-18:00, or 08:00-12:00, 13:00-17:30 for a split day."
            ) from None


class Duration(forms.Field):
    """Business minutes typed as ``30``, ``30m``, ``4h`` or ``1h 30m``."""

    inputmode = "text"

    def parse(self, text: str) -> int:
        try:
            minutes = parse_duration(text)
        except ValueError:
            raise ValidationError("Enter a time like 30m, 4h or 1h 30m.") from None
        if not 0 < minutes <= MAX_TARGET_MINUTES:
            raise ValidationError("Enter more than 0 and at most 90 days of business time.")
        return minutes

    def to_raw(self, value: Any) -> str:
        return duration_text(value) if isinstance(value, int) else super().to_raw(value)


class CatalogueForm(Form):
    """A form whose ``validate`` may check the organisation's other records.

    Optional text left empty is saved as ``""``, as the catalogue's columns hold it.
    """

    org: Any = None
    instance_id: int | None = None

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if valid:
            for name, field in self.fields.items():
                if isinstance(field, forms.Text | forms.TextArea) and self.cleaned[name] is None:
                    self.cleaned[name] = ""
        return valid


class ServiceForm(CatalogueForm):
    name = forms.Text("Name", max_length=200)
    code = Code("Code", max_length=30, hint="A short reference, like EMAIL or NET-WAN.")
    summary = forms.Text(
        "Summary", max_length=300, required=False, hint="One sentence a customer understands."
    )
    description = forms.TextArea("Description", max_length=10_000, required=False)
    category = forms.Choice("Category", coerce=int, required=False)
    owner = forms.Choice("Service owner", coerce=int, required=False)
    status = forms.Choice("Status", list(STATUSES.items()), default="planned")
    audience = forms.TextArea(
        "Who may request it",
        max_length=2000,
        required=False,
        hint="In words a customer reads, like “All staff” or “Finance and HR teams”.",
    )
    requestable = forms.Checkbox("Customers can request this service")
    calendar = forms.Choice(
        "Business hours",
        coerce=int,
        required=False,
        hint="The calendar the service levels are measured in; none means around the clock.",
    )

    def validate(self) -> None:
        taken = Service.in_org(self.org).where(Service.code == self.cleaned["code"])
        if self.instance_id is not None:
            taken = taken.where(Service.id != self.instance_id)
        if taken.exists():
            self.add_error("code", "Another service has this code.")
        if self.cleaned["requestable"] and self.cleaned["status"] == "retired":
            self.add_error("requestable", "A retired service cannot be requested.")


class CategoryForm(CatalogueForm):
    name = forms.Text("Name", max_length=100)
    description = forms.TextArea("Description", max_length=2000, required=False)
    position = forms.Integer(
        "Order", min_value=0, max_value=10_000, default=100, hint="Lower comes first."
    )

    def validate(self) -> None:
        taken = ServiceCategory.in_org(self.org).where(
            fn.LOWER(ServiceCategory.name) == self.cleaned["name"].lower()
        )
        if self.instance_id is not None:
            taken = taken.where(ServiceCategory.id != self.instance_id)
        if taken.exists():
            self.add_error("name", "There is already a category with this name.")


class ComponentForm(CatalogueForm):
    name = forms.Text("Name", max_length=200)
    kind = forms.Choice("Kind", list(COMPONENT_KINDS.items()), default="application")
    description = forms.TextArea("Description", max_length=10_000, required=False)


class CalendarForm(CatalogueForm):
    name = forms.Text("Name", max_length=100, hint="Like “UK office hours” or “24×7”.")
    timezone = TimeZone(
        "Time zone", max_length=64, default="Europe/London", hint="An IANA name like Europe/London."
    )
    country = forms.Choice(
        "Public holidays of",
        required=False,
        hint="Closed on this country's public holidays; leave empty to ignore holidays.",
    )
    subdivision = forms.Text(
        "Region", max_length=10, required=False, hint="Optional, like ENG for England, NY, BY."
    )
    mon = Hours("Monday", max_length=100, required=False, hint="Empty: closed all day.")
    tue = Hours("Tuesday", max_length=100, required=False)
    wed = Hours("Wednesday", max_length=100, required=False)
    thu = Hours("Thursday", max_length=100, required=False)
    fri = Hours("Friday", max_length=100, required=False)
    sat = Hours("Saturday", max_length=100, required=False)
    sun = Hours("Sunday", max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = list(country_names().items())

    def validate(self) -> None:
        country = self.cleaned.get("country") or ""
        subdivision = (self.cleaned.get("subdivision") or "").upper()
        known = subdivision_names(country)
        if subdivision and not country:
            self.add_error("subdivision", "Choose the country first, or leave the region empty.")
        elif subdivision and subdivision not in known:
            listed = ", ".join(known) or "none"
            self.add_error("subdivision", f"Not a region of this country (known: {listed}).")
        self.cleaned["subdivision"] = subdivision
        self.cleaned["country"] = country
        for name in DAY_FIELDS:
            self.cleaned[name] = self.cleaned.get(name) or ""
        if not any(self.cleaned[name] for name in DAY_FIELDS):
            self.add_error("mon", "Give working hours for at least one day of the week.")


class ClosureForm(CatalogueForm):
    starts_on = forms.Date("First day closed")
    ends_on = forms.Date("Last day closed", required=False, hint="Empty: one day only.")
    reason = forms.Text("Reason", max_length=200, hint="Like “Christmas shutdown”.")

    def validate(self) -> None:
        starts, ends = (
            self.cleaned["starts_on"],
            self.cleaned["ends_on"] or self.cleaned["starts_on"],
        )
        if ends < starts:
            self.add_error("ends_on", "The last day cannot be before the first.")
        elif (ends - starts).days > 366:
            self.add_error("ends_on", "A closure lasts a year at most.")
        self.cleaned["ends_on"] = ends


def _levels_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for priority, name in PRIORITIES.items():
        label = f"P{priority} {name}"
        fields[f"p{priority}_response"] = Duration(f"{label}: response", required=False)
        fields[f"p{priority}_resolution"] = Duration(f"{label}: resolution", required=False)
        fields[f"p{priority}_warning"] = forms.Integer(
            f"{label}: warning at", min_value=1, max_value=99, required=False
        )
    return fields


class _LevelsMatrix(Form):
    """P1–P4 × response, resolution and warning threshold; an empty row agrees no level."""

    def rows(self) -> list[tuple[int, str, list[Any]]]:
        """``(priority, name, [response, resolution, warning])`` bound fields per row."""
        return [
            (p, name, [self[f"p{p}_{part}"] for part in ("response", "resolution", "warning")])
            for p, name in PRIORITIES.items()
        ]

    def validate(self) -> None:
        for priority in PRIORITIES:
            response = self.cleaned[f"p{priority}_response"]
            resolution = self.cleaned[f"p{priority}_resolution"]
            warning = self.cleaned[f"p{priority}_warning"]
            if response is None and resolution is None:
                if warning is not None:
                    self.add_error(f"p{priority}_response", "Enter the targets, or clear the row.")
                continue
            if response is None:
                self.add_error(f"p{priority}_response", "Enter a response target too.")
            elif resolution is None:
                self.add_error(f"p{priority}_resolution", "Enter a resolution target too.")
            elif resolution < response:
                self.add_error(
                    f"p{priority}_resolution", "Resolution cannot come before the response."
                )

    def levels(self) -> dict[int, tuple[int, int, int] | None]:
        """Per priority, ``(response, resolution, warning %)``, or None for no level."""
        found: dict[int, tuple[int, int, int] | None] = {}
        for p in PRIORITIES:
            response = self.cleaned[f"p{p}_response"]
            resolution = self.cleaned[f"p{p}_resolution"]
            warning = self.cleaned[f"p{p}_warning"] or 75
            found[p] = None if response is None else (response, resolution, warning)
        return found


LevelsForm = type("LevelsForm", (_LevelsMatrix,), _levels_fields())
