"""An import's rows, staged in the database while it is checked and written.

The file is read once, in batches, into ``ImportRow`` (a line's normalised
values, its errors, the person it matches) and ``ImportValue`` (each address
and number of a line). What needs the whole file is then asked of the
database, set-wise: addresses given on two lines, numbers several lines share
(a switchboard: no error, but it identifies nobody), the customer
organisations importing would create, the first errors to show. The writer
reads the rows back a batch at a time. The rows are removed when the job ends.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from peewee import CharField, IntegerField, SqliteDatabase, TextField, fn

from accord import BaseModel, database

from . import bulk
from .import_reading import FIELDS, CheckedRow, detail_key, row_details
from .models import CustomerOrganisation

CHUNK = 500  # rows per statement: well under every database's limit of bound parameters


class ImportRow(BaseModel):
    """One line of an import's file: its values (JSON), errors (JSON), the person it matches."""

    job_id = IntegerField()
    line = IntegerField()
    data = TextField()
    errors = TextField(null=True)
    match_id = IntegerField(null=True)
    matched_by = CharField(max_length=254, null=True)  # the number it matched by, if a number
    organisation_key = CharField(max_length=200, null=True)

    class Meta:
        table_name = "contacts_import_row"
        indexes = ((("job_id", "line"), True),)

    @property
    def values(self) -> dict[str, Any]:
        return json.loads(self.data)  # type: ignore[no-any-return]


class ImportValue(BaseModel):
    """An address or number of a staged line, by what it matches (addresses lower-cased)."""

    job_id = IntegerField()
    line = IntegerField()
    kind = CharField(max_length=5)
    key = CharField(max_length=254)

    class Meta:
        table_name = "contacts_import_value"
        indexes = ((("job_id", "kind", "key"), False),)


STAGING_MODELS = [ImportRow, ImportValue]


def stage(job_id: int, rows: list[CheckedRow], matches: dict[int, tuple[int, str | None]]) -> None:
    """Write a batch of checked rows and their details; ``matches``: line -> (person, by)."""
    staged = []
    values = []
    for row in rows:
        match, by = matches.get(row.line, (None, None))
        organisation = row.values.get("organisation") or ""
        staged.append(
            (
                job_id,
                row.line,
                json.dumps(row.values, separators=(",", ":"), ensure_ascii=False),
                json.dumps(row.errors, ensure_ascii=False) if row.errors else None,
                match,
                by,
                organisation.lower() or None,
            )
        )
        values += [(job_id, row.line, d.kind, detail_key(d)) for d in row_details(row.values)]
    columns = ("job_id", "line", "data", "errors", "match_id", "matched_by", "organisation_key")
    bulk.insert(ImportRow, columns, staged)
    bulk.insert(ImportValue, ("job_id", "line", "kind", "key"), values)


def analyse() -> None:
    """Refresh the planner's statistics of the staging tables, just filled.

    PostgreSQL otherwise plans the whole-file queries for the empty tables it
    last saw: nested loops over every staged row, quadratic in the file.
    """
    if not isinstance(database.obj, SqliteDatabase):
        for model in STAGING_MODELS:
            database.execute_sql(f'ANALYZE "{model._meta.table_name}"')


def mark_repeats(job_id: int) -> None:
    """Add an error to each line giving an address an earlier line gave."""
    first = (
        ImportValue.select(ImportValue.key, fn.MIN(ImportValue.line).alias("first"))
        .where((ImportValue.job_id == job_id) & (ImportValue.kind == "email"))
        .group_by(ImportValue.key)
        .having(fn.COUNT(ImportValue.id) > 1)
        .alias("first")
    )
    later = (
        ImportValue.select(ImportValue.line, ImportValue.key, first.c.first)
        .join(first, on=(first.c.key == ImportValue.key))
        .where(
            (ImportValue.job_id == job_id)
            & (ImportValue.kind == "email")
            & (ImportValue.line > first.c.first)
        )
        .order_by(ImportValue.line)
        .tuples()
    )
    found: dict[int, list[str]] = defaultdict(list)
    for line, key, first_line in later.iterator():
        found[line].append(f"{FIELDS['email']} “{key}” repeats line {first_line}.")
        if len(found) >= CHUNK:
            _add_errors(job_id, found)
            found.clear()
    _add_errors(job_id, found)


def _add_errors(job_id: int, found: dict[int, list[str]]) -> None:
    if not found:
        return
    rows = ImportRow.select(ImportRow.id, ImportRow.line, ImportRow.errors).where(
        (ImportRow.job_id == job_id) & ImportRow.line.in_(list(found))
    )
    with database.atomic():
        for row in rows:
            errors = [*json.loads(row.errors or "[]"), *found[row.line]]
            ImportRow.update(errors=json.dumps(errors, ensure_ascii=False)).where(
                ImportRow.id == row.id
            ).execute()


def forget_shared_numbers(job_id: int) -> None:
    """Undo matches made by a number several lines give: a switchboard identifies nobody."""
    shared = (
        ImportValue.select(ImportValue.key)
        .where((ImportValue.job_id == job_id) & (ImportValue.kind == "phone"))
        .group_by(ImportValue.key)
        .having(fn.COUNT(fn.DISTINCT(ImportValue.line)) > 1)
    )
    ImportRow.update(match_id=None, matched_by=None).where(
        (ImportRow.job_id == job_id) & ImportRow.matched_by.in_(shared)
    ).execute()


def errors(job_id: int, limit: int) -> tuple[int, list[list[Any]]]:
    """How many lines have errors, and the first ``limit`` as ``[line, [message, …]]``."""
    wrong = ImportRow.select().where((ImportRow.job_id == job_id) & ImportRow.errors.is_null(False))
    first = wrong.select(ImportRow.line, ImportRow.errors).order_by(ImportRow.line).limit(limit)
    return wrong.count(), [[line, json.loads(text)] for line, text in first.tuples()]


def matched(job_id: int) -> int:
    return (
        ImportRow.select()
        .where((ImportRow.job_id == job_id) & ImportRow.match_id.is_null(False))
        .count()
    )


def new_organisations(org: Any, job_id: int, on_match: str, limit: int) -> tuple[int, list[str]]:
    """How many customer organisations importing would create, and the first ``limit`` names.

    Named as first written in the file; a skipped row brings none.
    """
    known = CustomerOrganisation.select(fn.LOWER(CustomerOrganisation.name)).where(
        CustomerOrganisation.org == org
    )
    bringing = (ImportRow.job_id == job_id) & ImportRow.organisation_key.is_null(False)
    if on_match == "skip":
        bringing &= ImportRow.match_id.is_null()
    new = (
        ImportRow.select(ImportRow.organisation_key, fn.MIN(ImportRow.line).alias("first"))
        .where(bringing & ImportRow.organisation_key.not_in(known))
        .group_by(ImportRow.organisation_key)
    )
    count = new.count()
    lines = [line for _key, line in new.order_by(fn.MIN(ImportRow.line)).limit(limit).tuples()]
    names = (
        ImportRow.select(ImportRow.line, ImportRow.data)
        .where((ImportRow.job_id == job_id) & ImportRow.line.in_(lines))
        .order_by(ImportRow.line)
    )
    return count, [json.loads(data)["organisation"] for _line, data in names.tuples()]


def batches(job_id: int, *, matched: bool, size: int) -> Iterator[list[ImportRow]]:
    """The staged rows, new or matched, in line order, ``size`` at a time (keyset pages)."""
    after = 0
    while True:
        where = (ImportRow.job_id == job_id) & (ImportRow.line > after)
        where &= ImportRow.match_id.is_null(False) if matched else ImportRow.match_id.is_null()
        page = list(ImportRow.select().where(where).order_by(ImportRow.line).limit(size))
        if not page:
            return
        yield page
        after = page[-1].line


def clear(job_id: int, size: int = 2000) -> None:
    """Remove the job's staged rows, ``size`` at a time (short transactions, a gap between)."""
    from .import_writing import give_way

    for model in STAGING_MODELS:
        while True:
            some = model.select(model.id).where(model.job_id == job_id).limit(size)
            with database.atomic():
                if not model.delete().where(model.id.in_(some)).execute():
                    break
            give_way()
