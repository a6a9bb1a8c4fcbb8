"""The person form's rows of email addresses and phone numbers (``_detail_rows.html``).

Each row posts its value under the kind's name (``email`` or ``phone``, so a
form with one plain ``email`` field still works), its label under
``<kind>_label`` and a key under ``<kind>_key``; the primary radio posts the
chosen row's key as ``<kind>_primary``. Keys, not positions, so a row removed
in the browser cannot shift the choice onto another. An emptied row is
removed; one blank row is always offered, and ``contacts.js`` adds more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .choices import DETAIL_LABELS
from .details import DEFAULT_LABEL, Detail
from .normalise import InvalidValue, phone_display

MAX_ROWS = 20


@dataclass
class Row:
    key: str
    text: str
    label: str = DEFAULT_LABEL
    primary: bool = False
    error: str | None = None


@dataclass
class DetailRows:
    """One kind's rows as shown and as typed; ``check`` fills ``details`` or row errors."""

    kind: str
    rows: list[Row] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)

    labels = DETAIL_LABELS

    @property
    def title(self) -> str:
        return "Email addresses" if self.kind == "email" else "Phone numbers"

    @property
    def noun(self) -> str:
        return "email address" if self.kind == "email" else "phone number"

    @property
    def input_type(self) -> str:
        return "email" if self.kind == "email" else "tel"

    @property
    def error(self) -> str | None:
        wrong = [row for row in self.rows if row.error]
        if not wrong:
            return None
        return wrong[0].error if len(wrong) == 1 else f"{len(wrong)} of them need correcting."

    def shown(self) -> list[Row]:
        """The rows, then a blank one to type another into."""
        blank = Row(key=f"new{len(self.rows)}", text="", primary=not self.rows)
        return [*self.rows, blank] if len(self.rows) < MAX_ROWS else self.rows

    @classmethod
    def from_details(cls, kind: str, details: list[Detail]) -> DetailRows:
        mine = [d for d in details if d.kind == kind]
        rows = [
            Row(
                key=f"r{i}",
                text=phone_display(d.value) if kind == "phone" else d.value,
                label=d.label,
                primary=d.primary,
            )
            for i, d in enumerate(mine)
        ]
        return cls(kind, rows)

    @classmethod
    def from_data(cls, kind: str, data: Any) -> DetailRows:
        """The rows as the browser sent them; emptied ones dropped."""
        values = _list(data, kind)
        labels = _list(data, f"{kind}_label")
        keys = _list(data, f"{kind}_key")
        primary = data.get(f"{kind}_primary") or ""
        rows = []
        for i, text in enumerate(values[:MAX_ROWS]):
            if not text.strip():
                continue
            key = keys[i] if i < len(keys) and keys[i] else f"r{i}"
            label = labels[i] if i < len(labels) and labels[i] in DETAIL_LABELS else DEFAULT_LABEL
            rows.append(Row(key=key, text=text, label=label, primary=key == primary))
        if rows and not any(r.primary for r in rows):
            rows[0].primary = True  # one address typed into a plain field: it is the primary
        return cls(kind, rows)

    def check(self, parse: Callable[[str], str]) -> bool:
        """Normalise every row with ``parse``; True when all are valid and none repeats."""
        seen: set[str] = set()
        self.details = []
        for row in self.rows:
            try:
                value = parse(row.text)
            except InvalidValue as exc:
                row.error = str(exc)
                continue
            if value in seen:
                row.error = f"This {self.noun} is already in the list."
                continue
            seen.add(value)
            self.details.append(Detail(self.kind, value, row.label, row.primary))
        return self.error is None

    @property
    def primary(self) -> str | None:
        return next((d.value for d in self.details if d.primary), None)


def _list(data: Any, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(name)]
    value = data.get(name)
    return [str(value)] if value is not None else []
