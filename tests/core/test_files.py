"""Kept files on either store (the instance folder or the database), through real pages."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from accord.app import create_app
from accord.cli import cli
from accord.file_storage import DATABASE_CHUNK, FileChunk, KeptFile
from accord.host import build_host
from accord.plugins.contacts.documents.models import Document
from accord.plugins.contacts.testing import make_person
from accord.plugins.contacts.views.documents import STORE
from accord.settings import ConfigError, load_settings
from accord.testing import csrf_from, sign_in

PDF = b"%PDF-1.7\n% a contract\n"
# Three database chunks: two full ones and a short last one.
BIG = b"PK\x03\x04" + secrets.token_bytes(2 * DATABASE_CHUNK + 1000)


@pytest.fixture
def person(org, enable_plugin):
    enable_plugin(org, "contacts")
    return make_person(org)


@pytest.fixture(params=["local", "database"])
def store(request, accord_settings):
    """Each test that asks for it runs once per store."""
    use_store(accord_settings, request.param)
    return request.param


def use_store(settings, name: str) -> None:
    settings.data.setdefault("files", {})["store"] = name


def documents_url(person) -> str:
    return f"/o/{person.org.slug}/contacts/people/{person.id}/documents"


def upload(client, person, name: str, content: bytes):
    url = documents_url(person)
    return client.post(
        url,
        data={"csrf_token": csrf_from(client.get(url).text)},
        files={"file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


def files_in_folder(settings) -> list:
    return [p for p in (settings.home / "files").rglob("*") if p.is_file()]


def test_a_document_is_uploaded_and_downloaded_as_a_private_attachment(signed_in, person, store):
    agent = signed_in("agent")
    assert upload(agent, person, "contract.pdf", PDF).status_code == 303
    response = agent.get(f"{documents_url(person)}/{Document.get().id}")
    assert response.content == PDF
    assert response.headers["content-disposition"] == 'attachment; filename="contract.pdf"'
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-type"] == "application/pdf"


def test_deleting_a_document_deletes_its_file(signed_in, person, store, accord_settings):
    agent = signed_in("agent")
    upload(agent, person, "contract.pdf", PDF)
    document = Document.get()
    url = f"{documents_url(person)}/{document.id}/delete"
    token = csrf_from(agent.get(url).text)
    assert agent.post(url, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert not STORE.exists(accord_settings, document)
    assert not files_in_folder(accord_settings) and not KeptFile.select().exists()


def test_a_refused_file_leaves_nothing_behind(signed_in, person, store, accord_settings):
    accord_settings.data.setdefault("plugins", {})["contacts"] = {"max_file_mb": 1}
    response = upload(signed_in("agent"), person, "big.txt", b"a" * (1024 * 1024 + 1))
    assert response.status_code == 422
    assert not files_in_folder(accord_settings)
    assert not KeptFile.select().exists() and not FileChunk.select().exists()


def test_the_database_store_keeps_files_in_the_database_only(signed_in, person, accord_settings):
    use_store(accord_settings, "database")
    upload(signed_in("agent"), person, "contract.pdf", PDF)
    assert not files_in_folder(accord_settings)
    kept = KeptFile.get()
    assert (kept.plugin, kept.org_id, kept.stored_name) == (
        "contacts",
        person.org_id,
        Document.get().stored_name,
    )


def test_a_file_of_several_chunks_round_trips_byte_for_byte(signed_in, person, store):
    agent = signed_in("agent")
    upload(agent, person, "backup.zip", BIG)
    assert agent.get(f"{documents_url(person)}/{Document.get().id}").content == BIG


def test_the_database_store_keeps_a_large_file_in_chunks(signed_in, person, accord_settings):
    use_store(accord_settings, "database")
    upload(signed_in("agent"), person, "backup.zip", BIG)
    sizes = [len(bytes(c.data)) for c in FileChunk.select().order_by(FileChunk.seq)]
    assert sizes == [DATABASE_CHUNK, DATABASE_CHUNK, 1004]


def test_a_download_from_the_database_is_sent_chunk_by_chunk(signed_in, person, accord_settings):
    use_store(accord_settings, "database")
    upload(signed_in("agent"), person, "backup.zip", BIG)
    response = STORE.download(accord_settings, Document.get())
    bodies: list[bytes] = []

    async def send(message):
        if message["type"] == "http.response.body":
            bodies.append(message.get("body", b""))

    async def receive():  # the client stays until the whole body is sent
        await asyncio.Event().wait()

    # A thread of its own: a browser test's Playwright may own this thread's event loop.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(
            asyncio.run, response({"type": "http", "method": "GET", "headers": []}, receive, send)
        ).result()
    sent = [body for body in bodies if body]
    assert b"".join(sent) == BIG
    assert len(sent) == 3 and max(map(len, sent)) <= DATABASE_CHUNK


def test_open_reads_a_kept_file_as_a_binary_stream(signed_in, person, store, accord_settings):
    upload(signed_in("agent"), person, "backup.zip", BIG)
    with STORE.open(accord_settings, Document.get()) as source:
        assert source.read(4) == b"PK\x03\x04"
        assert source.read() == BIG[4:]


def test_opening_a_file_that_is_not_kept_is_file_not_found(person, store, accord_settings):
    document = Document(org=person.org_id, stored_name="0" * 32)
    with pytest.raises(FileNotFoundError):
        STORE.open(accord_settings, document)


def test_a_missing_file_downloads_as_404(signed_in, person, store, accord_settings):
    agent = signed_in("agent")
    upload(agent, person, "contract.pdf", PDF)
    document = Document.get()
    STORE.remove(accord_settings, document)
    assert agent.get(f"{documents_url(person)}/{document.id}").status_code == 404


def test_purge_counts_then_deletes_only_that_organisations_files(
    signed_in, person, store, accord_settings, org, make_org, enable_plugin
):
    upload(signed_in("agent"), person, "contract.pdf", PDF)
    other = make_org("other")
    enable_plugin(other, "contacts")
    stranger = make_person(other, "Cy", "Dunn")
    upload(signed_in("agent", organisation=other), stranger, "theirs.pdf", PDF)
    assert STORE.purge(org, dry_run=True, settings=accord_settings) == 1
    assert STORE.purge(org, dry_run=False, settings=accord_settings) == 1
    assert STORE.purge(org, dry_run=True, settings=accord_settings) == 0
    assert STORE.purge(other, dry_run=True, settings=accord_settings) == 1


# -- several app servers ------------------------------------------------------------


@pytest.fixture
def second_server(tmp_path, accord_settings, accord_db):
    """``second_server(store)``: another app with its own instance folder, the same database."""
    clients: list[TestClient] = []

    def make(store: str) -> TestClient:
        use_store(accord_settings, store)
        environ = {
            "ACCORD_HOME": str(tmp_path / "second"),
            "ACCORD_SECRET_KEY": "test-secret-key",
            "ACCORD_DATABASE_URL": accord_settings.database_url,
            "ACCORD_FILE_STORE": store,
        }
        settings = load_settings(environ)
        host = build_host(settings, entry_points=False)
        client = TestClient(create_app(settings, host), base_url="http://testserver")
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_a_second_server_downloads_what_the_first_kept_in_the_database(
    app, person, make_user, org, second_server
):
    second = second_server("database")
    make_user("ana@acme.test", org, "agent")
    first = TestClient(app, base_url="http://testserver")
    for client in (first, second):
        assert sign_in(client, "ana@acme.test").status_code == 303
    upload(first, person, "contract.pdf", PDF)
    assert second.get(f"{documents_url(person)}/{Document.get().id}").content == PDF


def test_a_second_server_cannot_see_the_first_servers_local_folder(
    app, person, make_user, org, second_server
):
    second = second_server("local")
    make_user("ana@acme.test", org, "agent")
    first = TestClient(app, base_url="http://testserver")
    for client in (first, second):
        sign_in(client, "ana@acme.test")
    upload(first, person, "contract.pdf", PDF)
    assert second.get(f"{documents_url(person)}/{Document.get().id}").status_code == 404


def test_a_second_server_deletes_the_file_kept_in_the_database(
    app, person, make_user, org, second_server
):
    second = second_server("database")
    make_user("ana@acme.test", org, "agent")
    first = TestClient(app, base_url="http://testserver")
    for client in (first, second):
        sign_in(client, "ana@acme.test")
    upload(first, person, "contract.pdf", PDF)
    url = f"{documents_url(person)}/{Document.get().id}/delete"
    token = csrf_from(second.get(url).text)
    assert second.post(url, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert not KeptFile.select().exists() and not FileChunk.select().exists()


# -- configuration and the command line ----------------------------------------------


def test_an_unknown_file_store_is_a_one_line_configuration_error(tmp_path):
    environ = {"ACCORD_HOME": str(tmp_path), "ACCORD_FILE_STORE": "s3"}
    with pytest.raises(ConfigError, match="unknown file store 's3'.*use local or database"):
        load_settings(environ)


@pytest.fixture
def accord(accord_settings, accord_db):
    def run(*args: str, **extra: str):
        env = {
            "ACCORD_HOME": str(accord_settings.home),
            "ACCORD_DATABASE_URL": accord_settings.database_url,
            "ACCORD_SECRET_KEY": "test-secret-key",
            "ACCORD_SAFE_MODE": "1",
            **extra,
        }
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return run


def test_migrate_to_database_copies_every_kept_file(signed_in, person, accord, accord_settings):
    agent = signed_in("agent")
    upload(agent, person, "contract.pdf", PDF)
    upload(agent, person, "backup.zip", BIG)
    result = accord("files", "migrate", "--to", "database")
    assert result.exit_code == 0, result.output
    assert "Copied 2 file(s)" in result.output and "ACCORD_FILE_STORE=database" in result.output
    use_store(accord_settings, "database")
    for document in Document.select():
        url = f"{documents_url(person)}/{document.id}"
        assert agent.get(url).content == (PDF if document.filename == "contract.pdf" else BIG)


def test_migrate_run_twice_copies_nothing_the_second_time(signed_in, person, accord):
    upload(signed_in("agent"), person, "contract.pdf", PDF)
    accord("files", "migrate", "--to", "database")
    result = accord("files", "migrate", "--to", "database")
    assert "Copied 0 file(s)" in result.output and "1 already there" in result.output
    assert KeptFile.select().count() == 1


def test_migrate_to_local_copies_the_database_files_into_the_folder(
    signed_in, person, accord, accord_settings
):
    use_store(accord_settings, "database")
    agent = signed_in("agent")
    upload(agent, person, "backup.zip", BIG)
    result = accord("files", "migrate", "--to", "local")
    assert result.exit_code == 0, result.output
    assert "Copied 1 file(s)" in result.output and "ACCORD_FILE_STORE=local" in result.output
    use_store(accord_settings, "local")
    assert agent.get(f"{documents_url(person)}/{Document.get().id}").content == BIG


def test_migrate_leaves_out_files_of_an_organisation_that_no_longer_exists(
    accord, accord_settings, org
):
    gone = accord_settings.home / "files" / "contacts" / str(org.id + 1000)
    gone.mkdir(parents=True)
    (gone / ("0" * 32)).write_bytes(PDF)
    result = accord("files", "migrate", "--to", "database")
    assert result.exit_code == 0
    assert "0 already there, 1 left out" in result.output
    assert not KeptFile.select().exists()


def test_migrate_needs_a_known_target(accord):
    result = accord("files", "migrate", "--to", "s3")
    assert result.exit_code == 2 and "'s3' is not one of" in result.output


POSTGRES_AND_REDIS = {
    "ACCORD_DATABASE_URL": os.environ.get("ACCORD_TEST_DATABASE_URL")
    or "postgresql://postgres@127.0.0.1:1/unreachable",
    "ACCORD_REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_check_warns_when_postgresql_and_redis_run_with_the_local_file_store(accord):
    report = json.loads(accord("check", "--json", **POSTGRES_AND_REDIS).output)
    assert report["file_store"] == "local"
    assert [w for w in report["warnings"] if "ACCORD_FILE_STORE=database" in w]


def test_check_does_not_warn_with_the_database_file_store(accord):
    env = {**POSTGRES_AND_REDIS, "ACCORD_FILE_STORE": "database"}
    assert json.loads(accord("check", "--json", **env).output)["warnings"] == []


def test_check_does_not_warn_on_one_machine(accord):
    assert json.loads(accord("check", "--json").output)["warnings"] == []
