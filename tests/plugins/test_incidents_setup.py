"""The organisation's own set-up: teams, priority matrix, canned replies, email wording, files."""

from __future__ import annotations

import pytest

from accord import User
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents.matrix import matrix_for
from accord.plugins.incidents.models import (
    Attachment,
    CannedReply,
    EmailTemplate,
    PriorityCell,
    Team,
    TeamMember,
)
from accord.plugins.incidents.testing import make_incident, make_team
from accord.testing import HTMX_HEADERS, post_form

BASE = "/o/acme/incidents"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def on(org, enable_plugin):
    enable_plugin(org, "incidents")


@pytest.fixture
def manager(signed_in, on):
    return signed_in("manager", email="morgan@acme.test")


@pytest.fixture
def agent(signed_in, on):
    return signed_in("agent", email="alex@acme.test")


def matrix_form(client) -> dict:
    page = client.get(f"{BASE}/matrix/edit").text
    data = {"fingerprint": page.split('name="fingerprint" value="')[1].split('"')[0]}
    for (impact, urgency), priority in matrix_for_page(page).items():
        data[f"cell_{impact}_{urgency}"] = str(priority)
    return data


def matrix_for_page(page: str) -> dict:
    import re

    cells = {}
    for i, u, body in re.findall(r'name="cell_(\d)_(\d)"[^>]*>(.*?)</select>', page, re.S):
        cells[(int(i), int(u))] = int(re.search(r'value="(\d)" selected', body).group(1))
    return cells


def test_a_manager_changes_a_cell_of_the_matrix(manager, org):
    data = matrix_form(manager)
    data["cell_3_3"] = "2"
    response = post_form(manager, f"{BASE}/matrix/edit", data, token_from=f"{BASE}/matrix/edit")
    assert response.status_code == 303
    assert matrix_for(org)[(3, 3)] == 2
    assert PriorityCell.select().count() == 1  # only what differs from the default is kept


def test_a_matrix_changed_meanwhile_is_409_with_the_input_kept(manager, org):
    data = matrix_form(manager)
    PriorityCell.create(org=org, impact=1, urgency=4, priority=1)  # someone else saves
    data["cell_4_4"] = "3"
    response = post_form(manager, f"{BASE}/matrix/edit", data, token_from=f"{BASE}/matrix/edit")
    assert response.status_code == 409
    assert "Someone changed the matrix" in response.text
    assert matrix_for(org)[(4, 4)] == 4


def test_a_matrix_cell_out_of_range_is_422(manager):
    data = matrix_form(manager)
    data["cell_2_2"] = "9"
    response = post_form(manager, f"{BASE}/matrix/edit", data, token_from=f"{BASE}/matrix/edit")
    assert response.status_code == 422


def test_agents_read_the_matrix_but_cannot_edit_it(agent):
    assert agent.get(f"{BASE}/matrix").status_code == 200
    assert agent.get(f"{BASE}/matrix/edit").status_code == 403


def test_a_manager_sets_up_a_team_with_its_lead_as_a_member(manager, org):
    morgan = User.get(User.email == "morgan@acme.test")
    data = {"name": "Infrastructure", "tier": "2", "lead": str(morgan.id)}
    response = post_form(manager, f"{BASE}/teams/new", data, token_from=f"{BASE}/teams/")
    team = Team.get()
    assert response.status_code == 303
    assert (team.name, team.tier, team.lead_id) == ("Infrastructure", 2, morgan.id)
    assert [m.user_id for m in TeamMember.select()] == [morgan.id]


def test_two_teams_cannot_share_a_name(manager, org):
    make_team(org, "Infrastructure")
    data = {"name": "Infrastructure", "tier": "2"}
    response = post_form(manager, f"{BASE}/teams/new", data, token_from=f"{BASE}/teams/")
    assert response.status_code == 422 and "Another team has this name" in response.text


def test_members_are_added_and_removed(manager, agent, org):
    team = make_team(org, "Service Desk")
    alex = User.get(User.email == "alex@acme.test")
    page = f"{BASE}/teams/{team.id}"
    post_form(manager, f"{page}/members", {"user": str(alex.id)}, token_from=page)
    member = TeamMember.get()
    assert member.user_id == alex.id
    post_form(manager, f"{page}/members/{member.id}/remove", {}, token_from=page)
    assert not TeamMember.select().exists()


def test_a_stale_team_edit_is_409(manager, org):
    team = make_team(org, "Service Desk")
    data = {"name": "Front line", "tier": "1", "version": "1"}
    team.description = "changed meanwhile"
    team.save()
    response = post_form(manager, f"{BASE}/teams/{team.id}/edit", data, token_from=f"{BASE}/teams/")
    assert response.status_code == 409
    assert Team.get().name == "Service Desk"


def test_a_manager_saves_a_canned_reply_and_an_agent_uses_it(manager, agent, org):
    body = "Hello {reporter_first_name}, about {reference}: please restart."
    post_form(
        manager,
        f"{BASE}/canned/new",
        {"title": "Restart", "body": body},
        token_from=f"{BASE}/canned/",
    )
    reply = CannedReply.get()
    incident = make_incident(org)
    fragment = agent.get(
        f"{BASE}/canned/text?reply={reply.id}&incident={incident.id}", headers=HTMX_HEADERS
    )
    assert "<html" not in fragment.text
    assert "Hello Ana, about INC-000001: please restart." in fragment.text


def test_without_javascript_a_canned_reply_fills_the_reply_form(agent, org):
    reply = CannedReply.create(org=org, title="Restart", body="Please restart, {reporter_name}.")
    incident = make_incident(org)
    page = agent.get(f"{BASE}/canned/text?reply={reply.id}&incident={incident.id}")
    assert "<html" in page.text
    assert "Please restart, Ana Lima.</textarea>" in page.text


def test_agents_cannot_manage_canned_replies(agent):
    assert agent.get(f"{BASE}/canned/new").status_code == 403


def test_an_email_template_with_a_mistake_is_422_and_kept(manager):
    data = {"subject": "About {{ reference }", "body": "Hello"}
    response = post_form(manager, f"{BASE}/emails/created", data, token_from=f"{BASE}/emails/")
    assert response.status_code == 422
    assert "cannot be used" in response.text and "About {{ reference }" in response.text
    assert not EmailTemplate.select().exists()


def test_an_email_template_is_saved_for_the_organisation(manager, org):
    data = {"subject": "Ticket {{ reference }}", "body": "Hello {{ reporter_first_name }}"}
    response = post_form(manager, f"{BASE}/emails/created", data, token_from=f"{BASE}/emails/")
    assert response.status_code == 303
    assert EmailTemplate.get().subject == "Ticket {{ reference }}"


def test_a_file_is_attached_and_downloaded_by_a_member(agent, org, accord_settings):
    incident = make_incident(org)
    page = f"{BASE}/{incident.id}"
    files = {"file": ("error log.txt", b"Error 0x800CCC0E at 09:12\n", "text/plain")}
    response = post_form(agent, f"{page}/attachments", {}, token_from=page, files=files)
    assert response.status_code == 303
    attachment = Attachment.get()
    stored = accord_settings.home / "files" / "incidents" / str(org.id)
    assert (stored / attachment.stored_name).read_bytes() == b"Error 0x800CCC0E at 09:12\n"
    download = agent.get(f"{page}/attachments/{attachment.id}")
    assert download.content == b"Error 0x800CCC0E at 09:12\n"
    assert download.headers["content-disposition"].startswith("attachment;")


def test_a_file_of_a_forbidden_type_is_refused(agent, org):
    incident = make_incident(org)
    page = f"{BASE}/{incident.id}"
    files = {"file": ("invoice.html", b"<script>alert(1)</script>", "text/html")}
    post_form(agent, f"{page}/attachments", {}, token_from=page, files=files)
    assert not Attachment.select().exists()
    assert "are not accepted" in agent.get(page).text


def test_a_file_pretending_to_be_a_pdf_is_refused(agent, org):
    incident = make_incident(org)
    page = f"{BASE}/{incident.id}"
    files = {"file": ("scan.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}
    post_form(agent, f"{page}/attachments", {}, token_from=page, files=files)
    assert not Attachment.select().exists()


def test_a_file_over_the_size_limit_is_refused(agent, org, app):
    incident = make_incident(org)
    page = f"{BASE}/{incident.id}"
    big = b"a" * (10 * 1024 * 1024 + 1)
    post_form(
        agent,
        f"{page}/attachments",
        {},
        token_from=page,
        files={"file": ("big.txt", big, "text/plain")},
    )
    assert not Attachment.select().exists()
    assert "larger than 10 MB" in agent.get(page).text


def test_the_catalogue_page_of_a_service_counts_its_open_incidents(manager, org):
    service = make_service(org, "Email", levels={3: (60, 480)})
    make_incident(org, service=service)
    page = manager.get(f"/o/acme/catalogue/{service.id}")
    assert 'id="service-incidents"' in page.text
    assert '1<span class="stat-label">open</span>' in page.text


def test_with_the_database_store_a_file_is_attached_and_downloaded(agent, org, accord_settings):
    from accord.file_storage import KeptFile

    accord_settings.data.setdefault("files", {})["store"] = "database"
    incident = make_incident(org)
    page = f"{BASE}/{incident.id}"
    files = {"file": ("error log.txt", b"Error 0x800CCC0E at 09:12\n", "text/plain")}
    assert (
        post_form(agent, f"{page}/attachments", {}, token_from=page, files=files).status_code == 303
    )
    attachment = Attachment.get()
    assert KeptFile.get().stored_name == attachment.stored_name
    assert not (accord_settings.home / "files").exists()
    download = agent.get(f"{page}/attachments/{attachment.id}")
    assert download.content == b"Error 0x800CCC0E at 09:12\n"
    assert download.headers["content-disposition"] == "attachment; filename*=utf-8''error%20log.txt"
    assert download.headers["cache-control"] == "private, no-store"


def test_with_the_database_store_purging_removes_the_attachments(agent, org, accord_settings):
    from accord.file_storage import KeptFile
    from accord.plugins.incidents import attachments_store

    accord_settings.data.setdefault("files", {})["store"] = "database"
    incident = make_incident(org)
    page = f"{BASE}/{incident.id}"
    files = {"file": ("notes.txt", b"Rebooted the router\n", "text/plain")}
    post_form(agent, f"{page}/attachments", {}, token_from=page, files=files)
    assert attachments_store.purge(org, dry_run=True) == 1
    assert attachments_store.purge(org, dry_run=False) == 1
    assert not KeptFile.select().exists()
