"""What a valid incident, action, team, canned reply or email template is."""

from __future__ import annotations

from typing import Any

from accord import Form, ValidationError, forms
from accord.inputs import integer
from accord.plugins.contacts.models import Person

from . import mail
from .choices import (
    CATEGORIES,
    CHANNELS,
    IMPACTS,
    PENDING_REASONS,
    RESOLUTION_CODES,
    TIERS,
    URGENCIES,
)
from .models import CannedReply, Team, TeamMember


class IncidentForm(Form):
    """A form checked against the organisation's records; views set ``org``.

    Optional text left empty is cleaned to ``""``, as the columns hold it.
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


class AboutForm(IncidentForm):
    """What the incident is about: shared by logging and editing."""

    title = forms.Text("Title", max_length=200, hint="In the reporter's words, short.")
    description = forms.TextArea("Description", max_length=20_000, required=False)
    service = forms.Choice("Service", coerce=int, hint="The service that is not working.")
    category = forms.Choice("Category", list(CATEGORIES.items()), default="other")
    channel = forms.Choice("Channel", list(CHANNELS.items()), default="phone")
    impact = forms.Choice("Impact", list(IMPACTS.items()), coerce=int, default=3)
    urgency = forms.Choice("Urgency", list(URGENCIES.items()), coerce=int, default=3)
    customer = forms.Choice(
        "Customer organisation",
        coerce=int,
        required=False,
        hint="Left empty, the reporter's main organisation.",
    )


class PersonPick(forms.Field):
    """The id of a contact, chosen from search results (checked against the organisation)."""


class LogForm(AboutForm):
    reporter = PersonPick("Reporter", required=False)
    new_first_name = forms.Text("First name", max_length=100, required=False)
    new_last_name = forms.Text("Last name", max_length=100, required=False)
    new_email = forms.Email("Email", required=False)
    new_phone = forms.Text("Phone", max_length=40, required=False, autocomplete="tel")
    team = forms.Choice("Team", coerce=int, required=False)
    assignee = forms.Choice("Assignee", coerce=int, required=False)

    def validate(self) -> None:
        raw = self.cleaned.get("reporter") or ""
        if raw:
            person = None
            if integer(raw) is not None:
                person = Person.get_or_none((Person.org == self.org) & (Person.id == integer(raw)))
            if person is None:
                self.add_error("reporter", "Choose the reporter from the search results.")
                return
            self.cleaned["reporter"] = person.id
        elif self.cleaned.get("new_first_name") and self.cleaned.get("new_last_name"):
            self.cleaned["reporter"] = None  # created by the view
        else:
            self.add_error(
                "reporter",
                "Find the reporter in contacts, or enter the first and last name of a new person.",
            )
        _check_member(self)

    @property
    def new_person(self) -> dict[str, Any]:
        return {
            "first_name": self.cleaned["new_first_name"],
            "last_name": self.cleaned["new_last_name"],
            "email": self.cleaned["new_email"] or None,
            "phone": self.cleaned["new_phone"] or None,
        }


def _check_member(form: IncidentForm) -> None:
    team, user = form.cleaned.get("team"), form.cleaned.get("assignee")
    if (
        team
        and user
        and not TeamMember.get_or_none((TeamMember.team == team) & (TeamMember.user == user))
    ):
        form.add_error("assignee", "Choose a member of the team, or no team.")


class EditForm(AboutForm):
    pass


class AssignForm(IncidentForm):
    team = forms.Choice("Team", coerce=int, required=False)
    assignee = forms.Choice("Assignee", coerce=int, required=False)

    def validate(self) -> None:
        if not self.cleaned.get("team") and not self.cleaned.get("assignee"):
            self.add_error("team", "Choose a team, a person, or both.")
            return
        _check_member(self)


class PendForm(IncidentForm):
    pending_reason = forms.Choice("Waiting for", list(PENDING_REASONS.items()))
    pending_note = forms.Text(
        "Details", max_length=300, required=False, hint="What or whom, e.g. “engineer visit Tue”."
    )


class ResolveForm(IncidentForm):
    resolution_code = forms.Choice("Resolution code", list(RESOLUTION_CODES.items()))
    resolution_notes = forms.TextArea(
        "Resolution notes", max_length=20_000, hint="What was wrong and what fixed it."
    )


class ReopenForm(IncidentForm):
    reason = forms.TextArea("Why reopen it", max_length=2000)


class NoteForm(IncidentForm):
    body = forms.TextArea("Message", max_length=20_000)
    kind = forms.Choice(
        "Who sees it",
        [("note", "Internal note: staff only"), ("reply", "Reply: emailed to the reporter")],
        default="note",
    )


class TeamForm(IncidentForm):
    name = forms.Text("Name", max_length=100)
    tier = forms.Choice("Tier", list(TIERS.items()), coerce=int, default=1)
    lead = forms.Choice("Team lead", coerce=int, required=False)
    description = forms.TextArea("What it looks after", max_length=2000, required=False)

    def validate(self) -> None:
        same = Team.in_org(self.org).where(Team.name == self.cleaned["name"])
        if self.instance_id:
            same = same.where(Team.id != self.instance_id)
        if same.exists():
            self.add_error("name", "Another team has this name.")


class MemberForm(IncidentForm):
    user = forms.Choice("Add a member", coerce=int)


class CannedReplyForm(IncidentForm):
    title = forms.Text("Title", max_length=100, hint="How agents find it, e.g. “Password reset”.")
    body = forms.TextArea(
        "Reply",
        max_length=20_000,
        hint="{reporter_first_name} and {reference} are filled in when it is used.",
    )

    def validate(self) -> None:
        same = CannedReply.in_org(self.org).where(CannedReply.title == self.cleaned["title"])
        if self.instance_id:
            same = same.where(CannedReply.id != self.instance_id)
        if same.exists():
            self.add_error("title", "Another canned reply has this title.")


class TemplateText(forms.TextArea):
    def parse(self, text: str) -> str:
        problem = mail.template_error(text)
        if problem:
            raise ValidationError(f"This template cannot be used. {problem}")
        return text


class TemplateLine(forms.Text):
    def parse(self, text: str) -> str:
        problem = mail.template_error(text)
        if problem:
            raise ValidationError(f"This subject cannot be used. {problem}")
        return text


class EmailTemplateForm(IncidentForm):
    subject = TemplateLine("Subject", max_length=200)
    body = TemplateText("Body", max_length=20_000)
