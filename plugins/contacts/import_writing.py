"""Writing an import's staged rows: new people in bulk, hidden until the last short step.

New people, with their addresses, tags, organisations, affiliations and
consent, go in with a few multi-row inserts per batch, each row tagged with
the job (``import_job_id``) and so hidden (``models.published``). Batches
are short transactions (``BATCH_ROWS`` rows or ``BATCH_SECONDS``), with a gap
after each on SQLite so that a waiting writer gets in. One last transaction
updates the people the file matched, writes the import's one audit entry and
calls ``publish`` (which marks the job done and so shows every new row). If
anything fails the caller removes the tagged rows with ``discard``.

New people are written directly rather than saved one by one: no audit entry
each (the import's entry counts them) and their derived columns (search line,
tags as text, primary organisation) computed here, as ``derived.py`` would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase, fn

from accord import Organisation, database, utcnow
from accord.audit import record

from . import bulk, details, normalise
from .consent import set_topic
from .consent.models import ConsentChange, TopicConsent
from .consent.purposes import purpose
from .consent.rules import topic_word
from .derived import refresh_people, set_tags
from .details import DEFAULT_LABEL
from .import_reading import row_details
from .import_staging import ImportRow, batches
from .models import Affiliation, ContactDetail, CustomerOrganisation, Person, PersonTag, Tag

# A batch's transaction: at most so many rows or seconds, so that another writer waits
# for one short batch at most.
BATCH_ROWS = 2000
BATCH_STEP = 250  # rows written together inside a batch
BATCH_SECONDS = 0.1
SQLITE_GAP_SECONDS = 0.11
TIDY_ROWS = 2000  # rows cleared or removed per transaction after the import
CONSENT_PURPOSES = ("newsletters", "surveys")


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    skipped: int = 0


def write(
    org: Organisation,
    job_id: int,
    *,
    on_match: str,
    summary: str,
    progress: Callable[[int], None] | None = None,
    publish: Callable[[Result], None] | None = None,
) -> Result:
    """Write the job's staged rows: all of them, or (if anything fails) nothing anyone sees."""
    result = Result()
    pending: list[ImportRow] = []
    pages = batches(job_id, matched=False, size=BATCH_STEP)
    done = False
    while not done:
        with database.atomic():
            began = time.monotonic()  # once the lock is ours: waiting for it is no work
            written = 0
            while True:  # at least one step, however long the lock took
                pending = next(pages, [])
                if not pending:
                    done = True
                    break
                insert_new(org, pending, job_id)
                result.created += len(pending)
                written += len(pending)
                if progress:
                    progress(len(pending))
                if written >= BATCH_ROWS or time.monotonic() - began >= BATCH_SECONDS:
                    break
        if not done:
            give_way()
    with database.atomic():
        for page in batches(job_id, matched=True, size=BATCH_STEP):
            if on_match == "skip":
                result.skipped += len(page)
            else:
                update_matched(org, page, job_id)
                result.updated += len(page)
            if progress:
                progress(len(page))
        record(
            org,
            "import",
            f"imported people from {summary}: {result.created} added, "
            f"{result.updated} updated, {result.skipped} skipped",
            plugin="contacts",
            table="contacts_import_job",
            record_id=job_id,
            changes={
                "file": [None, summary],
                "created": [None, result.created],
                "updated": [None, result.updated],
                "skipped": [None, result.skipped],
            },
        )
        if publish:
            publish(result)
    return result


PERSON_COLUMNS = (
    "org",
    "first_name",
    "last_name",
    "job_title",
    "city",
    "country",
    "email",
    "phone",
    "tag_names",
    "organisation",
    "search_text",
    "import_job_id",
    "created_at",
    "updated_at",
    "version",
)
DETAIL_COLUMNS = ("org", "person", "kind", "value", "label", "is_primary", "created_at")
AFFILIATION_COLUMNS = (
    "org",
    "person",
    "organisation",
    "role",
    "is_primary",
    "import_job_id",
    "created_at",
)
TOPIC_COLUMNS = ("org", "person", "purpose", "opted_in", "changed_at")
CHANGE_COLUMNS = ("org", "person", "at", "user", "source", "subject", "before", "after")


def insert_new(org: Organisation, rows: list[ImportRow], job_id: int) -> None:
    """Insert a batch of new people and everything they bring, a few statements in all."""
    values = [row.values for row in rows]
    organisations = _organisations(org, values, job_id)
    tags = _tags(org, values)
    now = utcnow()
    people = []
    for v in values:
        reach = row_details(v)
        emails = list(_values(reach, "email"))
        phones = list(_values(reach, "phone"))
        chosen = _chosen_tags(v, tags)
        organisation = organisations.get((v.get("organisation") or "").lower())
        tag_names = ", ".join(name for _id, name in chosen)
        text = normalise.search_text(
            [
                v["first_name"],
                v["last_name"],
                *emails,
                *(form for phone in phones for form in _search_forms(phone, v)),
                v.get("job_title"),
                tag_names,
                organisation[1] if organisation else None,
            ]
        )
        people.append(
            (
                org.id,
                v["first_name"],
                v["last_name"],
                v.get("job_title") or "",
                v.get("city") or "",
                v.get("country") or "",
                emails[0] if emails else None,
                phones[0] if phones else None,
                tag_names,
                organisation[0] if organisation else None,
                text,
                job_id,
                now,
                now,
                1,
            )
        )
    ids = bulk.insert(Person, PERSON_COLUMNS, people, returning=True)
    contact: list[tuple[Any, ...]] = []
    linked, affiliated, topics, changes = [], [], [], []
    purposes = {key: purpose(org.id, key).key for key in CONSENT_PURPOSES}
    for person_id, v, person in zip(ids, values, people, strict=True):
        contact += _details(org.id, person_id, row_details(v), now)
        linked += [(org.id, person_id, tag_id) for tag_id, _ in _chosen_tags(v, tags)]
        if person[9]:  # an organisation: their primary affiliation
            affiliated.append((org.id, person_id, person[9], person[3], True, job_id, now))
        for key in CONSENT_PURPOSES:
            opted_in = v.get(f"consent_{key}")
            if opted_in is None:
                continue
            subject = f"topic:{purposes[key]}"
            topics.append((org.id, person_id, purposes[key], opted_in, now))
            changes.append(
                (
                    org.id,
                    person_id,
                    now,
                    None,
                    "import",
                    subject,
                    topic_word(None),
                    topic_word(opted_in),
                )
            )
    bulk.insert(ContactDetail, DETAIL_COLUMNS, contact)
    bulk.insert(PersonTag, ("org", "person", "tag"), linked)
    bulk.insert(Affiliation, AFFILIATION_COLUMNS, affiliated)
    bulk.insert(TopicConsent, TOPIC_COLUMNS, topics)
    bulk.insert(ConsentChange, CHANGE_COLUMNS, changes)


def _search_forms(phone: str, v: dict[str, Any]) -> list[str]:
    """``normalise.phone_search_forms(phone)``, from the digits the check kept."""
    digits = (v.get("phone_digits") or {}).get(phone)
    return [phone, digits] if digits else normalise.phone_search_forms(phone)


def _values(reach: list[details.Detail], kind: str) -> Iterable[str]:
    return (d.value for d in reach if d.kind == kind)


def _details(
    org_id: int, person_id: int, reach: list[details.Detail], now: Any
) -> list[tuple[Any, ...]]:
    """The rows of a new person's details: repeats dropped, the first of a kind primary."""
    seen: set[tuple[str, str]] = set()
    primaries: set[str] = set()
    rows = []
    for detail in reach:
        if (detail.kind, detail.value) in seen:
            continue
        seen.add((detail.kind, detail.value))
        primary = detail.kind not in primaries
        primaries.add(detail.kind)
        rows.append((org_id, person_id, detail.kind, detail.value, DEFAULT_LABEL, primary, now))
    return rows


def _organisations(
    org: Organisation, values: list[dict[str, Any]], job_id: int
) -> dict[str, tuple[int, str]]:
    """Lower-cased name -> (id, name) of the batch's organisations, creating those missing."""
    wanted: dict[str, str] = {}
    for v in values:
        if v.get("organisation"):
            wanted.setdefault(v["organisation"].lower(), v["organisation"])
    found: dict[str, tuple[int, str]] = {}
    if not wanted:
        return found
    name = fn.LOWER(CustomerOrganisation.name)
    # Not in_org: this import's own (still hidden) organisations count as existing.
    existing = (
        CustomerOrganisation.select(CustomerOrganisation.id, CustomerOrganisation.name, name)
        .where((CustomerOrganisation.org == org) & name.in_(list(wanted)))
        .order_by(CustomerOrganisation.id)
        .tuples()
    )
    for pk, text, key in existing:
        found.setdefault(key, (pk, text))
    missing = [text for key, text in wanted.items() if key not in found]
    if missing:
        now = utcnow()
        rows = [
            (org.id, text, normalise.search_text([text]), job_id, now, now, 1) for text in missing
        ]
        columns = (
            "org",
            "name",
            "search_text",
            "import_job_id",
            "created_at",
            "updated_at",
            "version",
        )
        ids = bulk.insert(CustomerOrganisation, columns, rows, returning=True)
        for pk, text in zip(ids, missing, strict=True):
            found[text.lower()] = (pk, text)
    return found


def _tags(org: Organisation, values: list[dict[str, Any]]) -> dict[str, tuple[int, str]]:
    """Case-folded name -> (id, name) of the batch's tags, creating those missing.

    Tags are the organisation's vocabulary, not the import's: new ones are not hidden.
    """
    wanted: dict[str, str] = {}
    for v in values:
        for text in v.get("tags") or []:
            wanted.setdefault(text.casefold(), text)
    found: dict[str, tuple[int, str]] = {}
    if not wanted:
        return found
    lowered = sorted({text.lower() for text in wanted.values()})
    existing = (
        Tag.select(Tag.id, Tag.name)
        .where((Tag.org == org) & fn.LOWER(Tag.name).in_(lowered))
        .order_by(Tag.id)
        .tuples()
    )
    for pk, text in existing:
        found.setdefault(text.casefold(), (pk, text))
    missing = [text for key, text in wanted.items() if key not in found]
    if missing:
        now = utcnow()
        rows = [(org.id, text, now) for text in missing]
        ids = bulk.insert(Tag, ("org", "name", "created_at"), rows, returning=True)
        for pk, text in zip(ids, missing, strict=True):
            found[text.casefold()] = (pk, text)
    return found


def _chosen_tags(v: dict[str, Any], tags: dict[str, tuple[int, str]]) -> list[tuple[int, str]]:
    chosen: dict[int, tuple[int, str]] = {}
    for text in v.get("tags") or []:
        tag = tags[text.casefold()]
        chosen.setdefault(tag[0], tag)
    return list(chosen.values())


def update_matched(org: Organisation, rows: list[ImportRow], job_id: int) -> None:
    """Update the people a batch of rows matched: their fields, and what they lack added."""
    touched = []
    now = utcnow()
    for row in rows:
        v = row.values
        person = Person.get_by_id(row.match_id)
        columns: dict[Any, Any] = {
            getattr(Person, k): v[k]
            for k in ("first_name", "last_name", "job_title", "city", "country")
            if v.get(k)
        }
        # Their primaries stay (add_details below); a new version makes open edit forms stale.
        Person.update(
            {**columns, Person.updated_at: now, Person.version: Person.version + 1}
        ).where(Person.id == person.id).execute()
        person = Person.get_by_id(person.id)
        details.add_details(person, row_details(v))
        if v.get("tags") is not None:
            _tags(org, [v])  # any new tag created here, as for new people (set_tags would audit it)
            set_tags(person, normalise.tags(", ".join([*person.tag_list, *v["tags"]])))
        if v.get("organisation"):
            _affiliate(org, person, _organisation(org, v["organisation"], job_id), job_id)
        for key in CONSENT_PURPOSES:
            if v.get(f"consent_{key}") is not None:
                set_topic(person, key, v[f"consent_{key}"], source="import")
        touched.append(person.id)
    refresh_people(touched)


def _organisation(org: Organisation, name: str, job_id: int) -> int:
    """The id of the organisation ``name`` (ignoring case), created (hidden) if missing."""
    return _organisations(org, [{"organisation": name}], job_id)[name.lower()][0]


def _affiliate(org: Organisation, person: Any, organisation_id: int, job_id: int) -> None:
    mine = list(Affiliation.select().where(Affiliation.person == person.id))
    if any(a.organisation_id == organisation_id for a in mine):
        return
    primary = not any(a.is_primary for a in mine)
    row = (org.id, person.id, organisation_id, person.job_title or "", primary, job_id, utcnow())
    bulk.insert(Affiliation, AFFILIATION_COLUMNS, [row])


def discard(job_id: int, size: int = BATCH_STEP) -> int:
    """Remove what the import ``job_id`` wrote, ``size`` at a time; the people removed.

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
                    .limit(size)
                ]
                if not ids:
                    break
                model.delete().where(model.id.in_(ids)).execute()
            if model is Person:
                removed += len(ids)
            give_way()
    return removed


def release(job_id: int, size: int | None = None) -> None:
    """Clear the tag of a done import's rows, a short transaction at a time: anyone's now."""
    for model in (Person, CustomerOrganisation, Affiliation):
        while True:
            some = model.select(model.id).where(model.import_job_id == job_id)
            with database.atomic():
                cleared = model.update(import_job_id=None).where(
                    model.id.in_(some.limit(size or TIDY_ROWS))
                )
                if not cleared.execute():
                    break
            give_way()


def give_way() -> None:
    """Between two of an import's transactions on SQLite: time for a waiting writer to get in.

    SQLite has one writer and no queue: a writer waiting for the lock polls at
    most every 100 ms, so it needs a gap that long.
    """
    if isinstance(database.obj, SqliteDatabase):
        time.sleep(SQLITE_GAP_SECONDS)
