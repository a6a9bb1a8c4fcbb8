"""What a table is declared from: its columns and its filters."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
    """

    name: str
    label: str
    choices: Choices | Callable[[Request], Choices]
    field: peewee.Field | str | None = None
    where: Callable[[str], Any] | None = None

    def options(self, request: Request) -> Choices:
        choices = self.choices(request) if callable(self.choices) else self.choices
        return [(str(value), label) for value, label in choices]

    def condition(self, value: str) -> Any:
        if self.where is not None:
            return self.where(value)
        assert isinstance(self.field, peewee.Field)
        return self.field == value


def display(value: Any, org: Organisation | None = None) -> Any:
    """A value as a cell shows it; times in ``org``'s zone, labelled (``accord.local_time``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return local_time(org, value)
    return value
