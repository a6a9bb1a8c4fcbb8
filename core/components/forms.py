"""Declarative forms: typed fields, server-side validation, the user's input kept.

::

    class NoteForm(Form):
        title = forms.Text("Title", max_length=200)
        body = forms.TextArea("Note", required=False)
        due = forms.Date("Due", required=False)

    def edit(request):
        note = get_or_404(Note, request, request.path_params["pk"])
        if request.method == "GET":
            return render_form(request, NoteForm.from_instance(note), title="Edit note", action=...)
        form = NoteForm(form_data(request))
        if not form.is_valid():
            return render_form(request, form, title="Edit note", action=...)  # 422, input kept
        save_versioned(note, form.version, form.cleaned)

A bound form (built from submitted data) shows exactly what the user typed,
valid or not; an unbound one shows ``initial`` values.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from ..templating import render
from .fields import (
    Checkbox,
    Choice,
    Date,
    DateTime,
    Email,
    Field,
    Integer,
    Text,
    TextArea,
    ValidationError,
)

__all__ = [
    "BoundField",
    "Checkbox",
    "Choice",
    "Date",
    "DateTime",
    "Email",
    "Field",
    "Form",
    "Integer",
    "Text",
    "TextArea",
    "ValidationError",
    "render_form",
]

FORM_ERROR = "__form__"


@dataclass(frozen=True)
class BoundField:
    """A field of one form instance, as ``_form_fields.html`` renders it."""

    field: Field
    id: str
    value: str
    error: str | None

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def choices(self) -> list[tuple[str, str]]:
        return self.field.options() if isinstance(self.field, Choice) else []

    @property
    def describedby(self) -> str:
        ids = [f"{self.id}-hint"] if self.field.hint else []
        return " ".join([*ids, f"{self.id}-error"] if self.error else ids)


class Form:
    """Subclass and declare fields as class attributes, in display order."""

    declared: ClassVar[dict[str, Field]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[str, Field] = {}
        for klass in reversed(cls.__mro__):
            found.update({k: v for k, v in vars(klass).items() if isinstance(v, Field)})
        cls.declared = found

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        initial: Mapping[str, Any] | None = None,
        version: Any = None,
        prefix: str = "f-",
        zone: ZoneInfo | None = None,
    ) -> None:
        # Per-instance copies, so a view may set ``form.fields["owner"].choices``.
        self.fields = {name: copy.copy(f) for name, f in self.declared.items()}
        for field in self.fields.values():
            if zone is not None and isinstance(field, DateTime):
                field.zone = zone  # typed and shown in the organisation's time zone
        self.bound = data is not None
        self.prefix = prefix
        self.errors: dict[str, str] = {}
        self.cleaned: dict[str, Any] = {}
        self._checked = False
        if data is not None:
            self.values = {name: _text(data.get(name)) for name in self.fields}
            self.version = version if version is not None else (_text(data.get("version")) or None)
        else:
            start = {**{n: f.default for n, f in self.fields.items()}, **(initial or {})}
            self.values = {name: f.to_raw(start.get(name)) for name, f in self.fields.items()}
            self.version = version

    @classmethod
    def from_instance(cls, instance: Any, **options: Any) -> Form:
        """An unbound form showing ``instance``'s values (and carrying its version)."""
        data = getattr(instance, "__data__", {})
        initial = {
            name: data[name] if name in data else getattr(instance, name, None)
            for name in cls.declared
        }
        options.setdefault("version", data.get("version"))
        return cls(initial=initial, **options)

    def is_valid(self) -> bool:
        """True when submitted data passed every check; fills ``cleaned`` and ``errors``."""
        if self.bound and not self._checked:
            self._checked = True
            for name, field in self.fields.items():
                try:
                    self.cleaned[name] = field.clean(self.values[name])
                except ValidationError as exc:
                    self.errors[name] = str(exc)
            if not self.errors:
                self.validate()
        return self.bound and not self.errors

    def validate(self) -> None:
        """Override for checks across fields or against the database; call ``add_error``."""

    def add_error(self, name: str | None, message: str) -> None:
        """Mark field ``name`` (or the whole form, with None) as wrong."""
        self.errors[name or FORM_ERROR] = message
        self.cleaned.pop(name or FORM_ERROR, None)

    @property
    def form_error(self) -> str | None:
        return self.errors.get(FORM_ERROR)

    @property
    def status_code(self) -> int:
        """422 when the submitted data has errors, else 200."""
        return 422 if self.errors else 200

    def __getitem__(self, name: str) -> BoundField:
        return BoundField(
            self.fields[name], f"{self.prefix}{name}", self.values[name], self.errors.get(name)
        )

    def __iter__(self) -> Iterator[BoundField]:
        return (self[name] for name in self.fields)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def render_form(
    request: Request,
    form: Form,
    *,
    title: str,
    action: str,
    submit_label: str = "Save",
    cancel_url: str | None = None,
    template: str = "components/form.html",
    context: dict[str, Any] | None = None,
) -> Response:
    """The page of ``form``: 422 with the user's input and inline errors when it has errors."""
    values = {
        "form": form,
        "title": title,
        "action": action,
        "submit_label": submit_label,
        "cancel_url": cancel_url,
    }
    return render(
        request, template, {**values, **(context or {})}, block="form", status_code=form.status_code
    )
