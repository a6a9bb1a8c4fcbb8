"""Documents kept with people and customer organisations."""

from __future__ import annotations

import pytest

from accord.plugins.contacts.documents.models import Document
from accord.plugins.contacts.testing import make_organisation, make_person
from accord.testing import csrf_from

PDF = b"%PDF-1.7\n% a contract\n"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


@pytest.fixture
def person(enabled):
    return make_person(enabled)


def upload(client, url: str, name: str, content: bytes, description: str = ""):
    token = csrf_from(client.get(url).text)
    return client.post(
        url,
        data={"csrf_token": token, "description": description},
        files={"file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


def documents_url(person) -> str:
    return f"/o/acme/contacts/people/{person.id}/documents"


def test_an_agent_adds_a_document_and_it_is_listed_on_the_person(signed_in, person):
    agent = signed_in("agent")
    response = upload(agent, documents_url(person), "contract.pdf", PDF, "Signed contract")
    assert response.status_code == 303
    page = agent.get(f"/o/acme/contacts/people/{person.id}").text
    assert "contract.pdf" in page and "Signed contract" in page


def test_the_download_is_the_same_file_as_an_attachment(signed_in, person):
    agent = signed_in("agent")
    upload(agent, documents_url(person), "contract.pdf", PDF)
    document = Document.get()
    response = agent.get(f"{documents_url(person)}/{document.id}")
    assert response.content == PDF
    assert response.headers["content-disposition"].startswith("attachment")


def test_a_file_that_is_not_what_its_name_says_is_refused_with_422(signed_in, person):
    response = upload(
        signed_in("agent"), documents_url(person), "contract.pdf", b"MZ\x90\x00", "Keep me"
    )
    assert response.status_code == 422
    assert "is not a real .pdf file" in response.text and 'value="Keep me"' in response.text
    assert Document.select().count() == 0


def test_a_file_over_the_size_limit_is_refused(signed_in, person, accord_settings):
    accord_settings.data.setdefault("plugins", {})["contacts"] = {"max_file_mb": 1}
    response = upload(
        signed_in("agent"), documents_url(person), "big.txt", b"a" * (1024 * 1024 + 1)
    )
    assert response.status_code == 422 and "larger than 1 MB" in response.text


def test_a_type_outside_the_list_is_refused(signed_in, person):
    response = upload(signed_in("agent"), documents_url(person), "run.exe", b"MZ")
    assert response.status_code == 422 and "are not accepted" in response.text


def test_viewers_may_not_see_documents(signed_in, person):
    viewer = signed_in("viewer")
    assert viewer.get(documents_url(person)).status_code == 403
    assert "Documents" not in viewer.get(f"/o/acme/contacts/people/{person.id}").text


def test_organisations_keep_documents_too(signed_in, enabled):
    customer = make_organisation(enabled)
    agent = signed_in("agent")
    url = f"/o/acme/contacts/organisations/{customer.id}/documents"
    assert upload(agent, url, "sla.txt", b"Agreed levels").status_code == 303
    assert "sla.txt" in agent.get(f"/o/acme/contacts/organisations/{customer.id}").text


def test_deleting_a_document_asks_first_then_removes_the_file(signed_in, person, accord_settings):
    agent = signed_in("agent")
    upload(agent, documents_url(person), "contract.pdf", PDF)
    document = Document.get()
    url = f"{documents_url(person)}/{document.id}/delete"
    page = agent.get(url)
    assert "Delete contract.pdf?" in page.text
    token = csrf_from(page.text)
    assert agent.post(url, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert Document.select().count() == 0
    assert not [p for p in (accord_settings.home / "files" / "contacts").rglob("*") if p.is_file()]


def test_another_persons_document_is_not_found_through_this_person(signed_in, person, enabled):
    agent = signed_in("agent")
    other = make_person(enabled, "Bo", "Berg")
    upload(agent, documents_url(other), "theirs.pdf", PDF)
    document = Document.get()
    assert agent.get(f"{documents_url(person)}/{document.id}").status_code == 404


def test_another_organisations_people_have_no_documents_here(signed_in, enabled, make_org):
    stranger = make_person(make_org("other"), "Cy", "Dunn")
    assert signed_in("agent").get(documents_url(stranger)).status_code == 404


def test_purging_the_organisation_removes_its_files(signed_in, person, accord_settings, org):
    from accord.plugins.contacts.views.documents import STORE

    upload(signed_in("agent"), documents_url(person), "contract.pdf", PDF)
    assert STORE.purge(org, dry_run=True, settings=accord_settings) == 1
    assert STORE.purge(org, dry_run=False, settings=accord_settings) == 1
    assert STORE.purge(org, dry_run=True, settings=accord_settings) == 0


def test_every_document_route_is_404_for_another_organisation(signed_in, enabled, make_org):
    other = make_org("other")
    stranger = make_person(other, "Cy", "Dunn")
    document = Document.create(
        org=other,
        person=stranger,
        filename="secret.pdf",
        content_type="application/pdf",
        size=3,
        stored_name="x" * 32,
        sha256="0" * 64,
    )
    agent = signed_in("agent")
    base = f"{documents_url(stranger)}/{document.id}"
    for path in (base, f"{base}/delete"):
        assert agent.get(path).status_code == 404, path
    token = csrf_from(agent.get("/o/acme/contacts/people/").text)
    response = agent.post(f"{base}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 404
    assert Document.select().count() == 1


@pytest.fixture
def database_store(accord_settings):
    """Files kept in the database (``ACCORD_FILE_STORE=database``) instead of the folder."""
    accord_settings.data.setdefault("files", {})["store"] = "database"


def test_with_the_database_store_a_document_is_added_downloaded_and_deleted(
    signed_in, person, database_store, accord_settings
):
    from accord.file_storage import FileChunk, KeptFile

    agent = signed_in("agent")
    assert upload(agent, documents_url(person), "contract.pdf", PDF).status_code == 303
    document = Document.get()
    assert KeptFile.get().stored_name == document.stored_name
    assert not (accord_settings.home / "files").exists()
    download = agent.get(f"{documents_url(person)}/{document.id}")
    assert download.content == PDF
    assert download.headers["cache-control"] == "private, no-store"
    url = f"{documents_url(person)}/{document.id}/delete"
    token = csrf_from(agent.get(url).text)
    assert agent.post(url, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert not KeptFile.select().exists() and not FileChunk.select().exists()


def test_with_the_database_store_purging_removes_the_files(
    signed_in, person, database_store, accord_settings, org
):
    from accord.file_storage import KeptFile
    from accord.plugins.contacts.views.documents import STORE

    upload(signed_in("agent"), documents_url(person), "contract.pdf", PDF)
    assert STORE.purge(org, dry_run=True, settings=accord_settings) == 1
    assert STORE.purge(org, dry_run=False, settings=accord_settings) == 1
    assert not KeptFile.select().exists()
