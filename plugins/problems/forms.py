"""Problems' forms: a problem's record, and the fields each status move asks for."""

from __future__ import annotations

from typing import Any

from accord import Form, forms
from accord.plugins.incidents.choices import CATEGORIES

from .choices import PRIORITIES


class ProblemsForm(Form):
    """Optional text left empty is saved as ``""``, as problems' columns hold it."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if valid:
            for name, field in self.fields.items():
                if isinstance(field, forms.Text | forms.TextArea) and self.cleaned[name] is None:
                    self.cleaned[name] = ""
        return valid


class ProblemForm(ProblemsForm):
    title = forms.Text(
        "Title", max_length=200, hint="The fault in a line, like “VPN drops every ten minutes”."
    )
    service = forms.Choice("Service", coerce=int, required=False)
    category = forms.Choice("Category", list(CATEGORIES.items()), default="other")
    priority = forms.Choice("Priority", list(PRIORITIES.items()), coerce=int, default=3)
    owner = forms.Choice("Owner", coerce=int, required=False)
    symptoms = forms.TextArea(
        "Symptoms", max_length=10_000, required=False, hint="What people see when it happens."
    )
    workaround = forms.TextArea(
        "Workaround",
        max_length=10_000,
        required=False,
        hint="How to get people working again until it is fixed: the desk reads it out.",
    )
    root_cause = forms.TextArea("Root cause", max_length=10_000, required=False)
    fix_change = forms.Text(
        "Fixing change",
        max_length=100,
        required=False,
        hint="The change's reference, like CHG-1042.",
    )
    fix_description = forms.TextArea("What the change did", max_length=10_000, required=False)


class KnownErrorForm(ProblemsForm):
    workaround = forms.TextArea(
        "Workaround", max_length=10_000, hint="How to get people working again until it is fixed."
    )


class ResolveForm(ProblemsForm):
    root_cause = forms.TextArea("Root cause", max_length=10_000)
    fix_change = forms.Text("Fixing change", max_length=100, hint="Its reference, like CHG-1042.")
    fix_description = forms.TextArea("What the change did", max_length=10_000, required=False)


class NoFieldsForm(ProblemsForm):
    """A move that needs nothing but the version it was shown at."""


MOVE_FORMS: dict[str, type[ProblemsForm]] = {
    "investigate": NoFieldsForm,
    "known_error": KnownErrorForm,
    "resolve": ResolveForm,
    "close": NoFieldsForm,
    "reopen": NoFieldsForm,
}


def move_form(name: str, data: Any = None, problem: Any = None) -> ProblemsForm:
    form_class = MOVE_FORMS[name]
    if data is not None:
        return form_class(data)
    return form_class.from_instance(problem)  # type: ignore[return-value]
