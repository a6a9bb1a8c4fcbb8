"""Accord behind PgBouncer in transaction pool mode, as a growing fleet runs it.

In transaction mode each transaction, or each statement outside one, may run
on a different server connection. Nothing in Accord may rely on session state
(session-level SET, session advisory locks, LISTEN, temporary tables, prepared
statements): pages, forms, the audit log and migrations all go through a real
PgBouncer here, with fewer server connections than clients.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

import pytest
from postgres import pgbouncer, postgres_under_test, throwaway_database

from accord.models import AuditEntry
from accord.plugins.contacts.models import Person
from accord.testing import post_form

pytestmark = pytest.mark.skipif(
    postgres_under_test() is None, reason="PgBouncer fronts PostgreSQL: the PostgreSQL pass"
)

NEW = "/o/acme/contacts/people/new"


@pytest.fixture(scope="module")
def bouncer():
    """A PgBouncer in front of this pass's PostgreSQL server, and a database of the module's own."""
    with (
        throwaway_database(postgres_under_test(), "bouncer") as direct,
        pgbouncer(direct, server_connections=3) as through,
    ):
        yield through


@pytest.fixture
def accord_settings(accord_settings, bouncer):
    """Every test of this module reaches its database only through PgBouncer."""
    return replace(accord_settings, database_url=bouncer)


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


def person_form(**fields):
    return {"first_name": "Ana", "last_name": "Lima", "job_title": "Head Teacher", **fields}


def test_the_database_is_reached_through_pgbouncer(accord_settings, bouncer):
    assert accord_settings.database_url == bouncer
    assert urlparse(bouncer).port != 5432


def test_a_user_signs_in_adds_a_person_and_edits_them(signed_in, enabled):
    client = signed_in("agent")
    assert post_form(client, NEW, person_form(), token_from=NEW).status_code == 303
    person = Person.get()
    edit = f"/o/acme/contacts/people/{person.id}/edit"
    response = post_form(
        client, edit, person_form(job_title="Principal", version="1"), token_from=edit
    )
    assert response.status_code == 303
    assert Person.get_by_id(person.id).job_title == "Principal"


def test_the_audit_log_records_changes_made_through_pgbouncer(signed_in, enabled):
    client = signed_in("agent", email="ana@acme.test")
    post_form(client, NEW, person_form(), token_from=NEW)
    entry = AuditEntry.get(AuditEntry.table == "contacts_person")
    assert (entry.action, entry.actor_label) == ("create", "ana@acme.test")


def test_concurrent_requests_share_fewer_server_connections(signed_in, enabled):
    clients = [signed_in("agent") for _ in range(6)]
    failures: list[str] = []

    def work(n: int, client) -> None:
        for step in range(3):
            response = post_form(
                client, NEW, person_form(first_name=f"P{n}x{step}"), token_from=NEW
            )
            if response.status_code != 303:
                failures.append(f"{n}/{step}: {response.status_code}")
            listing = client.get("/o/acme/contacts/people/")
            if listing.status_code != 200:
                failures.append(f"{n}/{step} list: {listing.status_code}")

    threads = [threading.Thread(target=work, args=(n, c)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert Person.select().count() == 18


def test_two_migrate_commands_through_pgbouncer_take_turns(tmp_path, bouncer):
    with throwaway_database(postgres_under_test(), "bouncer_migrate") as direct:
        through = urlparse(bouncer)._replace(path=urlparse(direct).path).geturl()
        env = {
            **os.environ,
            "ACCORD_HOME": str(tmp_path / "instance"),
            "ACCORD_DATABASE_URL": through,
            "ACCORD_SECRET_KEY": "test-secret-key",
            "ACCORD_SAFE_MODE": "1",
        }
        accord_command = str(Path(sys.executable).parent / "accord")
        runs = [
            subprocess.Popen(
                [accord_command, "migrate"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        last_lines = sorted(output.strip().splitlines()[-1] for output in outputs)
        assert last_lines[1] == "Nothing to migrate."
        assert last_lines[0].endswith("migration(s) applied.")
