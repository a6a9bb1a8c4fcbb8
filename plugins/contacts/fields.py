"""Form fields for contact details, checked and normalised as they are entered."""

from __future__ import annotations

from typing import Any

from accord import ValidationError, forms

from . import normalise


class EmailAddress(forms.Email):
    """An email address, checked and normalised by email-validator (no DNS look-up)."""

    def parse(self, text: str) -> str:
        try:
            return normalise.email(text)
        except normalise.InvalidValue as exc:
            raise ValidationError(str(exc)) from None


class PhoneNumber(forms.Field):
    """A phone number, stored as E.164; numbers without a country code are read in ``region``.

    Views set ``form.fields["phone"].region`` from the plugin's settings.
    """

    input_type = "tel"

    def __init__(self, label: str, *, region: str = normalise.DEFAULT_REGION, **options: Any):
        options.setdefault("max_length", 40)
        options.setdefault("autocomplete", "tel")
        super().__init__(label, **options)
        self.region = region

    def parse(self, text: str) -> str:
        try:
            return normalise.phone(text, self.region)
        except normalise.InvalidValue as exc:
            raise ValidationError(str(exc)) from None

    def to_raw(self, value: Any) -> str:
        return normalise.phone_display(value) if value else ""


class TagList(forms.Field):
    """Comma-separated tags; the cleaned value is the tidied list of names."""

    def __init__(self, label: str, **options: Any) -> None:
        options.setdefault("max_length", 1100)
        super().__init__(label, **options)

    def parse(self, text: str) -> list[str]:
        try:
            return normalise.tags(text)
        except normalise.InvalidValue as exc:
            raise ValidationError(str(exc)) from None

    def to_raw(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return super().to_raw(value)


class OrganisationName(forms.Text):
    """A customer organisation, typed by name with suggestions (``contacts/_field.html``).

    A select of every organisation would be thousands of options on every
    page that shows one; this is a text input whose suggestions htmx fetches
    as the user types. The form's ``validate`` turns the name into an id.
    """

    suggest = True

    def __init__(self, label: str, **options: Any) -> None:
        options.setdefault("max_length", 200)
        options.setdefault("hint", "Start typing the name, then pick it from the suggestions.")
        super().__init__(label, **options)

    def to_raw(self, value: Any) -> str:
        """A stored id as the organisation's name (ids come only from this organisation's rows)."""
        if isinstance(value, int):
            from .models import CustomerOrganisation

            found = CustomerOrganisation.get_or_none(CustomerOrganisation.id == value)
            return found.name if found is not None else ""
        return super().to_raw(value)
