"""A plugin's life on an instance: installed, purged per organisation, uninstalled."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from peewee import CharField, ForeignKeyField

import accord.cli.lifecycle  # noqa: F401 - registers the commands on `accord plugins`
from accord import TenantModel, hookimpl
from accord.cli import cli
from accord.cli.base import Env
from accord.db import database
from accord.enablement import EnablementError, disable, enable
from accord.lifecycle import (
    LifecycleError,
    foreign_tables,
    install,
    purge,
    state_of,
    uninstall,
)
from accord.models import AuditEntry, PluginEnablement
from accord.schema import MigrationRecord, pending
from accord.testing import manifest, post_form

EXAMPLE = Path(__file__).parents[2] / "examples" / "accord-announcements"


@pytest.fixture
def accord_extra_modules(monkeypatch):
    # The example plugin is not pip-installed in this venv: import it from its folder.
    monkeypatch.syspath_prepend(str(EXAMPLE))
    return ["accord_announcements"]


def announce(org, title="Email maintenance"):
    from accord_announcements.models import Announcement

    return Announcement.create(org=org, title=title)


def announcements_in(org):
    from accord_announcements.models import Announcement

    return Announcement.in_org(org).count()


# A throwaway plugin with a parent and a child table, declared parents first.
class Notebook(TenantModel):
    name = CharField()

    class Meta:
        table_name = "notes_notebook"


class Note(TenantModel):
    notebook = ForeignKeyField(Notebook, backref="+")
    text = CharField()

    class Meta:
        table_name = "notes_note"


NOTES_MIGRATION = """
from peewee import CharField, ForeignKeyField, Model

def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Organisation(Base):
        class Meta:
            table_name = "accord_organisation"

    class Notebook(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)
        name = CharField()

        class Meta:
            table_name = "notes_notebook"

    class Note(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)
        notebook = ForeignKeyField(Notebook)
        text = CharField()

        class Meta:
            table_name = "notes_note"

    db.create_tables([Notebook, Note])
"""


class Notes:
    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def register_migrations(self):
        return self.folder

    @hookimpl
    def register_models(self):
        return [Notebook, Note]


class Digest:
    """Needs notes; owns no table."""


@pytest.fixture(autouse=True)
def notes(tmp_path, accord_plugins):
    folder = tmp_path / "notes_migrations"
    folder.mkdir()
    (folder / "0001_initial.py").write_text(textwrap.dedent(NOTES_MIGRATION))
    accord_plugins.append((Notes(folder), manifest("notes")))
    accord_plugins.append((Digest(), manifest("digest", depends=["notes"])))


def notebook_with_notes(org, count=2):
    book = Notebook.create(org=org, name="Runbook")
    for n in range(count):
        Note.create(org=org, notebook=book, text=f"step {n}")
    return book


@pytest.fixture
def accord_cli(accord_settings, accord_host, accord_db):
    env = Env()
    env._settings, env._host = accord_settings, accord_host
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(cli, list(args), obj=env, input=input, catch_exceptions=False)

    return run


# --- installed -------------------------------------------------------------


def test_migrate_installs_every_loaded_plugin_and_audits_it(accord_db):
    assert state_of("announcements") == "installed"
    entry = AuditEntry.get(AuditEntry.action == "plugin.install", AuditEntry.plugin == "notes")
    assert entry.org is None and entry.summary == "installed plugin notes 1.0.0"


# --- purge -----------------------------------------------------------------


def test_a_dry_run_counts_the_organisations_rows_per_table_and_deletes_nothing(
    org, make_org, accord_host
):
    announce(org), announce(org), announce(make_org("other"))
    counts = purge(accord_host, org, "announcements", dry_run=True)
    assert counts == {"announcements_announcement": 2}
    assert announcements_in(org) == 2


def test_purging_is_refused_while_the_plugin_is_enabled(org, accord_host, enable_plugin):
    enable_plugin(org, "announcements")
    announce(org)
    with pytest.raises(LifecycleError, match="enabled for acme; disable it first"):
        purge(accord_host, org, "announcements", dry_run=False)
    assert announcements_in(org) == 1


def test_purging_deletes_only_that_organisations_rows_and_audits_the_counts(
    org, make_org, accord_host
):
    other = make_org("other")
    announce(org), announce(org), announce(other)
    assert purge(accord_host, org, "announcements", dry_run=False) == {
        "announcements_announcement": 2
    }
    assert (announcements_in(org), announcements_in(other)) == (0, 1)
    entry = AuditEntry.get(AuditEntry.action == "plugin.purge")
    assert entry.org_id == org.id
    assert entry.changes == {"announcements_announcement": [2, 0]}


def test_purging_deletes_children_before_their_parents(org, accord_host):
    notebook_with_notes(org)
    counts = purge(accord_host, org, "notes", dry_run=False)
    assert list(counts.items()) == [("notes_note", 2), ("notes_notebook", 1)]


def test_purging_is_refused_while_another_plugin_refers_to_the_rows(org, accord_host):
    class Pin(TenantModel):
        note = ForeignKeyField(Note, backref="+")

        class Meta:
            table_name = "pins_pin"

    class Pins:
        @hookimpl
        def register_models(self):
            return [Pin]

    accord_host.pm.register(Pins(), name="pins")
    database.create_tables([Pin])
    notebook_with_notes(org, 1)
    Pin.create(org=org, note=Note.get())
    with pytest.raises(LifecycleError, match="pins still holds data of acme"):
        purge(accord_host, org, "notes", dry_run=False)


class Cache:
    """Keeps organisation data outside TenantModel tables, so purges it itself."""

    def __init__(self):
        self.calls = []

    @hookimpl(optionalhook=True)
    def purge_org_data(self, org, dry_run):
        self.calls.append(dry_run)
        return {"cache_entry": 4}


@pytest.fixture
def cache(accord_plugins):
    plugin = Cache()
    accord_plugins.append((plugin, manifest("cache")))
    return plugin


def test_a_plugins_own_purge_hook_counts_and_deletes_its_other_data(cache, org, accord_host):
    assert purge(accord_host, org, "cache", dry_run=True) == {"cache_entry": 4}
    assert purge(accord_host, org, "cache", dry_run=False) == {"cache_entry": 4}
    assert cache.calls == [True, False]


def table(name):
    class Model(TenantModel):
        class Meta:
            table_name = name

    return Model


def test_a_table_belongs_to_the_plugin_with_the_longest_matching_id():
    models = [table("notes_note"), table("notes_extra_tag"), table("accord_user")]
    assert foreign_tables("notes", models, ["notes", "notes_extra"]) == [
        "notes_extra_tag",
        "accord_user",
    ]


class Thief:
    @hookimpl
    def register_models(self):
        return [STOLEN]


STOLEN = table("notes_stolen")


@pytest.fixture
def thief(accord_plugins):
    accord_plugins.append((Thief(), manifest("thief")))


def test_a_plugin_declaring_another_plugins_table_cannot_be_purged(thief, org, accord_host):
    with pytest.raises(LifecycleError, match="not named after it"):
        purge(accord_host, org, "thief", dry_run=True)


# --- uninstall and install -------------------------------------------------


def test_uninstalling_is_refused_while_an_organisation_holds_data(org, accord_host):
    announce(org)
    with pytest.raises(LifecycleError, match="acme still holds data of announcements"):
        uninstall(accord_host, "announcements")


def test_uninstalling_is_refused_while_an_installed_plugin_depends_on_it(accord_db, accord_host):
    with pytest.raises(LifecycleError, match="notes is needed by digest; uninstall it first"):
        uninstall(accord_host, "notes")


def test_uninstalling_drops_the_tables_and_forgets_the_migrations(accord_db, accord_host):
    assert uninstall(accord_host, "announcements") == ["announcements_announcement"]
    assert "announcements_announcement" not in database.get_tables()
    assert not MigrationRecord.select().where(MigrationRecord.plugin == "announcements").exists()
    assert state_of("announcements") == "uninstalled"
    entry = AuditEntry.get(AuditEntry.action == "plugin.uninstall")
    assert entry.org is None


def test_uninstalling_removes_the_plugin_from_every_organisation(org, make_org, accord_host):
    other = make_org("other")
    enable(accord_host, org, "announcements")
    enable(accord_host, other, "announcements")
    disable(accord_host, other, "announcements")
    uninstall(accord_host, "announcements")
    assert not PluginEnablement.select().where(PluginEnablement.plugin == "announcements").exists()


def test_an_uninstalled_plugins_migrations_are_not_pending(accord_db, accord_host):
    uninstall(accord_host, "announcements")
    assert pending(accord_host) == []


def test_installing_again_runs_its_migrations(accord_db, accord_host):
    uninstall(accord_host, "announcements")
    assert install(accord_host, "announcements") == ["announcements:0001_initial"]
    assert state_of("announcements") == "installed"
    assert "announcements_announcement" in database.get_tables()


def test_installing_is_refused_while_a_dependency_is_uninstalled(accord_db, accord_host):
    uninstall(accord_host, "digest")
    uninstall(accord_host, "notes")
    with pytest.raises(LifecycleError, match="needs notes, which is uninstalled"):
        install(accord_host, "digest")


def test_enabling_an_uninstalled_plugin_is_refused(org, accord_host):
    uninstall(accord_host, "announcements")
    with pytest.raises(EnablementError, match="not installed"):
        enable(accord_host, org, "announcements")


# --- command line ----------------------------------------------------------


def test_cli_purge_dry_run_prints_the_counts(accord_cli, org):
    announce(org)
    result = accord_cli("plugins", "purge", "announcements", "--org", "acme", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "announcements_announcement\t1" in result.output
    assert announcements_in(org) == 1


def test_cli_purge_asks_then_deletes(accord_cli, org):
    announce(org)
    result = accord_cli("plugins", "purge", "announcements", "--org", "acme", input="y\n")
    assert result.exit_code == 0, result.output
    assert "purged announcements in acme: 1 row" in result.output
    assert announcements_in(org) == 0


def test_cli_refusals_are_one_line(accord_cli, org):
    announce(org)
    result = accord_cli("plugins", "uninstall", "announcements", "--yes")
    assert result.exit_code == 1
    assert result.output.startswith("Error: acme still holds data of announcements")
    assert len(result.output.strip().splitlines()) == 1


def test_cli_uninstall_then_install(accord_cli):
    assert (
        "dropped announcements_announcement"
        in accord_cli("plugins", "uninstall", "announcements", "--yes").output
    )
    result = accord_cli("plugins", "install", "announcements")
    assert result.output.splitlines() == [
        "applied announcements:0001_initial",
        "installed announcements",
    ]


# --- admin page ------------------------------------------------------------

PURGE = "/o/acme/settings/plugins/announcements/purge"


def test_the_purge_page_shows_the_dry_run_counts(signed_in, org):
    announce(org), announce(org)
    page = signed_in("admin").get(PURGE)
    assert "<code>announcements_announcement</code></td><td>2</td>" in page.text
    assert "Delete 2 records" in page.text


def test_the_purge_page_refuses_while_the_plugin_is_enabled(signed_in, org, enable_plugin):
    enable_plugin(org, "announcements")
    announce(org)
    page = signed_in("admin").get(PURGE).text
    assert "disable it first" in page and "Delete 1 record" not in page


def test_posting_the_purge_form_deletes_and_says_how_much(signed_in, org):
    announce(org)
    client = signed_in("admin")
    response = post_form(client, PURGE, token_from=PURGE)
    assert response.status_code == 303
    assert announcements_in(org) == 0
    assert "1 row (announcements_announcement 1)" in client.get("/o/acme/settings/plugins").text


def test_only_admins_purge(signed_in, org):
    assert signed_in("manager").get(PURGE).status_code == 403
