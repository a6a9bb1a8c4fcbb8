"""What a valid complaint and each of its moves is."""

from __future__ import annotations

import re
from typing import Any

from accord import Form, forms
from accord.inputs import integer
from accord.plugins.contacts.models import Person

from .choices import CAUSES, CHANNELS, DIRECTIONS, LETTER_CHANNELS, SEVERITIES, STEPS

INCIDENT_REFERENCE = re.compile(r"^(?:inc)?[-\s]?0*(\d{1,9})$", re.IGNORECASE)


class ComplaintForm(Form):
    """A complaint; views set ``org``, the pickers' choices and what optional plugins are on."""

    org: Any = None
    with_incidents: bool = False

    person = forms.Field("Complainant", required=False)
    description = forms.TextArea(
        "What they complain about", max_length=20_000, hint="In the complainant's words."
    )
    cause = forms.Choice("Cause", list(CAUSES.items()), default="other")
    channel = forms.Choice("Received by", list(CHANNELS.items()), default="email")
    severity = forms.Choice("Severity", list(SEVERITIES.items()), default="medium")
    service_id = forms.Choice("Service", coerce=int, required=False)
    incident = forms.Text(
        "Related incident", max_length=20, required=False, hint="Its reference, like INC-000123."
    )
    owner = forms.Choice("Owner", coerce=int, required=False, hint="Who sees it through.")

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if self.bound and not valid and "person" not in self.errors:
            self._check_person()  # said at once, not after the other fields are fixed
        return valid and not self.errors

    def validate(self) -> None:
        self._check_person()
        self.cleaned["incident_id"] = None
        reference = (self.cleaned.pop("incident", None) or "").strip()
        if reference:
            self.cleaned["incident_id"] = self._incident_id(reference)
            if self.cleaned["incident_id"] is None:
                self.add_error("incident", "No incident of this organisation has this reference.")

    def _check_person(self) -> None:
        raw = self.values.get("person") or ""
        person = None
        if integer(raw) is not None:
            person = Person.get_or_none((Person.org == self.org) & (Person.id == integer(raw)))
        if person is None:
            self.add_error("person", "Find the complainant in contacts and choose them.")
        else:
            self.cleaned["person"] = person.id
            self.cleaned["customer"] = person.organisation_id

    def _incident_id(self, reference: str) -> int | None:
        match = INCIDENT_REFERENCE.match(reference)
        if not self.with_incidents or match is None:
            return None
        from accord.plugins.incidents.models import Incident  # incidents is optional

        found = Incident.in_org(self.org).where(Incident.number == int(match.group(1))).first()
        return found.id if found else None


class RespondForm(Form):
    response = forms.TextArea(
        "Response", max_length=20_000, hint="What the complainant was told, and what happens next."
    )


class CloseForm(Form):
    lesson = forms.TextArea("Lesson learned", max_length=20_000)
    improvement = forms.TextArea(
        "Improvement action", max_length=20_000, hint="What changes so it does not happen again."
    )


class RecordForm(Form):
    """Correspondence that happened elsewhere; views set ``step``'s choices (or remove it)."""

    direction = forms.Choice("Direction", list(DIRECTIONS.items()), default="out")
    channel = forms.Choice("How", list(LETTER_CHANNELS.items()), default="letter")
    occurred_at = forms.DateTime("When")
    subject = forms.Text("Subject", max_length=300, required=False)
    summary = forms.TextArea(
        "Summary", max_length=20_000, hint="What was said or written, in a few lines."
    )
    step = forms.Choice(
        "Workflow step",
        list(STEPS.items()),
        required=False,
        hint="If this message to the complainant acknowledged or answered the complaint.",
    )

    def validate(self) -> None:
        if self.cleaned.get("step") and self.cleaned.get("direction") != "out":
            self.add_error(
                "step", "Only a message to the complainant can acknowledge or answer it."
            )


class EmailForm(Form):
    """An email to the complainant, sent from the complaint."""

    subject = forms.Text("Subject", max_length=300)
    body = forms.TextArea("Message", max_length=20_000)
    step = forms.Choice(
        "Workflow step",
        list(STEPS.items()),
        required=False,
        hint="If this email acknowledges or answers the complaint.",
    )
