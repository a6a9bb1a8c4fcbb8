"""The people list at scale, by its query plans: a deep page seeks, a search asks its index,
and an export runs its search once however many chunks it sends.

Each test captures the SQL a request runs and asks the database how it would run it
(EXPLAIN). On PostgreSQL ``enable_seqscan`` is off meanwhile, so a plan that still reads
the whole table has no index to use rather than a small table's shortcut.
"""

from __future__ import annotations

import csv
import io

import pytest
from peewee import SqliteDatabase
from playhouse.test_utils import count_queries

from accord import database
from accord.components import export
from accord.plugins.contacts.models import Person
from accord.plugins.contacts.normalise import search_text
from accord.plugins.contacts.tables import PEOPLE

LIST = "/o/acme/contacts/people/"
SURNAMES = ["Smith", "Jones", "Patel", "Okafor", "Nowak", "Lima", "Chen", "Hughes"]
PEOPLE_COUNT = 4000
SMITHS = PEOPLE_COUNT // len(SURNAMES)


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def people(org, enable_plugin):
    """Four thousand people of ``org``, one in eight a Smith, written in one insert."""
    enable_plugin(org, "contacts")
    rows = []
    for n in range(PEOPLE_COUNT):
        first, last = f"Person{n:04d}", SURNAMES[n % len(SURNAMES)]
        email = f"person{n}@council.example"
        rows.append(
            {
                "org": org.id,
                "first_name": first,
                "last_name": last,
                "email": email,
                "country": "FR" if n % 16 == 0 else "GB",  # half the Smiths
                "search_text": search_text([first, last, email]),
            }
        )
    Person.insert_many(rows).execute()
    database.execute_sql("ANALYZE")  # as after any bulk load: the planner's estimates
    return org


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def captured(client, url: str) -> list[tuple[str, tuple]]:
    """Every statement ``url`` runs, with its parameters."""
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return [(record.msg[0], tuple(record.msg[1] or ())) for record in counter.get_queries()]


def page_query(statements: list[tuple[str, tuple]]) -> tuple[str, tuple]:
    """The statement that reads the page's people: ordered and limited, not a count."""
    (found,) = [
        (sql, params)
        for sql, params in statements
        if 'FROM "contacts_person"' in sql
        and "ORDER BY" in sql
        and "LIMIT" in sql
        and "COUNT(" not in sql
    ]
    return found


def plan(sql: str, params: tuple) -> str:
    """How the database would run ``sql``: one line per step."""
    if is_sqlite():
        rows = database.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
        return "\n".join(row[-1] for row in rows)
    with database.atomic():
        database.execute_sql("SET LOCAL enable_seqscan = off")
        rows = database.execute_sql(f"EXPLAIN {sql}", params).fetchall()
    return "\n".join(row[0] for row in rows)


def reads_every_person(steps: str) -> bool:
    """Whether a plan reads the people table from end to end, rather than seeking in it."""
    lines = steps.splitlines()
    if is_sqlite():
        return any(line.startswith("SCAN t1") for line in lines)
    return any("Seq Scan on contacts_person " in line for line in lines)


def deep_cursor(org) -> str:
    person = (
        Person.select()
        .where(Person.org == org)
        .order_by(Person.last_name, Person.id)
        .offset(PEOPLE_COUNT - 30)
        .first()
    )
    return PEOPLE.default.encode(person)


def test_a_deep_page_seeks_the_name_index_to_its_cursor(signed_in, people):
    statements = captured(signed_in("viewer"), f"{LIST}?after={deep_cursor(people)}")
    steps = plan(*page_query(statements))
    assert not reads_every_person(steps), steps
    if is_sqlite():
        assert "SEARCH t1 USING INDEX" in steps and "last_name>" in steps.replace(" ", ""), steps
    else:
        assert "contacts_person_org_id_status_last_name_id" in steps, steps


def test_the_first_page_reads_the_name_index_in_order(signed_in, people):
    steps = plan(*page_query(captured(signed_in("viewer"), LIST)))
    assert not reads_every_person(steps), steps
    assert "TEMP B-TREE" not in steps and "Sort Key" not in steps, steps  # no sort


def test_a_search_takes_its_matches_from_the_search_index(signed_in, people):
    steps = plan(*page_query(captured(signed_in("viewer"), f"{LIST}?q=person0007")))
    assert not reads_every_person(steps), steps
    if is_sqlite():
        assert "contacts_person_fts VIRTUAL TABLE INDEX" in steps, steps
    else:
        # A small table is quicker read through the organisation's index than looked up
        # in the trigram index; the search's own condition must still have an index.
        alone = plan('SELECT id FROM "contacts_person" WHERE search_text ILIKE %s', ("%0007%",))
        assert "Bitmap Index Scan on contacts_person_search_trgm" in alone, alone


def test_a_list_page_says_how_many_match_and_a_search_page_says_many(signed_in, people):
    client = signed_in("viewer")
    assert "25 shown of more than 1,000" in client.get(LIST).text
    assert "25 shown of many" in client.get(f"{LIST}?q=smith").text


def export_statements(client, url: str) -> tuple[list[list[str]], list[str]]:
    with count_queries() as counter:
        body = client.get(url).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    return rows, [record.msg[0] for record in counter.get_queries()]


def test_an_export_of_a_search_runs_the_search_once_for_all_its_chunks(
    signed_in, people, monkeypatch
):
    monkeypatch.setattr(export, "CHUNK", 70)  # 500 Smiths: eight chunks
    rows, statements = export_statements(signed_in("viewer"), f"{LIST}?q=smith&format=csv")
    assert len(rows) == 1 + SMITHS
    searches = [sql for sql in statements if "contacts_person_fts" in sql or "ILIKE" in sql]
    assert len(searches) == 1, searches


def test_an_export_holds_the_rows_the_pages_show_in_their_order(signed_in, people, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 70)
    client = signed_in("viewer")
    rows, _ = export_statements(client, f"{LIST}?q=smith&country=GB&format=csv")
    ordered = (
        Person.select()
        .where((Person.last_name == "Smith") & (Person.country == "GB"))
        .order_by(Person.last_name, Person.id)
    )
    header, *body = rows
    email = header.index(next(h for h in header if "mail" in h.lower()))
    assert [row[email] for row in body] == [p.email for p in ordered]
    assert len(body) == SMITHS // 2
