"""What a table is declared from: its columns and its filters."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import peewee
from starlette.requests import Request

from ..clock import local_time, zone_of

if TYPE_CHECKING:
    from ..models import Organisation

Choices = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Column:
    """One column: its heading, where its value comes from, and how it shows.

    ``field`` is a field of the table's model, or its name; ``accessor(row)``
    computes the value instead (it is also what the CSV gets). ``template``
    renders the cell with ``record`` and ``value`` in scope; ``link(url, row)``
    returns a URL for the cell (``url`` is the route-name URL builder).
    ``css`` goes on the header and the cells: ``"num"`` right-aligns numbers.
    ``secondary`` columns are details a phone can do without: they are hidden on
    small screens (class ``col-secondary``), so the table fits its card there.
    A foreign-key ``field`` loads the related row once per row: for related
    values, join them in the query and read them with an ``accessor``.
    """

    label: str
    field: peewee.Field | str | None = None
    accessor: Callable[[Any], Any] | None = None
    sortable: bool = False
    css: str = ""
    template: str | None = None
    link: Callable[[Callable[..., str], Any], str] | None = None
    export: bool = True
    secondary: bool = False

    @property
    def classes(self) -> str:
        """The classes for the column's header and cells."""
        return " ".join(c for c in (self.css, "col-secondary" if self.secondary else "") if c)

    def is_moment(self) -> bool:
        """The column holds times: its header names the zone they are shown in."""
        return isinstance(self.field, peewee.DateTimeField)

    def heading(self, org: Organisation | None) -> str:
        """The label; a column of times adds the zone they show in: ``Opened (Europe/London)``."""
        return f"{self.label} ({zone_of(org)})" if self.is_moment() else self.label

    def value(self, row: Any) -> Any:
        if self.accessor is not None:
            return self.accessor(row)
        assert isinstance(self.field, peewee.Field)
        return getattr(row, self.field.name)


@dataclass(frozen=True)
class Filter:
    """A choice that narrows the rows: ``?<name>=<value>``.

    ``choices`` are ``(value, label)`` pairs, or a function of the request
    returning them (for choices that depend on the organisation). A chosen
    value becomes ``where(value)``, by default ``field == value`` with
    ``field`` defaulting to the filter's name. Unknown values are ignored.
    ``toolbar=False`` keeps it out of the toolbar's selects: it is reached by
    links (a report's bar) and shown, while chosen, as a chip that removes it.
    """

    name: str
    label: str
    choices: Choices | Callable[[Request], Choices]
    field: peewee.Field | str | None = None
    where: Callable[[str], Any] | None = None
    toolbar: bool = True

    def options(self, request: Request) -> Choices:
        choices = self.choices(request) if callable(self.choices) else self.choices
        return [(str(value), label) for value, label in choices]

    def condition(self, value: str) -> Any:
        if self.where is not None:
            return self.where(value)
        assert isinstance(self.field, peewee.Field)
        return self.field == value


@dataclass(frozen=True)
class DateRange:
    """Rows whose ``field`` falls on the days ``?<name>_from`` to ``?<name>_to`` (ISO dates).

    Days are the organisation's, both included, counted as a report's period
    counts them, so a report's bar links to exactly the rows it counted. Either
    end may be left out; a date that does not parse is ignored. Shown above the
    table, while set, as a chip that removes it.
    """

    name: str
    label: str
    field: peewee.Field | str | None = None

    @property
    def params(self) -> tuple[str, str]:
        return f"{self.name}_from", f"{self.name}_to"

    def accepted(self, params: Mapping[str, str]) -> dict[str, str]:
        """The parameters of this range in ``params`` that are dates."""
        found = {}
        for key in self.params:
            raw = (params.get(key) or "").strip()
            try:
                datetime.date.fromisoformat(raw)
            except ValueError:
                continue
            found[key] = raw
        return found

    def condition(self, values: Mapping[str, str], zone: ZoneInfo) -> Any:
        assert isinstance(self.field, peewee.Field)
        first, last = self.params
        condition = None
        if first in values:
            start = _utc(datetime.date.fromisoformat(values[first]), zone)
            condition = self.field >= start
        if last in values:
            end = datetime.date.fromisoformat(values[last]) + datetime.timedelta(days=1)
            before = self.field < _utc(end, zone)
            condition = before if condition is None else condition & before
        return condition

    def describe(self, values: Mapping[str, str]) -> str:
        """``Opened 1 Dec 2026 – 7 Dec 2026`` (or ``from …``, ``until …``)."""
        first, last = (
            f"{datetime.date.fromisoformat(values[k]):%-d %b %Y}" if k in values else ""
            for k in self.params
        )
        if first and last:
            return f"{self.label} {first}" if first == last else f"{self.label} {first} – {last}"
        return f"{self.label} from {first}" if first else f"{self.label} until {last}"


def _utc(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    """The first instant of ``day`` in ``zone``, as the naive UTC the database stores."""
    local = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
    return local.astimezone(datetime.UTC).replace(tzinfo=None)


def display(value: Any, org: Organisation | None = None) -> Any:
    """A value as a cell shows it; times in ``org``'s zone, labelled (``accord.local_time``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return local_time(org, value)
    return value
