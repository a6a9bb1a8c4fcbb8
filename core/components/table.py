"""Declarative list tables: text search, filters, sorting, keyset pages and CSV export.

A plugin declares a table once, next to its views::

    tickets = Table(
        Ticket,
        [
            Column(
                "Title", "title", sortable=True, link=lambda url, t: url("tickets:detail", pk=t.id)
            ),
            Column("Opened", "created_at", sortable=True),
            Column("Priority", "priority", sortable=True, css="num"),
        ],
        search=["title", "body"],
        filters=[Filter("status", "Status", [("open", "Open"), ("closed", "Closed")])],
        sort="-created_at",
    )

    def ticket_list(request):
        query = Ticket.in_org(request.state.ctx.org)
        return render_table(request, tickets, query, context={"title": "Tickets"})

The query string is the table's whole state: ``q``, one parameter per
filter, ``sort`` (``name`` or ``-name``), ``after``/``before`` cursors,
``per_page`` and ``format=csv``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import reduce
from typing import Any
from urllib.parse import urlencode

import peewee
from starlette.requests import Request
from starlette.responses import Response

from ..clock import zone_of
from ..htmx import wants_fragment
from ..inputs import integer
from ..models import Organisation
from ..templating import render
from .columns import Choices, Column, DateRange, Filter, display
from .export import stream_csv
from .keyset import Keyset

TABLE_TEMPLATE = "components/_table.html"
# A page says how many rows match up to this many, then "more than": counting a million
# matches would cost more than the page.
COUNT_UP_TO = 1000
RESERVED = frozenset({"q", "sort", "after", "before", "per_page", "format"})


@dataclass
class Header:
    label: str
    css: str
    url: str | None = None
    aria_sort: str | None = None  # "ascending" | "descending" on the sorted column
    zone: str = ""  # a column of times: the zone they are shown in, under the label


@dataclass
class Cell:
    value: Any
    display: Any
    css: str
    template: str | None
    url: str | None


@dataclass
class Row:
    record: Any
    cells: list[Cell]


@dataclass
class FilterState:
    name: str
    label: str
    choices: Choices
    value: str


@dataclass
class Chip:
    """A filter chosen by a link rather than the toolbar: what it says and how to remove it."""

    text: str
    values: dict[str, str]  # the query parameters the toolbar form must carry
    remove_url: str


@dataclass
class TablePage:
    """What ``components/_table.html`` renders: one page of a table for one request."""

    id: str
    path: str
    q: str
    searchable: bool
    search_label: str
    filters: list[FilterState]
    headers: list[Header]
    rows: list[Row]
    hidden: dict[str, str]  # state the toolbar form must carry (sort, per_page)
    filtered: bool
    next_url: str | None = None
    previous_url: str | None = None
    first_url: str | None = None
    clear_url: str | None = None
    csv_url: str | None = None
    empty_message: str = ""
    empty_action: tuple[str, str] | None = None
    chips: list[Chip] | None = None
    total: str = ""  # how many rows match: "137", "more than 1,000", or "many" (a search)


def bounded_count(query: peewee.ModelSelect) -> str:
    """How many rows ``query`` selects, as a page says it: "137", or "more than 1,000".

    Counts no further than one row past ``COUNT_UP_TO``.
    """
    pk = query.model._meta.primary_key
    found = int(query.select(pk).order_by().limit(COUNT_UP_TO + 1).count())
    return f"more than {COUNT_UP_TO:,}" if found > COUNT_UP_TO else f"{found:,}"


class Table:
    """A list of one model's rows, declared once and rendered per request."""

    def __init__(
        self,
        model: type[peewee.Model],
        columns: Iterable[Column],
        *,
        search: Iterable[peewee.Field | str] = (),
        search_exact: Callable[[str], peewee.Expression | None] | None = None,
        filters: Iterable[Filter | DateRange] = (),
        sort: str | None = None,
        page_size: int = 25,
        max_page_size: int = 100,
        csv: bool = True,
        filename: str | None = None,
        empty_message: str = "Nothing here yet.",
        search_label: str = "Search",
        id: str | None = None,
        zone_in_headers: bool = False,
        export_columns: Iterable[Column] | None = None,
    ) -> None:
        self.model = model
        self.columns = [
            c if c.field is None else replace(c, field=self._field(c.field)) for c in columns
        ]
        self.search = [self._field(f) for f in search]
        # A search that names one record (a reference, an id) seeks it by index instead.
        self.search_exact = search_exact
        filters = list(filters)
        self.filters = [
            f if f.where else replace(f, field=self._field(f.name if f.field is None else f.field))
            for f in filters
            if isinstance(f, Filter)
        ]
        self.ranges = [
            replace(r, field=self._field(r.name if r.field is None else r.field))
            for r in filters
            if isinstance(r, DateRange)
        ]
        clash = {f.name for f in self.filters} & RESERVED
        if clash:
            raise ValueError(f"filter names {sorted(clash)} are reserved by the table")
        # The CSV's own columns, when it must differ from the page (to be imported again).
        self.export_columns = [
            c if c.field is None else replace(c, field=self._field(c.field))
            for c in export_columns or ()
        ] or [c for c in self.columns if c.export]
        self.sortable = {
            c.field.name: c.field
            for c in self.columns
            if c.sortable and isinstance(c.field, peewee.Field)
        }
        pk = model._meta.primary_key
        self.sortable.setdefault(pk.name, pk)
        default = self.keyset(sort or f"-{pk.name}")
        if default is None:
            raise ValueError(f"default sort {sort!r} is not a sortable column of {model.__name__}")
        self.default: Keyset = default
        self.page_size = page_size
        self.max_page_size = max_page_size
        self.csv = csv
        self.filename = filename or model._meta.table_name
        self.empty_message = empty_message
        self.search_label = search_label
        self.id = id or model._meta.table_name.replace("_", "-")
        # Every time in a cell names its zone (GMT, EST); a list about times (the audit
        # log) also names it under the headers of time columns. A CSV always names it.
        self.zone_in_headers = zone_in_headers

    def _field(self, spec: peewee.Field | str) -> peewee.Field:
        if isinstance(spec, peewee.Field):
            return spec
        return self.model._meta.fields[spec]

    def keyset(self, sort: str | None) -> Keyset | None:
        """The ordering for a ``?sort=`` value, or None when it names no sortable column."""
        name = (sort or "").removeprefix("-")
        if name not in self.sortable:
            return None
        return Keyset(self.sortable[name], ascending=not (sort or "").startswith("-"))

    def narrow(
        self, request: Request, query: peewee.ModelSelect
    ) -> tuple[peewee.ModelSelect, dict[str, str]]:
        """``query`` with the request's search and filters applied, and their accepted values."""
        params = request.query_params
        state: dict[str, str] = {}
        q = " ".join(params.get("q", "").split())[:200]
        exact = self.search_exact(q) if q and self.search_exact else None
        if exact is not None:
            state["q"] = q
            query = query.where(exact)
        elif q and self.search:
            state["q"] = q
            for term in q.split()[:8]:
                matches = [f.contains(term) for f in self.search]
                query = query.where(reduce(operator.or_, matches))
        for flt in self.filters:
            value = params.get(flt.name, "")
            if value and value in {choice for choice, _ in flt.options(request)}:
                state[flt.name] = value
                query = query.where(flt.condition(value))
        zone = zone_of(request.state.ctx.org)
        for between in self.ranges:
            values = between.accepted(params)
            if values:
                state.update(values)
                query = query.where(between.condition(values, zone))
        return query, state

    def chips(self, request: Request, state: dict[str, str], hidden: dict[str, str]) -> list[Chip]:
        """The chosen filters the toolbar does not show, each with a link that removes it."""

        def without(*keys: str) -> str:
            kept = {k: v for k, v in {**state, **hidden}.items() if k not in keys}
            return f"{request.url.path}?{urlencode(kept)}".rstrip("?")

        chips = []
        for flt in self.filters:
            if not flt.toolbar and flt.name in state:
                text = dict(flt.options(request)).get(state[flt.name], state[flt.name])
                chips.append(
                    Chip(f"{flt.label}: {text}", {flt.name: state[flt.name]}, without(flt.name))
                )
        for between in self.ranges:
            values = {k: state[k] for k in between.params if k in state}
            if values:
                chips.append(Chip(between.describe(values), values, without(*between.params)))
        return chips

    def per_page(self, request: Request) -> int:
        raw = request.query_params.get("per_page", "")
        wanted = integer(raw)
        return max(1, min(wanted, self.max_page_size)) if wanted is not None else self.page_size

    def export(self, request: Request, query: peewee.ModelSelect) -> Response:
        """Every row the request's search and filters select, as a streamed CSV file."""
        query, _ = self.narrow(request, query)
        keyset = self.keyset(request.query_params.get("sort")) or self.default
        return stream_csv(
            query, keyset, self.export_columns, self.filename, org=request.state.ctx.org
        )

    def page(
        self,
        request: Request,
        query: peewee.ModelSelect,
        *,
        empty_action: tuple[str, str] | None = None,
    ) -> TablePage:
        """The page of rows the request asks for, with every link the template needs."""
        params = request.query_params
        query, state = self.narrow(request, query)
        keyset = self.keyset(params.get("sort")) or self.default
        size = self.per_page(request)
        hidden = {}
        if keyset.sort != self.default.sort:
            hidden["sort"] = keyset.sort
        if size != self.page_size:
            hidden["per_page"] = str(size)
        after, before = keyset.decode(params.get("after")), keyset.decode(params.get("before"))
        records, more = keyset.page(query, size, after=after, before=before)
        has_next = more if before is None else True
        has_previous = more if before is not None else after is not None

        def link(**extra: str) -> str:
            return f"{request.url.path}?{urlencode({**state, **hidden, **extra})}".rstrip("?")

        url = request.state.ctx.url
        org = request.state.ctx.org
        page = TablePage(
            id=self.id,
            path=request.url.path,
            q=state.get("q", ""),
            searchable=bool(self.search),
            search_label=self.search_label,
            filters=[
                FilterState(f.name, f.label, f.options(request), state.get(f.name, ""))
                for f in self.filters
                if f.toolbar
            ],
            chips=self.chips(request, state, hidden),
            headers=[self._header(c, keyset, state, hidden, request) for c in self.columns],
            rows=[Row(r, [self._cell(c, r, url, org) for c in self.columns]) for r in records],
            hidden=hidden,
            filtered=bool(state),
            empty_message=self.empty_message,
            empty_action=empty_action,
        )
        if records and not (has_next or has_previous):
            page.total = f"{len(records):,}"  # the whole list is on this page
        elif records and "q" in state:
            # Counting a text search's matches costs what finding them did (SQLite's
            # full-text index yields every match before a LIMIT applies): not twice.
            page.total = "many"
        elif records:
            page.total = bounded_count(query)
        if records and has_next:
            page.next_url = link(after=keyset.encode(records[-1]))
        if records and has_previous:
            page.previous_url = link(before=keyset.encode(records[0]))
        if after or before:
            page.first_url = link()
        if state:
            page.clear_url = f"{request.url.path}?{urlencode(hidden)}".rstrip("?")
        if self.csv:
            page.csv_url = link(format="csv")
        return page

    def _header(
        self,
        column: Column,
        keyset: Keyset,
        state: dict[str, str],
        hidden: dict[str, str],
        request: Request,
    ) -> Header:
        org = request.state.ctx.org
        zone = str(zone_of(org)) if self.zone_in_headers and column.is_moment() else ""
        header = Header(column.label, column.classes, zone=zone)
        if not column.sortable or not isinstance(column.field, peewee.Field):
            return header
        name = column.field.name
        current = keyset.field.name == name
        if current:
            header.aria_sort = "ascending" if keyset.ascending else "descending"
        target = f"-{name}" if current and keyset.ascending else name
        params = {**state, **{k: v for k, v in hidden.items() if k != "sort"}}
        if target != self.default.sort:
            params["sort"] = target
        header.url = f"{request.url.path}?{urlencode(params)}".rstrip("?")
        return header

    @staticmethod
    def _cell(column: Column, row: Any, url: Callable[..., str], org: Organisation | None) -> Cell:
        value = column.value(row)
        target = column.link(url, row) if column.link else None
        return Cell(value, display(value, org), column.classes, column.template, target)


def render_table(
    request: Request,
    table: Table,
    query: peewee.ModelSelect,
    template: str = "components/list.html",
    context: dict[str, Any] | None = None,
    *,
    empty_action: tuple[str, str] | None = None,
) -> Response:
    """The list page of ``table`` over ``query``.

    ``?format=csv`` streams every matching row as CSV. An htmx request for
    part of the page gets only the ``table_rows`` block (table, pagination,
    empty state): the page template's own, if it defines one, else that of
    ``components/_table.html``; anything else gets the whole ``template``.
    ``empty_action`` is a ``(label, url)`` call to action shown when there
    are no rows at all.
    """
    if table.csv and request.query_params.get("format") == "csv":
        return table.export(request, query)
    values = {"table": table.page(request, query, empty_action=empty_action), **(context or {})}
    if not wants_fragment(request):
        return render(request, template, values)
    # The fragment comes from the page template when it defines its own rows block.
    env = request.app.state.accord.templates
    source = template if "table_rows" in env.get_template(template).blocks else TABLE_TEMPLATE
    return render(request, source, values, block="table_rows")
