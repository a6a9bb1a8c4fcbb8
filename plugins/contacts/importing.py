"""Import people from a CSV file: read it, map its columns, check every row, then save all or none.

    table = read_csv(data)                       # bytes or text; dialect sniffed
    mapping = guess_mapping(table.headers)       # the user's column -> a person field
    plan = check(org, table, mapping)            # every row normalised, nothing written
    if plan.ok:
        result = apply(org, plan, on_match="update")   # one transaction

A row matches an existing person of the organisation by any of its email
addresses (``Email`` and ``Other emails``), then by any of its phone numbers,
against every address and number people have; ``on_match`` says whether that
person is updated or the row skipped. An update adds the addresses and
numbers the person lacks and keeps their primary ones.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from peewee import SqliteDatabase, fn

from accord import Organisation, database, utcnow

from . import details, normalise
from .choices import countries
from .consent import set_topic
from .derived import refresh_organisations, refresh_people, set_tags
from .details import KINDS, Detail
from .models import Affiliation, CustomerOrganisation, Person

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
ON_MATCH = ("update", "skip")
# Exports put an apostrophe before a cell starting with one of these (a spreadsheet
# would run it as a formula); the import takes it off again.
GUARDED = ("=", "+", "-", "@")
NAMED_ORGANISATIONS = 5  # new organisations a check names; the count covers them all
MAX_ROWS = 200_000  # a bigger file: split it, or use `accord contacts import`
# A batched import's transactions: at most so many rows or seconds, so that another
# writer waits for one short batch at most.
BATCH_ROWS = 500
BATCH_SECONDS = 0.1
SQLITE_GAP_SECONDS = 0.11
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


class ImportError_(ValueError):
    """The file or the mapping cannot be used at all; the message says why."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class RowPlan:
    line: int  # the row's line in the file (the header is line 1)
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    match: int | None = None  # id of the existing person it matches


@dataclass
class Plan:
    rows: list[RowPlan]
    # Casefolded names of the organisation's customer organisations the rows name.
    known_organisations: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[RowPlan]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def matched(self) -> int:
        return sum(1 for r in self.rows if r.match is not None)

    def new_organisations(self, on_match: str) -> list[str]:
        """The customer organisations importing would create, as first written in the file."""
        new: dict[str, str] = {}
        for row in self.rows:
            name = row.values.get("organisation") or ""
            skipped = row.match is not None and on_match == "skip"
            if name and not skipped and name.casefold() not in self.known_organisations:
                new.setdefault(name.casefold(), name)
        return list(new.values())


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    skipped: int = 0


def read_csv(data: bytes | str) -> Table:
    """The CSV's header and rows; ``data`` as bytes is read as UTF-8 (with or without a BOM)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportError_("The file is not UTF-8 text: save it as “CSV UTF-8”.") from None
    else:
        text = data.lstrip("\ufeff")
    if not text.strip():
        raise ImportError_("The file is empty.")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    lines = [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
    if not lines:
        raise ImportError_("The file is empty.")
    headers = [h.strip() for h in lines[0]]
    if len(lines) - 1 > MAX_ROWS:
        raise ImportError_(f"Import at most {MAX_ROWS} people at a time.")
    return Table(headers, lines[1:])


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


def _row(line: int, cells: list[str], headers: list[str], mapping: Mapping[str, str]) -> RowPlan:
    raw = {
        mapping[h]: (_unguarded(cells[i].strip()) if i < len(cells) else "")
        for i, h in enumerate(headers)
        if h in mapping
    }
    plan = RowPlan(line, {})
    values = plan.values
    for name in ("first_name", "last_name"):
        values[name] = raw.get(name, "")
        if not values[name]:
            plan.errors.append(f"{FIELDS[name]} is missing.")
        elif len(values[name]) > 100:
            plan.errors.append(f"{FIELDS[name]} is longer than 100 characters.")
    for name, limit in (("job_title", 200), ("city", 100), ("organisation", 200)):
        values[name] = raw.get(name, "")
        if len(values[name]) > limit:
            plan.errors.append(f"{FIELDS[name]} is longer than {limit} characters.")
    checks: list[tuple[str, Callable[[str], Any]]] = [
        ("country", _country),
        ("email", normalise.email),
        # Semicolons too: the people export joins tags with them.
        ("tags", lambda text: normalise.tags(text.replace(";", ","))),
    ]
    for name, clean in checks:
        try:
            values[name] = clean(raw[name]) if raw.get(name) else None
        except normalise.InvalidValue as exc:
            plan.errors.append(f"{FIELDS[name]}: {exc}")
            values[name] = None
    for name in ("consent_newsletters", "consent_surveys"):
        answer = raw.get(name, "").casefold()
        values[name] = CONSENT_ANSWERS.get(answer) if answer else None
        if answer and values[name] is None:
            plan.errors.append(f"{FIELDS[name]} “{raw[name]}”: answer yes or no.")
    region = values.get("country") or "GB"
    if raw.get("phone"):
        try:
            values["phone"] = normalise.phone(raw["phone"], region)
        except normalise.InvalidValue as exc:
            plan.errors.append(f"{FIELDS['phone']} “{raw['phone']}”: {exc}")
    else:
        values["phone"] = None
    parsers = {
        "other_emails": normalise.email,
        "other_phones": lambda text: normalise.phone(text, region),
    }
    for name, parse in parsers.items():
        values[name] = []
        for text in filter(None, (t.strip() for t in raw.get(name, "").split(";"))):
            try:
                values[name].append(parse(text))
            except normalise.InvalidValue as exc:
                plan.errors.append(f"{FIELDS[name]} “{text}”: {exc}")
    return plan


def _row_details(values: Mapping[str, Any]) -> list[Detail]:
    """The row's addresses and numbers, its Email and Phone first (primary for a new person)."""
    found = []
    for kind in KINDS:
        if values.get(kind):
            found.append(Detail(kind, values[kind], primary=True))
        found += [Detail(kind, v) for v in values.get(f"other_{kind}s") or []]
    return found


def check(
    org: Organisation,
    table: Table,
    mapping: Mapping[str, str],
    progress: Callable[[], None] | None = None,
) -> Plan:
    """Every row normalised and matched; nothing is written. ``progress`` ticks per row."""
    check_mapping(mapping)
    rows = []
    for n, cells in enumerate(table.rows, 2):
        rows.append(_row(n, cells, table.headers, mapping))
        if progress:
            progress()
    # Addresses match ignoring case: Ana.Lima@ and ana.lima@ are one person.
    owners = {kind: _owners(org, kind, rows) for kind in KINDS}
    seen: dict[str, int] = {}
    for row in rows:
        mine = _row_details(row.values)
        for detail in mine:
            value = detail.value.lower()
            name = detail.kind if detail.primary else f"other_{detail.kind}s"
            if value in seen:
                row.errors.append(f"{FIELDS[name]} “{detail.value}” repeats line {seen[value]}.")
            else:
                seen[value] = row.line
        for kind in KINDS:
            for detail in (d for d in mine if d.kind == kind):
                ids = owners[kind].get(detail.value.lower() if kind == "email" else detail.value)
                if ids and row.match is None:
                    row.match = ids[0]
    return Plan(rows, _known_organisations(org, rows))


def _owners(org: Organisation, kind: str, rows: list[RowPlan]) -> dict[str, list[int]]:
    values = sorted({d.value for r in rows for d in _row_details(r.values) if d.kind == kind})
    found: dict[str, list[int]] = {}
    # In chunks: a database binds a limited number of parameters per query.
    for start in range(0, len(values), 400):
        found.update(details.owners(org, kind, values[start : start + 400]))
    return found


def _known_organisations(org: Organisation, rows: list[RowPlan]) -> set[str]:
    names = sorted({r.values["organisation"].lower() for r in rows if r.values.get("organisation")})
    known: set[str] = set()
    # In chunks: a database binds a limited number of parameters per query.
    for start in range(0, len(names), 500):
        query = CustomerOrganisation.in_org(org).where(
            fn.LOWER(CustomerOrganisation.name).in_(names[start : start + 500])
        )
        known.update(str(o.name).casefold() for o in query)
    return known


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


def _organisation(org: Organisation, name: str, cache: dict[str, Any], job_id: int | None) -> Any:
    key = name.casefold()
    if key not in cache:
        found = list(
            CustomerOrganisation.in_org(org)
            .where(fn.LOWER(CustomerOrganisation.name) == name.lower())
            .order_by(CustomerOrganisation.id)
        )
        if found:
            cache[key] = found[0]
        else:
            cache[key] = CustomerOrganisation.create(org=org, name=name, import_job_id=job_id)
            refresh_organisations([cache[key].id])
    return cache[key]


def apply(
    org: Organisation,
    plan: Plan,
    *,
    on_match: str = "update",
    progress: Callable[[], None] | None = None,
    job_id: int | None = None,
    publish: Callable[[Result], None] | None = None,
) -> Result:
    """Save the plan: all of it, or (if anything fails) nothing that anyone sees.

    Without ``job_id``, in one transaction. With it, in batches: new people
    (and the organisations and affiliations they bring) in short transactions
    (``BATCH_ROWS`` or ``BATCH_SECONDS``, with a gap after each on SQLite so a
    waiting writer gets in), each row tagged with the job and so hidden; then one
    last transaction updates the matched people and calls ``publish``, which
    marks the job done and so shows the new rows. If it fails, the caller
    removes the tagged rows with ``discard``.
    """
    if on_match not in ON_MATCH:
        raise ImportError_(f"on_match must be one of {', '.join(ON_MATCH)}.")
    if not plan.ok:
        raise ImportError_(f"{len(plan.errors)} rows have errors: nothing was imported.")
    result = Result()
    organisations: dict[str, Any] = {}
    if job_id is None:
        with database.atomic():
            _save_rows(org, plan.rows, on_match, organisations, result, progress, None)
        return result
    new = [row for row in plan.rows if row.match is None]
    start = 0
    while start < len(new):
        with database.atomic():
            began = time.monotonic()  # once the lock is ours: waiting for it is no work
            end = min(start + BATCH_ROWS, len(new))
            while True:  # at least one step, however long the lock took
                step = new[start : min(start + 50, end)]
                _save_rows(org, step, on_match, organisations, result, progress, job_id)
                start += len(step)
                if start >= end or time.monotonic() - began >= BATCH_SECONDS:
                    break
        if start < len(new) and isinstance(database.obj, SqliteDatabase):
            # SQLite has one writer and no queue: a writer waiting for the lock
            # polls at most every 100 ms, so it needs a gap that long to get in.
            time.sleep(SQLITE_GAP_SECONDS)
    with database.atomic():
        matched = [row for row in plan.rows if row.match is not None]
        _save_rows(org, matched, on_match, organisations, result, progress, job_id)
        if publish:
            publish(result)
    return result


def _save_rows(
    org: Organisation,
    rows: list[RowPlan],
    on_match: str,
    organisations: dict[str, Any],
    result: Result,
    progress: Callable[[], None] | None,
    job_id: int | None,
) -> None:
    touched: list[int] = []
    for row in rows:
        values = dict(row.values)
        tags = values.pop("tags")
        organisation_name = values.pop("organisation")
        consent = {k: values.pop(f"consent_{k}") for k in ("newsletters", "surveys")}
        reach = _row_details(values)
        for kind in KINDS:
            values.pop(f"other_{kind}s")
        if row.match is not None and on_match == "skip":
            result.skipped += 1
        else:
            columns = {k: v for k, v in values.items() if v not in (None, "")}
            if row.match is not None:
                person = Person.get_in_org(org, row.match)
                for key, value in columns.items():
                    if key not in KINDS:  # their primaries stay; add_details below
                        setattr(person, key, value)
                person.updated_at = utcnow()
                person.save()
                details.add_details(person, reach)
                result.updated += 1
            else:
                person = Person.create(org=org, import_job_id=job_id, **columns)
                details.set_details(person, reach)
                result.created += 1
            if tags is not None:
                merged = ", ".join([*person.tag_list, *tags]) if row.match else ", ".join(tags)
                set_tags(person, normalise.tags(merged))
            if organisation_name:
                organisation = _organisation(org, organisation_name, organisations, job_id)
                _affiliate(org, person, organisation, job_id)
            for purpose, opted_in in consent.items():
                if opted_in is not None:
                    set_topic(person, purpose, opted_in, source="import")
            touched.append(person.id)
        if progress:
            progress()
    refresh_people(touched)


def _affiliate(org: Organisation, person: Any, organisation: Any, job_id: int | None) -> None:
    mine = list(Affiliation.select().where(Affiliation.person == person.id))
    if any(a.organisation_id == organisation.id for a in mine):
        return
    Affiliation.create(
        org=org,
        person=person,
        organisation=organisation,
        role=person.job_title or "",
        is_primary=not any(a.is_primary for a in mine),
        import_job_id=job_id,
    )


def discard(job_id: int) -> int:
    """Remove what the import ``job_id`` wrote, ``BATCH_ROWS`` at a time; the people removed.

    People first (their details, tags, consent and affiliations go with them),
    then the organisations it created and any affiliation left.
    """
    removed = 0
    for model in (Person, Affiliation, CustomerOrganisation):
        while True:
            with database.atomic():
                ids = [
                    row.id
                    for row in model.select(model.id)
                    .where(model.import_job_id == job_id)
                    .limit(BATCH_ROWS)
                ]
                if not ids:
                    break
                model.delete().where(model.id.in_(ids)).execute()
            if model is Person:
                removed += len(ids)
    return removed


def release(job_id: int) -> None:
    """Clear the tag of a done import's rows, ``BATCH_ROWS`` at a time: they are anyone's now."""
    for model in (Person, CustomerOrganisation, Affiliation):
        while True:
            with database.atomic():
                ids = [
                    row.id
                    for row in model.select(model.id)
                    .where(model.import_job_id == job_id)
                    .limit(BATCH_ROWS)
                ]
                if not ids:
                    break
                model.update(import_job_id=None).where(model.id.in_(ids)).execute()


def add_commands(cli: Any) -> None:
    """``accord contacts import FILE --org SLUG [--dry-run] [--on-match …] [--map col=field …]``."""
    import click
    from rich.progress import Progress

    from accord import accounts
    from accord.cli.base import Env, clean_errors, console, pass_env
    from accord.enablement import PluginEnablement

    @cli.group("contacts")
    def contacts() -> None:
        """People and customer organisations."""

    @contacts.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--org", "org_slug", required=True, help="The organisation to import into.")
    @click.option("--dry-run", is_flag=True, help="Check every row; save nothing.")
    @click.option(
        "--on-match",
        type=click.Choice(ON_MATCH),
        default="skip",
        show_default=True,
        help="What to do with a row whose email or phone is already a person's.",
    )
    @click.option(
        "--map",
        "pairs",
        multiple=True,
        metavar="COLUMN=FIELD",
        help=f"Fields: {', '.join(FIELDS)}.",
    )
    @pass_env
    @clean_errors
    def import_people(
        env: Env, file: str, org_slug: str, dry_run: bool, on_match: str, pairs: tuple[str, ...]
    ) -> None:
        """Import people from a CSV file: all of them, or none if any row is wrong."""
        with open(file, "rb") as handle:
            data = handle.read()
        with env.db():
            org = accounts.get_org(org_slug)
            on = (
                PluginEnablement.select()
                .where(
                    (PluginEnablement.org == org)
                    & (PluginEnablement.plugin == "contacts")
                    & (PluginEnablement.enabled == True)  # noqa: E712
                )
                .exists()
            )
            if not on:
                raise click.ClickException(f"contacts is not enabled in {org_slug}")
            try:
                table = read_csv(data)
                mapping = parse_mapping(list(pairs), table.headers)
                plan = check(org, table, mapping)
            except ImportError_ as exc:
                raise click.ClickException(str(exc)) from None
            for row in plan.errors:
                click.echo(f"line {row.line}: {' '.join(row.errors)}", err=True)
            if not plan.ok:
                raise click.ClickException(
                    f"{len(plan.errors)} of {len(plan.rows)} rows have errors; nothing was imported"
                )
            if dry_run:
                new = len(plan.rows) - plan.matched
                verb = "updated" if on_match == "update" else "skipped"
                click.echo(
                    f"dry run: {len(plan.rows)} rows are valid; {new} would be added, "
                    f"{plan.matched} {verb}; nothing was saved"
                )
                organisations = plan.new_organisations(on_match)
                if organisations:
                    click.echo(new_organisations_words(organisations))
                return
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task("Importing", total=len(plan.rows))
                result = apply(org, plan, on_match=on_match, progress=lambda: bar.advance(task))
        click.echo(f"{result.created} added, {result.updated} updated, {result.skipped} skipped")
