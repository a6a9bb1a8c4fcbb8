"""Reading an import's CSV file as a stream, and checking one row at a time.

Nothing here holds the whole file: ``open_csv`` reads the header (sniffing the
dialect from the first few kilobytes) and hands back an iterator of rows, and
``check_row`` turns one row's cells into normalised values and the errors the
user is shown for its line.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import phonenumbers

from . import normalise
from .choices import countries
from .details import KINDS, Detail

FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    # More addresses and numbers, separated by ";" (the export writes them so).
    "other_emails": "Other emails",
    "other_phones": "Other phones",
    "job_title": "Job title",
    "city": "Town",
    "country": "Country",
    "organisation": "Organisation",
    "tags": "Tags",
    # Consent answers (yes / no; empty leaves it as it is), kept with source "import".
    "consent_newsletters": "Newsletters opt-in",
    "consent_surveys": "Surveys opt-in",
}
CONSENT_ANSWERS = {
    **dict.fromkeys(("yes", "y", "true", "1", "x", "opted in", "opt in", "in"), True),
    **dict.fromkeys(("no", "n", "false", "0", "opted out", "opt out", "out"), False),
}
# Exports put an apostrophe before a cell starting with one of these (a spreadsheet
# would run it as a formula); the import takes it off again.
GUARDED = ("=", "+", "-", "@")
SNIFF_BYTES = 8192


class ImportError_(ValueError):
    """The file or the mapping cannot be used at all; the message says why."""


@dataclass
class CheckedRow:
    line: int  # the row's line in the file (the header is line 1)
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)


@dataclass
class CsvFile:
    """A CSV file's header and, read as they are asked for, its rows with their line numbers."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]


def open_csv(source: IO[bytes] | bytes | str) -> CsvFile:
    """The file's header and a stream of its non-blank rows; ``ImportError_`` if unreadable.

    Bytes are read as UTF-8 (with or without a BOM).
    """
    if isinstance(source, str):
        text: IO[str] = io.StringIO(source.lstrip("\ufeff"), newline="")
        head = source.lstrip("\ufeff")[:SNIFF_BYTES]
    else:
        if isinstance(source, bytes):
            source = io.BytesIO(source)
        first = source.read(SNIFF_BYTES)
        try:  # not final: the sniffed bytes may end inside a character
            head = codecs.getincrementaldecoder("utf-8-sig")().decode(first, final=False)
        except UnicodeDecodeError:
            raise ImportError_(NOT_UTF8) from None
        whole = io.BufferedReader(_Prepended(first, source))  # type: ignore[arg-type]
        text = io.TextIOWrapper(whole, encoding="utf-8-sig", newline="")
    if not head.strip():
        raise ImportError_("The file is empty.")
    try:
        dialect: Any = csv.Sniffer().sniff(head, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    numbered = (row for row in csv.reader(text, dialect) if any(cell.strip() for cell in row))
    try:
        header = next(numbered, None)
    except UnicodeDecodeError:
        raise ImportError_(NOT_UTF8) from None
    if header is None:
        raise ImportError_("The file is empty.")
    # Lines count the file's non-blank rows, the header being line 1 (as the check always said).
    return CsvFile([h.strip() for h in header], _decoding(enumerate(numbered, 2)))


NOT_UTF8 = "The file is not UTF-8 text: save it as “CSV UTF-8”."


class _Prepended(io.RawIOBase):
    """A byte stream: ``head`` (already read from ``rest``), then the rest of it."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _decoding(rows: Iterator[Any]) -> Iterator[Any]:
    try:
        yield from rows
    except UnicodeDecodeError:
        raise ImportError_(NOT_UTF8) from None


def _country(text: str) -> str:
    known = countries()
    if text.upper() in known:
        return text.upper()
    by_name = {name.casefold(): code for code, name in known.items()}
    code = by_name.get(text.casefold())
    if code is None:
        raise normalise.InvalidValue(f"Unknown country “{text}”: use a name or a two-letter code.")
    return code


def _unguarded(cell: str) -> str:
    """The cell without the apostrophe an export puts before a would-be formula ("'=x")."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in GUARDED else cell


# A plain address (the most common by far) is checked here, its domain checked by
# ``normalise.email`` once per import for all the rows that share it: checking every
# address in full was a fifth of an import's time. Anything else is checked in full.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*")


def email(text: str) -> str:
    """``normalise.email(text)``, the same value or error, faster for plain addresses."""
    local, at, domain = text.strip().rpartition("@")
    if at and len(local) <= 64 and _PLAIN_LOCAL.fullmatch(local):
        checked = _domain(domain)
        if checked is not None and len(local) + 1 + len(checked) <= 254:
            return f"{local}@{checked}"
    return normalise.email(text)


@functools.lru_cache(maxsize=4096)
def _domain(domain: str) -> str | None:
    try:
        return normalise.email(f"x@{domain}").partition("@")[2]
    except normalise.InvalidValue:
        return None


def phone(text: str, region: str) -> tuple[str, str]:
    """``normalise.phone(text, region)`` and the number's national digits, read once.

    The digits are the search form ``normalise.phone_search_forms`` would read
    again from the stored number when the person is written.
    """
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        return normalise.phone(text, region), ""  # raises, with its message
    number.extension = None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return e164, re.sub(r"\D", "", national)


def split_tags(text: str) -> list[str]:
    """Tag names separated by commas or semicolons (the people export joins them with ";")."""
    return normalise.tags(text.replace(";", ","))


def check_row(
    line: int, cells: list[str], headers: list[str], mapping: Mapping[str, str]
) -> CheckedRow:
    """One row's cells as normalised values, and what is wrong with them."""
    raw = {
        mapping[h]: (_unguarded(cells[i].strip()) if i < len(cells) else "")
        for i, h in enumerate(headers)
        if h in mapping
    }
    row = CheckedRow(line, {})
    values, errors = row.values, row.errors
    for name in ("first_name", "last_name"):
        values[name] = raw.get(name, "")
        if not values[name]:
            errors.append(f"{FIELDS[name]} is missing.")
        elif len(values[name]) > 100:
            errors.append(f"{FIELDS[name]} is longer than 100 characters.")
    for name, limit in (("job_title", 200), ("city", 100), ("organisation", 200)):
        values[name] = raw.get(name, "")
        if len(values[name]) > limit:
            errors.append(f"{FIELDS[name]} is longer than {limit} characters.")
    checks: list[tuple[str, Callable[[str], Any]]] = [
        ("country", _country),
        ("email", email),
        ("tags", split_tags),
    ]
    for name, clean in checks:
        try:
            values[name] = clean(raw[name]) if raw.get(name) else None
        except normalise.InvalidValue as exc:
            errors.append(f"{FIELDS[name]}: {exc}")
            values[name] = None
    for name in ("consent_newsletters", "consent_surveys"):
        answer = raw.get(name, "").casefold()
        values[name] = CONSENT_ANSWERS.get(answer) if answer else None
        if answer and values[name] is None:
            errors.append(f"{FIELDS[name]} “{raw[name]}”: answer yes or no.")
    region = values.get("country") or "GB"
    values["phone"] = None
    digits: dict[str, str] = {}  # each number's national digits, for the search line
    if raw.get("phone"):
        try:
            values["phone"], digits[values["phone"]] = phone(raw["phone"], region)
        except normalise.InvalidValue as exc:
            errors.append(f"{FIELDS['phone']} “{raw['phone']}”: {exc}")
    values["other_emails"] = []
    for text in filter(None, (t.strip() for t in raw.get("other_emails", "").split(";"))):
        try:
            values["other_emails"].append(email(text))
        except normalise.InvalidValue as exc:
            errors.append(f"{FIELDS['other_emails']} “{text}”: {exc}")
    values["other_phones"] = []
    for text in filter(None, (t.strip() for t in raw.get("other_phones", "").split(";"))):
        try:
            number, digits[number] = phone(text, region)
            values["other_phones"].append(number)
        except normalise.InvalidValue as exc:
            errors.append(f"{FIELDS['other_phones']} “{text}”: {exc}")
    values["phone_digits"] = digits
    seen: set[str] = set()
    for detail in row_details(values):
        key = detail_key(detail)
        if detail.kind == "email" and key in seen:  # a number may well be given twice
            errors.append(f"{FIELDS['other_emails']} “{detail.value}” repeats line {line}.")
        seen.add(key)
    return row


def row_details(values: Mapping[str, Any]) -> list[Detail]:
    """The row's addresses and numbers, its Email and Phone first (primary for a new person)."""
    found = []
    for kind in KINDS:
        if values.get(kind):
            found.append(Detail(kind, values[kind], primary=True))
        found += [Detail(kind, v) for v in values.get(f"other_{kind}s") or []]
    return found


def detail_key(detail: Detail) -> str:
    """What a detail matches by: addresses ignoring case (Ana.Lima@ and ana.lima@ are one)."""
    return detail.value.lower() if detail.kind == "email" else detail.value
