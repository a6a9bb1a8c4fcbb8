"""``accord backup`` and ``accord restore``: an instance taken while it runs, restored elsewhere."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from accord.app import create_app
from accord.backup import FORMAT
from accord.cli import cli
from accord.db import database
from accord.host import build_host
from accord.plugins.contacts.documents.models import Document
from accord.plugins.contacts.testing import make_person
from accord.schema import MigrationRecord
from accord.settings import load_settings
from accord.testing import csrf_from, sign_in
from accord.version import __version__
from tests.postgres import IN_CI, postgres_under_test, throwaway_database

CONTRACT = b"%PDF-1.7\n% a signed contract\n" + bytes(range(256)) * 64


def accord(home: Path, database_url: str, *args: str, **env: str | None):
    """Run ``accord`` on the instance at ``home`` as an operator would."""
    environ = {
        "ACCORD_HOME": str(home),
        "ACCORD_DATABASE_URL": database_url,
        "ACCORD_SECRET_KEY": None,
        "ACCORD_SECRET_KEY_FILE": None,
        "ACCORD_CONFIG": None,
        "ACCORD_SAFE_MODE": "1",
        **env,
    }
    return CliRunner().invoke(cli, list(args), env=environ, catch_exceptions=False)


@pytest.fixture
def source(accord_settings, signed_in, org, enable_plugin):
    """The running instance: an agent uploaded a contract to a person through the app."""
    enable_plugin(org, "contacts")
    person = make_person(org)
    agent = signed_in("agent", email="ana@acme.test")
    url = f"/o/acme/contacts/people/{person.id}/documents"
    response = agent.post(
        url,
        data={"csrf_token": csrf_from(agent.get(url).text), "description": "Contract"},
        files={"file": ("contract.pdf", CONTRACT, "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return accord_settings


def back_up(settings, dest: Path, **env: str | None):
    return accord(
        settings.home,
        settings.database_url,
        "backup",
        str(dest),
        ACCORD_SECRET_KEY="test-secret-key",
        **env,
    )


@pytest.fixture
def target(tmp_path):
    """A new, empty instance: its ACCORD_HOME does not exist, its database is empty."""
    home = tmp_path / "restored"
    url = postgres_under_test()
    if url is None:
        yield home, f"sqlite:///{home / 'accord.db'}"
        return
    with throwaway_database(url, "restored") as restored_url:
        yield home, restored_url


@pytest.fixture
def pg_tools():
    if postgres_under_test() and not shutil.which("pg_dump"):
        if IN_CI:  # in CI a missing component fails
            pytest.fail("pg_dump is not installed (apt-get install postgresql-client)")
        pytest.skip("pg_dump is not installed")


def restore(target, source_path: Path, *args: str, store: str = "local"):
    home, url = target
    return accord(home, url, "restore", str(source_path), *args, ACCORD_FILE_STORE=store)


def restored_app(target, store: str = "local"):
    home, url = target
    settings = load_settings(
        {
            "ACCORD_HOME": str(home),
            "ACCORD_DATABASE_URL": url,
            "ACCORD_SECRET_KEY_FILE": str(home / "secret_key"),
            "ACCORD_FILE_STORE": store,
        }
    )
    return settings, create_app(settings, build_host(settings, entry_points=False))


@pytest.mark.parametrize("store", ["local", "database"])
def test_a_restored_archive_serves_the_same_document_in_a_new_instance(
    source, target, tmp_path, pg_tools, store
):
    """The files go to the new instance's store: its folder, or its database."""
    archive = tmp_path / "accord-backup.tar.gz"
    backed_up = back_up(source, archive)
    assert backed_up.exit_code == 0, backed_up.output
    assert "1 kept file(s)" in backed_up.output

    restored = restore(target, archive, store=store)
    assert restored.exit_code == 0, restored.output
    assert "1 kept file(s)" in restored.output and "pending" not in restored.output
    assert (target[0] / "files").exists() == (store == "local")

    settings, app = restored_app(target, store)
    assert settings.secret_key == "test-secret-key"  # sessions, links and secrets still work
    with TestClient(app, base_url="http://testserver") as client:
        assert sign_in(client, "ana@acme.test").status_code == 303
        with database.connection_context():
            document = Document.get()
        person = document.person_id
        response = client.get(f"/o/acme/contacts/people/{person}/documents/{document.id}")
    assert response.status_code == 200
    assert response.content == CONTRACT


def test_a_backup_folder_has_a_manifest_with_versions_migrations_and_checksums(
    source, tmp_path, pg_tools
):
    folder = tmp_path / "backup"
    assert back_up(source, folder).exit_code == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == FORMAT and manifest["accord_version"] == __version__
    assert manifest["plugins"]["contacts"] and manifest["core_api"]
    assert "0001_initial" in manifest["migrations"]["core"]
    assert manifest["database"]["kind"] == ("postgresql" if postgres_under_test() else "sqlite")
    assert manifest["file_store"] == "local" and manifest["created_at"].endswith("Z")
    kept = [name for name in manifest["files"] if name.startswith("files/contacts/")]
    assert len(kept) == 1
    assert manifest["files"][kept[0]]["size"] == len(CONTRACT)
    assert {"secret_key", manifest["database"]["file"]} <= set(manifest["files"])
    assert (folder / "secret_key").read_text().strip() == "test-secret-key"


def test_a_backup_refuses_a_folder_that_is_not_empty(source, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "something.txt").write_text("kept")
    result = back_up(source, folder)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {folder} is not an empty folder: choose a new one"
    assert [p.name for p in folder.iterdir()] == ["something.txt"]


def test_one_changed_byte_is_refused_naming_the_file_and_nothing_is_restored(
    source, target, tmp_path, pg_tools
):
    folder = tmp_path / "backup"
    back_up(source, folder)
    (document,) = [path for path in (folder / "files").rglob("*") if path.is_file()]
    content = bytearray(document.read_bytes())
    content[100] ^= 0x01
    document.write_bytes(bytes(content))

    result = restore(target, folder)
    name = document.relative_to(folder).as_posix()
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {name} does not match its checksum: the backup is damaged"
    )
    assert not (target[0] / "files").exists() and not (target[0] / "secret_key").exists()


def test_a_changed_member_of_an_archive_is_refused_naming_it(source, target, tmp_path, pg_tools):
    archive = tmp_path / "backup.tar.gz"
    back_up(source, archive)
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    (unpacked / "secret_key").write_text("another key\n")
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(forged, "w:gz") as tar:
        for path in sorted(unpacked.rglob("*")):
            tar.add(path, path.relative_to(unpacked).as_posix(), recursive=False)

    result = restore(target, forged)
    assert result.exit_code == 1
    assert "secret_key does not match its checksum" in result.output


def test_a_damaged_archive_is_one_clear_line(source, target, tmp_path, pg_tools):
    archive = tmp_path / "backup.tar.gz"
    back_up(source, archive)
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))

    result = restore(target, archive)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("Error: ")
    assert "damaged" in result.output and "not restored" in result.output


def test_restoring_over_an_instance_with_data_needs_force(source, tmp_path, pg_tools):
    folder = tmp_path / "backup"
    back_up(source, folder)
    home, url = source.home, source.database_url
    with database.connection_context():
        Document.delete().execute()

    refused = accord(home, url, "restore", str(folder), ACCORD_SECRET_KEY="test-secret-key")
    assert refused.exit_code == 1
    assert "already has data" in refused.output and "--force" in refused.output
    with database.connection_context():
        assert Document.select().count() == 0

    forced = accord(
        home, url, "restore", "--force", str(folder), ACCORD_SECRET_KEY="test-secret-key"
    )
    assert forced.exit_code == 0, forced.output
    with database.connection_context():
        assert Document.select().count() == 1


def test_a_backup_newer_than_the_code_is_refused_naming_the_version_needed(
    source, target, tmp_path, pg_tools
):
    folder = tmp_path / "backup"
    back_up(source, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["accord_version"] = "9.1.0"
    manifest["plugins"]["contacts"] = "7.0.0"
    manifest["migrations"]["contacts"].append("0999_from_the_future")
    (folder / "manifest.json").write_text(json.dumps(manifest))

    result = restore(target, folder)
    assert result.exit_code == 1
    assert "contacts:0999_from_the_future" in result.output
    assert "install Accord 9.1.0, contacts 7.0.0 (or newer)" in result.output
    assert not target[0].exists() or not (target[0] / "secret_key").exists()


def test_a_backup_older_than_the_code_says_to_migrate(source, target, tmp_path, pg_tools):
    with database.connection_context():
        last = MigrationRecord.select().where(MigrationRecord.plugin == "core")
        newest = max(row.name for row in last)
        MigrationRecord.delete().where(
            (MigrationRecord.plugin == "core") & (MigrationRecord.name == newest)
        ).execute()
    folder = tmp_path / "backup"
    back_up(source, folder)

    result = restore(target, folder)
    assert result.exit_code == 0, result.output
    assert f"1 migration(s) pending (core:{newest})" in result.output
    assert "run `accord migrate`" in result.output


@pytest.mark.skipif(postgres_under_test() is not None, reason="pg_dump reads one snapshot")
def test_a_backup_taken_while_another_connection_writes_is_consistent(source, tmp_path):
    path = Path(source.database_url.removeprefix("sqlite:///"))
    writer = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    writer.execute("CREATE TABLE busy (n INTEGER, padding BLOB)")
    stop, writing = threading.Event(), threading.Event()

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            if n == 20:
                writing.set()
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO busy VALUES (?, zeroblob(4000))", (n,))
            writer.execute("INSERT INTO busy VALUES (?, zeroblob(4000))", (n,))
            writer.execute("COMMIT")
            n += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        writing.wait(timeout=10)
        result = back_up(source, tmp_path / "backup")
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "backup" / "database.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # Each transaction wrote two rows: a consistent copy never holds half of one.
    rows, distinct = copy.execute("SELECT count(*), count(DISTINCT n) FROM busy").fetchone()
    copy.close()
    assert rows > 0 and rows == 2 * distinct


@pytest.mark.skipif(postgres_under_test() is None, reason="PostgreSQL only")
def test_on_postgresql_without_pg_dump_the_backup_says_what_to_run(source, tmp_path):
    result = back_up(source, tmp_path / "backup", PATH=str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert "pg_dump is not on PATH" in result.output
    assert "pg_dump --format=custom" in result.output
    assert not (tmp_path / "backup").exists()


def test_a_manifest_naming_a_file_outside_the_backup_is_refused(source, target, tmp_path):
    folder = tmp_path / "backup"
    back_up(source, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["files/../../escaped"] = manifest["files"]["secret_key"]
    (folder / "manifest.json").write_text(json.dumps(manifest))

    result = restore(target, folder)
    assert result.exit_code == 1
    assert "names a file outside the backup (files/../../escaped)" in result.output
    assert not (tmp_path / "escaped").exists()
