"""The command line without a usable instance: one clear line, a non-zero exit, nothing created."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from accord.cli import cli

# A closed port on this machine: the connection is refused at once.
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/accord"


@pytest.fixture
def home(tmp_path):
    """Where ACCORD_HOME points: a folder that does not exist (a mistyped path)."""
    return tmp_path / "no-such-instance"


def run(home, *args, database_url=None, input=None):
    env = {
        "ACCORD_HOME": str(home),
        "ACCORD_DATABASE_URL": database_url,
        "ACCORD_SECRET_KEY": None,
        "ACCORD_SECRET_KEY_FILE": None,
        "ACCORD_CONFIG": None,
        "ACCORD_SAFE_MODE": "1",
    }
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def no_instance(home) -> str:
    return f"Error: no instance at {home} (ACCORD_HOME): run `accord init` or `make run`"


@pytest.fixture
def empty_database(home):
    """An instance folder holding a database that was never migrated."""
    home.mkdir()
    sqlite3.connect(home / "accord.db").close()
    return home


def test_check_on_a_missing_instance_reports_it_and_creates_nothing(home):
    result = run(home, "check")
    assert result.exit_code == 1
    assert f"problem: {no_instance(home).removeprefix('Error: ')}" in result.output
    assert "migrations pending: unknown" in result.output
    assert not home.exists()


def test_check_json_on_a_missing_instance_leaves_the_pending_migrations_unknown(home):
    report = json.loads(run(home, "check", "--json").output)
    assert report["pending_migrations"] is None
    assert report["problems"] == [no_instance(home).removeprefix("Error: ")]


def test_check_on_unreachable_postgresql_does_not_claim_zero_migrations_pending(home):
    result = run(home, "check", database_url=UNREACHABLE)
    assert result.exit_code == 1
    assert "migrations pending: unknown" in result.output
    assert "migrations pending: 0" not in result.output
    problems = [line for line in result.output.splitlines() if line.startswith("problem:")]
    assert len(problems) == 1
    assert problems[0].startswith("problem: cannot reach the database: connection to server")
    assert not home.exists()


def test_migrate_on_unreachable_postgresql_is_one_line(home):
    result = run(home, "migrate", database_url=UNREACHABLE)
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith("Error: cannot reach the database: connection to server")
    assert "Connection refused" in result.output


def test_org_and_user_commands_on_unreachable_postgresql_are_one_line(home):
    result = run(home, "org", "list", database_url=UNREACHABLE)
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach the database:")
    assert len(result.output.splitlines()) == 1


def test_plugins_list_for_an_organisation_on_a_missing_instance(home):
    result = run(home, "plugins", "list", "--org", "acme")
    assert result.exit_code == 1
    assert result.output.strip() == no_instance(home)
    assert not home.exists()


def test_plugins_list_for_an_organisation_on_an_unmigrated_database_says_to_migrate(
    empty_database,
):
    result = run(empty_database, "plugins", "list", "--org", "acme")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: the database has no tables yet: run `accord migrate`"


def test_plugins_list_without_an_organisation_needs_no_instance(home):
    result = run(home, "plugins", "list", "--json")
    assert result.exit_code == 0
    assert {row["id"] for row in json.loads(result.output)} >= {"auth", "settings"}
    assert not home.exists()


@pytest.mark.parametrize(
    "command",
    [
        ("org", "list"),
        ("org", "create", "acme", "--name", "Acme"),
        ("user", "add", "ana@acme.test", "--org", "acme", "--role", "agent"),
        ("plugins", "enable", "incidents", "--org", "acme"),
        ("demo",),
        ("serve",),
        ("worker",),
    ],
)
def test_commands_on_a_missing_instance_say_so_and_create_nothing(home, command):
    result = run(home, *command)
    assert result.exit_code == 1
    assert result.output.strip() == no_instance(home)
    assert not home.exists()


def test_user_create_on_a_missing_instance_says_so(home):
    result = run(
        home, "user", "create", "ana@acme.test", "--name", "Ana", "--password-stdin",
        input="long enough secret\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output.strip() == no_instance(home)


@pytest.mark.parametrize("command", [("org", "list"), ("demo",), ("serve",)])
def test_commands_on_an_unmigrated_database_say_to_migrate(empty_database, command):
    result = run(empty_database, *command)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: the database has no tables yet: run `accord migrate`"


def test_check_on_an_unmigrated_database_counts_the_pending_migrations(empty_database):
    report = json.loads(run(empty_database, "check", "--json").output)
    assert report["pending_migrations"]
    assert report["problems"] == [
        f"{len(report['pending_migrations'])} migration(s) pending: run `accord migrate`"
    ]


def test_init_creates_the_instance_folder_key_and_database(home):
    result = run(home, "init")
    assert result.exit_code == 0, result.output
    assert (home / "secret_key").read_text()
    assert (home / "accord.db").exists()
    assert run(home, "check").exit_code == 0


def test_migrate_creates_a_missing_instance_as_make_run_does(home):
    assert run(home, "migrate").exit_code == 0
    assert (home / "secret_key").exists()
    assert run(home, "org", "list").exit_code == 0
