"""The ``accord`` command line, as scripts and people use it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from accord.cli import cli


@pytest.fixture
def accord(accord_settings, accord_db):
    env = {
        "ACCORD_HOME": str(accord_settings.home),
        "ACCORD_DATABASE_URL": accord_settings.database_url,
        "ACCORD_SECRET_KEY": "test-secret-key",
        "ACCORD_SAFE_MODE": "1",
    }
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(cli, list(args), env=env, input=input, catch_exceptions=False)

    return run


def test_org_create_and_list(accord):
    assert accord("org", "create", "acme", "--name", "Acme ICT").exit_code == 0
    result = accord("org", "list", "--json")
    assert json.loads(result.output) == [{"slug": "acme", "name": "Acme ICT"}]


def test_errors_are_one_line_and_a_non_zero_exit(accord):
    accord("org", "create", "acme", "--name", "Acme")
    result = accord("org", "create", "acme", "--name", "Again")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: organisation acme already exists"


def test_user_create_reads_the_password_from_stdin(accord):
    accord("org", "create", "acme", "--name", "Acme")
    result = accord(
        "user",
        "create",
        "ana@acme.test",
        "--name",
        "Ana",
        "--org",
        "acme",
        "--role",
        "manager",
        "--password-stdin",
        input="long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    assert "manager of acme" in result.output


def test_user_create_refuses_a_short_password(accord):
    result = accord(
        "user", "create", "ana@acme.test", "--name", "Ana", "--password-stdin", input="short\n"
    )
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output


def test_user_add_gives_a_role_in_another_organisation(accord):
    accord("org", "create", "acme", "--name", "Acme")
    accord("org", "create", "globex", "--name", "Globex")
    accord(
        "user",
        "create",
        "ana@acme.test",
        "--name",
        "Ana",
        "--org",
        "acme",
        "--password-stdin",
        input="long enough secret\n",
    )
    result = accord("user", "add", "ana@acme.test", "--org", "globex", "--role", "viewer")
    assert result.exit_code == 0
    assert "viewer of globex" in result.output


def test_plugins_list_json_reports_every_plugin(accord):
    rows = json.loads(accord("plugins", "list", "--json").output)
    assert {row["id"] for row in rows} >= {"auth", "dashboard", "settings"}
    assert all(row["status"] == "loaded" for row in rows)


def test_enabling_a_core_plugin_is_refused_with_the_reason(accord):
    accord("org", "create", "acme", "--name", "Acme")
    result = accord("plugins", "disable", "auth", "--org", "acme")
    assert result.exit_code == 1
    assert "part of the core and always on" in result.output


def test_unknown_organisation_is_a_clear_error(accord):
    result = accord("plugins", "list", "--org", "nope")
    assert result.exit_code == 1
    assert "there is no organisation 'nope'" in result.output


def test_demo_builds_an_organisation_once(accord):
    first = accord("demo")
    assert "Created organisation demo" in first.output
    assert "admin@demo.example.com / accord-demo" in first.output
    assert "Already there" in accord("demo").output


def demo_members(slug: str) -> list[str]:
    from accord.db import database
    from accord.models import Membership, Organisation, User

    with database.connection_context():
        query = (
            User.select(User.email)
            .join(Membership)
            .join(Organisation)
            .where((Organisation.slug == slug) & (User.email.startswith("admin@")))
        )
        return [user.email for user in query]


def test_demo_into_an_organisation_without_the_demo_is_refused_and_adds_nothing(accord):
    accord("org", "create", "acme", "--name", "Acme")
    result = accord("demo", "--org", "acme")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: organisation acme exists and has no demo data: nothing was added; add --force "
        "to add the demo users and data to it, or choose another --org"
    )
    assert demo_members("acme") == []


def test_demo_with_force_adds_the_demo_to_an_existing_organisation_once(accord):
    accord("org", "create", "acme", "--name", "Acme")
    result = accord("demo", "--org", "acme", "--force")
    assert result.exit_code == 0, result.output
    assert "Added the demo users and data to organisation acme (Acme)." in result.output
    assert demo_members("acme") == ["admin@acme.example.com"]
    again = accord("demo", "--org", "acme", "--force")
    assert again.exit_code == 0
    assert "Already there, nothing added: organisation acme" in again.output


def test_check_reads_sqlite_settings_back_from_the_database(accord, accord_settings):
    result = accord("check", "--json")
    report = json.loads(result.output)
    assert result.exit_code == 0, report["problems"]
    if accord_settings.is_sqlite:
        assert report["sqlite"]["journal_mode"] == "wal"
        assert report["sqlite"]["foreign_keys"] is True
        assert report["sqlite"]["busy_timeout_ms"] == 5000
        assert report["sqlite"]["begin"] == "IMMEDIATE"


def test_migrate_when_up_to_date_says_so(accord):
    assert accord("migrate").output.strip() == "Nothing to migrate."


def test_help_is_available_everywhere(accord):
    for command in ([], ["org"], ["user", "create"], ["plugins", "list"], ["serve"]):
        assert accord(*command, "--help").exit_code == 0


def test_serve_on_postgresql_without_a_shared_secret_key_refuses_in_one_line(tmp_path):
    env = {
        "ACCORD_HOME": str(tmp_path),
        "ACCORD_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing",
        "ACCORD_SECRET_KEY": None,  # unset
        "ACCORD_SECRET_KEY_FILE": None,
    }
    result = CliRunner().invoke(cli, ["serve"], env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: a PostgreSQL database needs one secret key shared by every server: set "
        "ACCORD_SECRET_KEY, or ACCORD_SECRET_KEY_FILE ([server] secret_key_file) "
        "to a file holding the key"
    ]


def test_disabling_a_plugin_that_was_never_on_says_so(accord):
    accord("org", "create", "acme", "--name", "Acme")
    result = accord("plugins", "disable", "incidents", "--org", "acme")
    assert result.exit_code == 0
    assert (
        result.output.strip() == "plugin incidents is not enabled for org acme; nothing to disable."
    )


def test_enabling_a_plugin_that_is_already_on_says_so(accord):
    accord("org", "create", "acme", "--name", "Acme")
    accord("plugins", "enable", "contacts", "--org", "acme")
    result = accord("plugins", "enable", "contacts", "--org", "acme")
    assert result.exit_code == 0
    assert (
        result.output.strip()
        == "plugin contacts is already enabled for org acme; nothing to enable."
    )


def test_a_table_missing_from_the_database_is_one_line_that_points_at_migrate(accord):
    from accord.db import database

    accord("org", "create", "acme", "--name", "Acme")
    database.execute_sql("DROP TABLE accord_plugin_enablement")
    result = accord("plugins", "list", "--org", "acme")
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith("Error: database error: ")
    assert result.output.strip().endswith("; run `accord migrate` if migrations are pending")
