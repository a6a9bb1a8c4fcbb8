"""Internal notes and files on a complaint, and its timeline narrowed by kind."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import Organisation
from accord.models import AuditEntry
from accord.plugins.complaints import attachments
from accord.plugins.complaints.models import Attachment, Note
from accord.plugins.complaints.testing import make_complaint
from accord.testing import HTMX_HEADERS, form_tokens, post_form

BASE = "/o/acme/complaints"
PDF = b"%PDF-1.4\n% a letter from the complainant\n"


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "complaints")
    return signed_in("agent")


@pytest.fixture
def complaint(org, agent):
    return make_complaint(org, "The VPN drops every hour.")


@pytest.fixture(params=["local", "database"])
def file_store(request, accord_settings):
    """Each file test runs with the files in the instance folder and in the database."""
    accord_settings.data.setdefault("files", {})["store"] = request.param
    return request.param


def page_of(complaint) -> str:
    return f"{BASE}/{complaint.id}"


def add_note(client, complaint, body):
    return post_form(
        client, f"{page_of(complaint)}/notes", {"body": body}, token_from=page_of(complaint)
    )


def upload(client, complaint, name="letter.pdf", content=PDF):
    return client.post(
        f"{page_of(complaint)}/files",
        data=form_tokens(client.get(page_of(complaint)).text),
        files={"file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


def test_a_note_shows_on_the_timeline_with_its_author_and_local_time(agent, org, complaint):
    org.time_zone = "Europe/London"
    org.save()
    response = add_note(agent, complaint, "Called the network team; a fix is planned.")
    assert response.status_code == 303
    page = agent.get(page_of(complaint)).text
    assert "Internal note" in page and "Called the network team; a fix is planned." in page
    note = Note.get()
    assert note.author.name in page
    zone = Organisation.get_by_id(org.id).zone
    local = note.created_at.replace(tzinfo=dt.UTC).astimezone(zone)
    assert f"{local:%Y-%m-%d %H:%M} {local.tzname()}" in page


def test_an_empty_note_is_refused_with_a_message(agent, complaint):
    response = add_note(agent, complaint, "   ")
    assert response.status_code == 422
    assert "Write the note." in response.text
    assert Note.select().count() == 0


def test_a_note_sent_twice_is_added_once(agent, complaint):
    data = {**form_tokens(agent.get(page_of(complaint)).text), "body": "Only once"}
    first = agent.post(f"{page_of(complaint)}/notes", data=data, follow_redirects=False)
    second = agent.post(f"{page_of(complaint)}/notes", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert Note.select().count() == 1


def test_a_viewer_sees_notes_but_cannot_add_one(signed_in, agent, complaint):
    add_note(agent, complaint, "Visible to the viewer")
    viewer = signed_in("viewer")
    page = viewer.get(page_of(complaint)).text
    assert "Visible to the viewer" in page and 'action="/o/acme/complaints/' not in page
    assert add_note(viewer, complaint, "Not allowed").status_code == 403
    assert Note.select().count() == 1


def test_a_file_is_uploaded_listed_and_downloaded(file_store, agent, complaint):
    response = upload(agent, complaint)
    assert response.status_code == 303
    attachment = Attachment.get()
    page = agent.get(page_of(complaint)).text
    assert "letter.pdf" in page and "File added" in page
    download = agent.get(f"{page_of(complaint)}/files/{attachment.id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    kept_in_folder = any((agent.app.state.accord.settings.home / "files").rglob("*"))
    assert kept_in_folder == (file_store == "local")


def test_a_file_of_the_wrong_type_is_refused(agent, complaint):
    response = upload(agent, complaint, "run.exe", b"MZ\x90\x00")
    assert response.status_code == 422
    assert "run.exe is not added: Files of this type are not accepted." in response.text
    assert Attachment.select().count() == 0


def test_a_file_whose_content_is_not_its_type_is_refused(agent, complaint):
    response = upload(agent, complaint, "letter.pdf", b"not a pdf at all")
    assert response.status_code == 422
    assert "This file is not a real .pdf file." in response.text


def test_a_file_over_the_size_limit_is_refused(file_store, agent, complaint, monkeypatch):
    monkeypatch.setattr(attachments.STORE, "default_mb", 1)
    response = upload(agent, complaint, "big.txt", b"a" * (1024 * 1024 + 1))
    assert response.status_code == 422
    assert "The file is larger than 1 MB." in response.text


def test_no_file_chosen_says_so(agent, complaint):
    tokens = form_tokens(agent.get(page_of(complaint)).text)
    response = agent.post(f"{page_of(complaint)}/files", data=tokens)
    assert response.status_code == 422 and "Choose a file to add." in response.text


def test_deleting_a_file_asks_first_then_removes_it_and_says_so_on_the_timeline(
    file_store, agent, complaint
):
    upload(agent, complaint)
    attachment = Attachment.get()
    url = f"{page_of(complaint)}/files/{attachment.id}/delete"
    confirm = agent.get(url)
    assert confirm.status_code == 200 and "Delete letter.pdf?" in confirm.text
    assert post_form(agent, url, {}, token_from=url).status_code == 303
    assert agent.get(f"{page_of(complaint)}/files/{attachment.id}").status_code == 404
    page = agent.get(page_of(complaint)).text
    assert "File deleted" in page and "No files yet." in page
    assert not attachments.STORE.exists(agent.app.state.accord.settings, attachment)
    audited = AuditEntry.get(
        AuditEntry.table == "complaints_attachment", AuditEntry.action == "update"
    )
    assert "deleted_at" in audited.changes


def test_a_viewer_cannot_upload_or_delete_files(signed_in, agent, complaint):
    upload(agent, complaint)
    attachment = Attachment.get()
    viewer = signed_in("viewer")
    assert upload(viewer, complaint).status_code == 403
    url = f"{page_of(complaint)}/files/{attachment.id}/delete"
    assert viewer.get(url).status_code == 403
    assert viewer.get(f"{page_of(complaint)}/files/{attachment.id}").status_code == 200


def test_the_timeline_narrows_to_one_kind(agent, complaint):
    add_note(agent, complaint, "A note only")
    upload(agent, complaint)
    notes = agent.get(f"{page_of(complaint)}?show=notes").text
    assert "A note only" in notes and "File added" not in notes
    files = agent.get(f"{page_of(complaint)}?show=files").text
    assert "File added" in files and "A note only" not in files
    changes = agent.get(f"{page_of(complaint)}?show=changes").text
    assert "Created" in changes and "A note only" not in changes


def test_a_timeline_filter_asked_by_htmx_gets_the_timeline_only(agent, complaint):
    add_note(agent, complaint, "A note only")
    fragment = agent.get(f"{page_of(complaint)}?show=notes", headers=HTMX_HEADERS).text
    assert fragment.lstrip().startswith('<div id="timeline"') and "A note only" in fragment
    assert "<html" not in fragment


def test_a_purged_organisations_files_are_removed(file_store, agent, org, complaint):
    upload(agent, complaint)
    attachment = Attachment.get()
    settings = agent.app.state.accord.settings
    attachments.bind(settings)
    assert attachments.purge(org, dry_run=True) == 1
    assert attachments.purge(org, dry_run=False) == 1
    assert not attachments.STORE.exists(settings, attachment)


def test_a_deleted_complaint_takes_its_files_notes_and_letters_with_it(
    file_store, signed_in, agent, org, complaint
):
    from accord.plugins.complaints.models import Complaint, Correspondence

    upload(agent, complaint)
    add_note(agent, complaint, "About to go")
    Correspondence.create(
        org=org, complaint=complaint.id, direction="in", channel="letter", summary="A letter"
    )
    attachment = Attachment.get()
    manager = signed_in("manager")
    url = f"{page_of(complaint)}/delete"
    assert "Delete CMP-0001?" in manager.get(url).text
    assert post_form(manager, url, {}, token_from=url).status_code == 303
    assert Complaint.select().count() == 0
    assert (
        Note.select().count() == Attachment.select().count() == Correspondence.select().count() == 0
    )
    assert not attachments.STORE.exists(agent.app.state.accord.settings, attachment)
    assert AuditEntry.get(AuditEntry.table == "complaints_complaint", AuditEntry.action == "delete")


def test_an_agent_cannot_delete_a_complaint(agent, complaint):
    url = f"{page_of(complaint)}/delete"
    assert agent.get(url).status_code == 403
    assert post_form(agent, url, {}, token_from=page_of(complaint)).status_code == 403
