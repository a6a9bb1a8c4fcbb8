"""Import people from a CSV file: map its columns, check every row, then save all or none.

The steps, each in its own module, the file streamed through them in batches:

- ``import_reading``: the file read as a stream; each row checked and normalised;
- ``import_matching``: which existing person a row is, a batch at a time;
- ``import_staging``: the rows kept in the database while the job runs, and what
  needs the whole file (repeats, shared numbers, new organisations) asked of it;
- ``import_writing``: new people in bulk, hidden until a last short step.

This module holds the column mapping and the check that drives the first
three; ``import_jobs`` runs a job (for the browser's worker and the command
line alike), and ``add_commands`` is the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from accord import Organisation, database

from . import import_matching, import_staging
from .import_reading import FIELDS, CsvFile, ImportError_, check_row, open_csv
from .import_writing import Result, discard, release

__all__ = [
    "FIELDS",
    "ImportError_",
    "Result",
    "check",
    "check_mapping",
    "discard",
    "guess_mapping",
    "open_csv",
    "parse_mapping",
    "release",
]

ON_MATCH = ("update", "skip")
NAMED_ORGANISATIONS = 5  # new organisations a check names; the count covers them all
MAX_ROWS = 5_000_000  # rows in one file; the import's memory does not grow with them
CHECK_BATCH = 1000  # rows checked, matched and staged together (one short transaction)
SAMPLE_ROWS = 3
_ALIASES = {
    "firstname": "first_name",
    "forename": "first_name",
    "givenname": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "emailaddress": "email",
    "mail": "email",
    "telephone": "phone",
    "phonenumber": "phone",
    "mobile": "phone",
    "otheremails": "other_emails",
    "otherphones": "other_phones",
    "title": "job_title",
    "jobtitle": "job_title",
    "role": "job_title",
    "town": "city",
    "organization": "organisation",
    "company": "organisation",
    "organisationname": "organisation",
    "tag": "tags",
    "newsletter": "consent_newsletters",
    "newsletters": "consent_newsletters",
    "newsletteroptin": "consent_newsletters",
    "surveys": "consent_surveys",
    "surveyoptin": "consent_surveys",
}


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Each header that names a field (ignoring case, spaces and punctuation) -> that field.

    A field's own label (``FIELDS``) always names it: the people export's headers.
    """
    labels = {_key(label): name for name, label in FIELDS.items()}
    mapping: dict[str, str] = {}
    for header in headers:
        key = _key(header)
        target = (
            labels.get(key)
            or _ALIASES.get(key)
            or next((f for f in FIELDS if f.replace("_", "") == key), None)
        )
        if target and target not in mapping.values():
            mapping[header] = target
    return mapping


def parse_mapping(pairs: list[str], headers: list[str]) -> dict[str, str]:
    """``["Surname=last_name", …]`` over the guessed mapping; ``ImportError_`` if one is wrong."""
    mapping = guess_mapping(headers)
    for pair in pairs:
        column, sep, target = pair.partition("=")
        column, target = column.strip(), target.strip()
        target = _ALIASES.get(_key(target), target)
        if not sep or column not in headers:
            raise ImportError_(f"--map {pair}: the file has no column “{column}”.")
        if target not in FIELDS and target != "":
            raise ImportError_(f"--map {pair}: map to one of {', '.join(FIELDS)}.")
        mapping = {c: f for c, f in mapping.items() if f != target and c != column}
        if target:
            mapping[column] = target
    return mapping


def check_mapping(mapping: Mapping[str, str]) -> None:
    targets = list(mapping.values())
    for name in ("first_name", "last_name"):
        if name not in targets:
            raise ImportError_(f"Choose the column that holds the {FIELDS[name].lower()}.")
    doubled = {t for t in targets if targets.count(t) > 1}
    if doubled:
        raise ImportError_(f"Map one column only to {', '.join(FIELDS[t] for t in doubled)}.")


@dataclass
class Preview:
    """What the upload step shows: the header, the first rows, how many there are."""

    headers: list[str]
    sample: list[list[str]]
    rows: int


def preview(source: IO[bytes] | bytes | str) -> Preview:
    """Read the whole file once, as a stream, for its header, first rows and row count."""
    found = open_csv(source)
    sample: list[list[str]] = []
    count = 0
    for _line, cells in found.rows:
        if count < SAMPLE_ROWS:
            sample.append(cells)
        count += 1
        if count > MAX_ROWS:
            raise ImportError_(f"Import at most {MAX_ROWS:,} people at a time.")
    return Preview(found.headers, sample, count)


@dataclass
class Checked:
    """A checked file, its rows staged under the job: counts, and the first errors."""

    rows: int
    matched: int
    error_count: int
    errors: list[list[Any]]

    @property
    def ok(self) -> bool:
        return not self.error_count


def check(
    org: Organisation,
    job_id: int,
    found: CsvFile,
    mapping: Mapping[str, str],
    *,
    max_errors: int,
    progress: Callable[[int], None] | None = None,
) -> Checked:
    """Check, match and stage every row of ``found``, ``CHECK_BATCH`` at a time.

    Nothing but the staged rows is written; ``progress`` is told each batch's size.
    """
    check_mapping(mapping)
    count = 0
    batch = []
    for line, cells in found.rows:
        batch.append(check_row(line, cells, found.headers, mapping))
        count += 1
        if count > MAX_ROWS:
            raise ImportError_(f"Import at most {MAX_ROWS:,} people at a time.")
        if len(batch) >= CHECK_BATCH:
            _stage(org, job_id, batch, progress)
            batch = []
    _stage(org, job_id, batch, progress)
    import_staging.analyse()
    import_staging.mark_repeats(job_id)
    import_staging.forget_shared_numbers(job_id)
    error_count, errors = import_staging.errors(job_id, max_errors)
    return Checked(count, import_staging.matched(job_id), error_count, errors)


def _stage(org: Organisation, job_id: int, batch: list[Any], progress: Any) -> None:
    if not batch:
        return
    matches = import_matching.matches(org, batch)
    with database.atomic():  # one short write per batch: other writers slip in between
        import_staging.stage(job_id, batch, matches)
    if progress:
        progress(len(batch))


def new_organisations(org: Organisation, job_id: int, on_match: str) -> tuple[int, list[str]]:
    """How many customer organisations importing the checked job would create; the first few."""
    return import_staging.new_organisations(org, job_id, on_match, NAMED_ORGANISATIONS)


def new_organisations_words(names: list[str], total: int | None = None) -> str:
    """``3 new customer organisations will be created: A, B, C.``, the first few named.

    ``total`` counts them all when ``names`` holds only the first few.
    """
    total = len(names) if total is None else total
    if not total:
        return ""
    shown = names[:NAMED_ORGANISATIONS]
    more = f" and {total - len(shown)} more" if total > len(shown) else ""
    noun = "customer organisation" if total == 1 else "customer organisations"
    return f"{total} new {noun} will be created: {', '.join(shown)}{more}."


def add_commands(cli: Any) -> None:
    """``accord contacts import``: see ``import_cli``."""
    from .import_cli import add_commands as add

    add(cli)
