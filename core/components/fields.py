"""Form fields: how a value is entered, checked and shown again.

Each field turns the submitted text into a typed value or raises
``ValidationError`` with a message for the person who typed it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


QUESTION_WORDS = {"who", "what", "which", "when", "where", "how"}
PREPOSITIONS = {"by", "for", "of", "per", "with", "to", "from", "in", "on"}


def lowered(label: str) -> str:
    """A label as it reads mid-sentence: "Service" -> "service"; "SMTP port" stays."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def choose(label: str) -> str:
    """ "Choose a service.", "Choose who sees it.", "Choose business hours." """
    words, text = label.split(), lowered(label)
    if not words:
        return "Choose one of the options."
    if words[0].lower() in QUESTION_WORDS:
        return f"Choose {text}."
    if words[0].lower() in PREPOSITIONS or words[-1].lower() in PREPOSITIONS:
        return f"Choose an option for “{label}”."
    last = words[-1].lower()
    if last.endswith("s") and not last.endswith(("ss", "us")):  # plural: no article
        return f"Choose {text}."
    # An acronym is read letter by letter: "an SLA level", "a VIP".
    vowels = "AEFHILMNORSX" if text[:2].isupper() else "aeiouAEIOU"
    article = "an" if text[:1] in vowels else "a"
    return f"Choose {article} {text}."


class ValidationError(ValueError):
    """A value the user must correct; the message is shown next to the field."""


class Field:
    """A form field: a label, how it is entered, and what a valid value is."""

    input_type = "text"
    inputmode = ""
    widget = "input"  # "input", "textarea", "select" or "checkbox"

    def __init__(
        self,
        label: str,
        *,
        required: bool = True,
        max_length: int | None = None,
        hint: str = "",
        default: Any = None,
        autocomplete: str = "",
    ) -> None:
        self.label = label
        self.required = required
        self.max_length = max_length
        self.hint = hint
        self.default = default
        self.autocomplete = autocomplete
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def clean(self, raw: str) -> Any:
        """The typed value of ``raw``, or ``ValidationError``."""
        text = raw.strip()
        if not text:
            if self.required:
                raise ValidationError(self.empty_message())
            return None
        if self.max_length is not None and len(text) > self.max_length:
            raise ValidationError(
                f"Use at most {self.max_length} characters (this has {len(text)})."
            )
        return self.parse(text)

    def empty_message(self) -> str:
        """What a person reads when they left this required field empty."""
        return f"Enter {lowered(self.label)}."

    def parse(self, text: str) -> Any:
        return text

    def to_raw(self, value: Any) -> str:
        """The text an input shows for a stored ``value``."""
        return "" if value is None else str(value)

    def display(self, raw: str) -> str:
        """How ``raw`` reads to a person (a choice's label rather than its value)."""
        return raw


class Text(Field):
    pass


class Email(Field):
    input_type = "email"

    def __init__(self, label: str, **options: Any) -> None:
        options.setdefault("max_length", 254)
        options.setdefault("autocomplete", "email")
        super().__init__(label, **options)

    def parse(self, text: str) -> str:
        if not EMAIL.match(text):
            raise ValidationError("Enter an email address like name@example.org.")
        return text


class TextArea(Field):
    widget = "textarea"

    def clean(self, raw: str) -> Any:
        return super().clean(raw.replace("\r\n", "\n"))


class Integer(Field):
    # type="number" would make browsers drop what the user typed when it is not a number.
    inputmode = "numeric"

    def __init__(
        self,
        label: str,
        *,
        min_value: int | None = None,
        max_value: int | None = None,
        **options: Any,
    ):
        super().__init__(label, **options)
        self.min_value, self.max_value = min_value, max_value

    def empty_message(self) -> str:
        if self.min_value is not None and self.max_value is not None:
            return f"Enter a whole number from {self.min_value} to {self.max_value}."
        return super().empty_message()

    def parse(self, text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise ValidationError("Enter a whole number, like 12.") from None
        low, high = self.min_value, self.max_value
        if low is not None and high is not None and not low <= number <= high:
            raise ValidationError(f"Enter a whole number from {low} to {high}.")
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(f"Enter {self.min_value} or more.")
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(f"Enter {self.max_value} or less.")
        return number


class Choice(Field):
    """One of ``choices``, ``(value, label)`` pairs; ``coerce`` types the chosen value.

    ``choices`` may be a function returning the pairs, called when a form first
    needs them: a long list that is costly to build (every country) then costs
    nothing when the server starts. A view may replace
    ``form.fields[name].choices`` on its own form instance.
    """

    widget = "select"

    def __init__(
        self,
        label: str,
        choices: Sequence[tuple[Any, str]] | Callable[[], Sequence[tuple[Any, str]]] = (),
        *,
        coerce: Callable[[str], Any] = str,
        **options: Any,
    ) -> None:
        super().__init__(label, **options)
        self._choices = choices if callable(choices) else list(choices)
        self.coerce = coerce

    @property
    def choices(self) -> list[tuple[Any, str]]:
        if callable(self._choices):
            self._choices = list(self._choices())
        return self._choices

    @choices.setter
    def choices(self, pairs: Sequence[tuple[Any, str]]) -> None:
        self._choices = list(pairs)

    def empty_message(self) -> str:
        return choose(self.label)

    def options(self) -> list[tuple[str, str]]:
        """The choices with their values as the text a browser sends."""
        return [(str(value), text) for value, text in self.choices]

    def parse(self, text: str) -> Any:
        if text not in dict(self.options()):
            raise ValidationError(f"Choose one of the options for {self.label.lower()}.")
        return self.coerce(text)

    def display(self, raw: str) -> str:
        return dict(self.options()).get(raw, raw)


class Date(Field):
    input_type = "date"

    def parse(self, text: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValidationError("Enter a date like 2025-03-31.") from None


class DateTime(Field):
    """A moment typed as a date and a time of day.

    Stored as naive UTC. Set ``zone`` on a form's own field (``form.fields[name]
    .zone = org.zone``) and people type and see it in that time zone instead.
    """

    input_type = "datetime-local"
    zone: ZoneInfo | None = None

    def parse(self, text: str) -> datetime.datetime:
        try:
            moment = datetime.datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            raise ValidationError("Enter a date and time like 2025-03-31 14:30.") from None
        if self.zone is None:
            return moment
        local = moment.replace(tzinfo=self.zone)
        return local.astimezone(datetime.UTC).replace(tzinfo=None)

    def to_raw(self, value: Any) -> str:
        if not isinstance(value, datetime.datetime):
            return super().to_raw(value)
        if self.zone is not None:
            value = value.replace(tzinfo=datetime.UTC).astimezone(self.zone)
        return value.strftime("%Y-%m-%dT%H:%M")


class Checkbox(Field):
    widget = "checkbox"
    input_type = "checkbox"

    def __init__(self, label: str, *, required: bool = False, **options: Any) -> None:
        super().__init__(label, required=required, **options)

    def clean(self, raw: str) -> bool:
        if self.required and not raw:
            raise ValidationError(f"Tick “{self.label}” to continue.")
        return bool(raw)

    def to_raw(self, value: Any) -> str:
        return "on" if value else ""

    def display(self, raw: str) -> str:
        return "Yes" if raw else "No"
