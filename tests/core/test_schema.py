"""Each plugin migrates its own tables with its own history."""

from __future__ import annotations

import textwrap

import pytest

from accord import hookimpl
from accord.app import create_app
from accord.db import database
from accord.schema import MigrationRecord, PendingMigrationsError, migrate, pending
from accord.testing import manifest


def write_migration(folder, name, table):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(
        textwrap.dedent(f"""
        from peewee import CharField, Model

        def up(migrator, db):
            class Row(Model):
                label = CharField()

                class Meta:
                    database = db
                    table_name = "{table}"

            db.create_tables([Row])
    """)
    )


class Migrating:
    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def register_migrations(self):
        return self.folder


@pytest.fixture
def folders(tmp_path, accord_plugins):
    first, second = tmp_path / "first", tmp_path / "second"
    write_migration(first, "0001_initial", "first_row")
    write_migration(second, "0001_initial", "second_row")
    accord_plugins.append((Migrating(first), manifest("first")))
    accord_plugins.append((Migrating(second), manifest("second")))
    return first, second


def test_migrations_of_two_plugins_with_the_same_name_do_not_collide(folders, accord_db):
    history = {(r.plugin, r.name) for r in MigrationRecord.select()}
    assert {("first", "0001_initial"), ("second", "0001_initial")} <= history
    assert {"first_row", "second_row"} <= set(database.get_tables())


def test_a_new_migration_is_pending_until_applied(folders, accord_db, accord_host):
    first, _ = folders
    write_migration(first, "0002_more", "first_more")
    assert [p.label for p in pending(accord_host)] == ["first:0002_more"]
    assert migrate(accord_host) == ["first:0002_more"]
    assert pending(accord_host) == []


def test_the_server_refuses_to_start_with_pending_migrations(
    folders, accord_db, accord_settings, accord_host
):
    first, _ = folders
    write_migration(first, "0002_more", "first_more")
    with pytest.raises(PendingMigrationsError, match="run `accord migrate`"):
        create_app(accord_settings, accord_host)


def test_migrations_run_in_numeric_order(tmp_path, accord_plugins, accord_db, accord_host):
    folder = tmp_path / "ordered"
    write_migration(folder, "0010_late", "ordered_late")
    write_migration(folder, "0002_early", "ordered_early")
    accord_host.pm.register(Migrating(folder), name="ordered")
    applied = migrate(accord_host)
    assert applied == ["ordered:0002_early", "ordered:0010_late"]


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a database with nothing in it, of the kind this pass tests."""
    from postgres import postgres_under_test, throwaway_database

    url = postgres_under_test()
    if url is None:
        yield f"sqlite:///{tmp_path / 'instance' / 'accord.db'}"
        return
    with throwaway_database(url, "migrate_race") as fresh:
        yield fresh


def applied_rows(url):
    from playhouse.db_url import connect

    db = connect(url)
    with db.connection_context():
        return db.execute_sql("SELECT plugin, name FROM accord_migration").fetchall()


def test_two_migrate_commands_at_once_take_turns_and_apply_each_migration_once(
    tmp_path, empty_database
):
    import os
    import subprocess
    import sys
    from pathlib import Path

    accord_command = str(Path(sys.executable).parent / "accord")
    env = {
        **os.environ,
        "ACCORD_HOME": str(tmp_path / "instance"),
        "ACCORD_DATABASE_URL": empty_database,
        "ACCORD_SECRET_KEY": "test-secret-key",
        "ACCORD_SAFE_MODE": "1",
    }
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
    rows = applied_rows(empty_database)
    last_lines = sorted(output.strip().splitlines()[-1] for output in outputs)
    assert last_lines == [f"{len(rows)} migration(s) applied.", "Nothing to migrate."]
    assert len(rows) == len(set(rows)) > 10
