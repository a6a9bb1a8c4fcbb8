"""Names found despite typos: "Priya Ramen" and "Ramn" find Priya Raman.

Two steps, on both databases: an index fetches a few hundred candidates that
share trigrams with the query, then ``name_score`` ranks them in Python the
way pg_trgm measures words, and keeps those where every typed word is close
to a word of the name.

- PostgreSQL: the GIN trigram indexes on ``lower(first_name || ' ' ||
  last_name)`` and ``lower(name)`` (migration 0009) answer ``<%`` (a typed
  word is similar to part of the name), for every typed word.
  Without pg_trgm ``available()`` is false, search stays exact, and
  ``accord check`` warns.
- SQLite: the FTS5 trigram index of ``search_text`` (migration 0001) is
  asked for rows holding, for every typed word, one of its halves (a typo
  spoils at most one) or, for a short word, one of its trigrams; best
  ``rank`` first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from peewee import SQL, Expression, SqliteDatabase, Value, fn

from accord import Organisation, database

from .models import CustomerOrganisation, Person

CANDIDATES = 300  # fetched by the index, then ranked here
WORD_MATCH = 0.3  # pg_trgm's default similarity threshold, per typed word
WORD_THRESHOLD = "0.45"  # for ``<%``: lets "ramen" reach "raman" (0.5)
MAX_WORDS = 4
WORD = re.compile(r"\w+")


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: lower-cased, two spaces before and one after."""
    padded = f"  {word.casefold()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """Shared trigrams over all trigrams of the two words (pg_trgm's ``similarity``)."""
    first, second = trigrams(a), trigrams(b)
    return len(first & second) / len(first | second) if first and second else 0.0


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def name_score(typed: list[str], name: str) -> float:
    """How well ``typed`` words match ``name``: 0 unless each is close to one of its words.

    A typed word that starts a word of the name counts as a full match.
    """
    own = words(name)
    if not typed or not own:
        return 0.0
    total = 0.0
    for word in typed:
        best = max(1.0 if w.startswith(word) else similarity(word, w) for w in own)
        if best < WORD_MATCH:
            return 0.0
        total += best
    return total / len(typed)


def available() -> bool:
    """Whether this database can search names with typos (PostgreSQL: pg_trgm installed)."""
    if _is_sqlite():
        return True
    cursor = database.execute_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    return cursor.fetchone() is not None


NAME_INDEXES = ("contacts_person_name_trgm", "contacts_organisation_name_trgm")


def instance_warnings() -> list[str]:
    """What ``accord check`` says when typo-tolerant search is off or unindexed here."""
    if _is_sqlite():
        return []
    if not available():
        return [
            "contacts: PostgreSQL's pg_trgm extension is missing, so the search does not "
            "tolerate typos in names; run CREATE EXTENSION pg_trgm (as a superuser), then the "
            "CREATE INDEX statements of contacts' migration 0009"
        ]
    cursor = database.execute_sql(
        "SELECT indexname FROM pg_indexes WHERE indexname IN (%s, %s)", NAME_INDEXES
    )
    missing = sorted(set(NAME_INDEXES) - {row[0] for row in cursor.fetchall()})
    if missing:
        return [
            f"contacts: the trigram indexes {', '.join(missing)} are missing, so searching names "
            "with typos reads every row; create them as contacts' migration 0009 does"
        ]
    return []


def people(org: Organisation, query: str, limit: int) -> list[tuple[Any, float]]:
    """``(person, score)`` of ``org``'s people whose name is close to ``query``, best first."""
    typed = words(query)[:MAX_WORDS]
    name = fn.LOWER(Person.first_name.concat(" ").concat(Person.last_name))
    found = _candidates(Person, name, org, typed)
    return _ranked(found, typed, lambda p: p.full_name, limit)


def organisations(org: Organisation, query: str, limit: int) -> list[tuple[Any, float]]:
    """``(organisation, score)`` of ``org``'s customers whose name is close to ``query``."""
    typed = words(query)[:MAX_WORDS]
    found = _candidates(CustomerOrganisation, fn.LOWER(CustomerOrganisation.name), org, typed)
    return _ranked(found, typed, lambda o: o.name, limit)


def _ranked(found: Iterable[Any], typed: list[str], name: Any, limit: int) -> list[Any]:
    scored = [(record, name_score(typed, name(record))) for record in found]
    scored = [(record, score) for record, score in scored if score > 0]
    scored.sort(key=lambda pair: (-pair[1], name(pair[0]).casefold(), pair[0].id))
    return scored[:limit]


def _candidates(model: Any, name: Any, org: Organisation, typed: list[str]) -> list[Any]:
    typed = [word for word in typed if len(word) >= 3]  # shorter: no trigram to look up
    if not typed:
        return []
    if _is_sqlite():
        index = f"{model._meta.table_name}_fts"
        # Every typed word must be there, roughly: one of its pieces, intact.
        match = " AND ".join(
            "(" + " OR ".join('"' + p.replace('"', '""') + '"' for p in _pieces(w)) + ")"
            for w in typed
        )
        rows = SQL(
            f'(SELECT rowid FROM "{index}" WHERE "{index}" MATCH ? ORDER BY rank LIMIT ?)',
            [match, CANDIDATES * 4],  # shared by every organisation: some are others'
        )
        return list(model.in_org(org).where(model.id.in_(rows)).limit(CANDIDATES))
    if not available():
        return []
    text = " ".join(typed)
    # Each typed word close to part of the name ("%%": psycopg's escape for the % operator).
    close = [Expression(Value(word), "<%%", name) for word in typed]
    similar = close[0]
    for condition in close[1:]:
        similar &= condition
    with database.atomic():
        # Only for this transaction: how close a word must be for ``<%`` to pick it.
        database.execute_sql(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", (WORD_THRESHOLD,)
        )
        closeness = fn.word_similarity(text, name)
        query = model.in_org(org).where(similar).order_by(closeness.desc(), model.id)
        return list(query.limit(CANDIDATES))


def _pieces(word: str) -> list[str]:
    """Parts of ``word`` of which one survives a typo: its two halves, or its trigrams.

    The trigram tokenizer matches a quoted string of three or more characters
    anywhere in the text, so "whit" or "cker" finds Whitaker for "Whitacker".
    """
    if len(word) >= 6:
        return [word[: len(word) // 2], word[len(word) // 2 :]]
    return [word[i : i + 3] for i in range(len(word) - 2)]


def _is_sqlite() -> bool:
    return isinstance(getattr(database, "obj", database), SqliteDatabase)
