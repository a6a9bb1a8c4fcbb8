"""Every complaints page for another organisation's complaint is 404, and lists never show it."""

from __future__ import annotations

import pytest

from accord.plugins.complaints.testing import make_complaint, reload
from accord.plugins.contacts.testing import make_person
from accord.testing import post_form

BASE = "/o/acme/complaints"


@pytest.fixture
def theirs(make_org, enable_plugin):
    globex = make_org("globex")
    enable_plugin(globex, "complaints")
    gil = make_person(globex, "Gil", "Secret", email="gil@globex.example.org")
    return make_complaint(globex, "Globex secret grievance", person=gil)


@pytest.fixture
def acme_admin(signed_in, org, enable_plugin):
    enable_plugin(org, "complaints")
    return signed_in("admin")


@pytest.mark.parametrize(
    "path",
    [
        "/{pk}",
        "/{pk}/edit",
        "/{pk}/respond",
        "/{pk}/close",
        "/{pk}/email",
        "/{pk}/correspondence",
        "/{pk}/delete",
    ],
)
def test_reading_another_organisations_complaint_is_404(acme_admin, theirs, path):
    assert acme_admin.get(BASE + path.format(pk=theirs.id)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/{pk}/edit",
        "/{pk}/acknowledge",
        "/{pk}/investigate",
        "/{pk}/respond",
        "/{pk}/close",
        "/{pk}/delete",
    ],
)
def test_changing_another_organisations_complaint_is_404(acme_admin, theirs, path):
    data = {"version": str(theirs.version), "response": "x", "lesson": "x", "improvement": "y"}
    response = post_form(acme_admin, BASE + path.format(pk=theirs.id), data, token_from=BASE + "/")
    assert response.status_code == 404
    assert reload(theirs).status == "received"


def test_lists_reports_and_search_never_show_another_organisations_complaints(acme_admin, theirs):
    assert "Globex secret" not in acme_admin.get(f"{BASE}/").text
    assert "Globex secret" not in acme_admin.get(f"{BASE}/?format=csv").text
    assert "Globex" not in acme_admin.get(f"{BASE}/report").text
    assert "Globex secret" not in acme_admin.get("/o/acme/dashboard/search?q=secret").text


def test_another_organisations_person_cannot_be_the_complainant(acme_admin, make_org):
    globex = make_org("globex2")
    gil = make_person(globex, "Gil", "Other")
    response = post_form(
        acme_admin,
        f"{BASE}/new",
        {
            "person": str(gil.id),
            "description": "x",
            "cause": "other",
            "channel": "email",
            "severity": "low",
        },
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 422


@pytest.fixture
def their_file(theirs):
    from accord.plugins.complaints.models import Attachment

    return Attachment.create(
        org=theirs.org_id,
        complaint=theirs.id,
        filename="secret.pdf",
        content_type="application/pdf",
        size=10,
        stored_name="0" * 32,
        sha256="0" * 64,
    )


@pytest.mark.parametrize(
    "path", ["/{pk}/notes", "/{pk}/files", "/{pk}/email", "/{pk}/correspondence"]
)
def test_adding_to_another_organisations_complaint_is_404(acme_admin, theirs, path):
    from accord.plugins.complaints.models import Correspondence, Note

    data = {
        "body": "Sneaky",
        "subject": "x",
        "summary": "x",
        "direction": "out",
        "channel": "letter",
    }
    response = post_form(acme_admin, BASE + path.format(pk=theirs.id), data, token_from=BASE + "/")
    assert response.status_code == 404
    assert Note.select().count() == 0 and Correspondence.select().count() == 0


@pytest.mark.parametrize("path", ["/{pk}/files/{aid}", "/{pk}/files/{aid}/delete"])
def test_another_organisations_file_is_404(acme_admin, theirs, their_file, path):
    assert acme_admin.get(BASE + path.format(pk=theirs.id, aid=their_file.id)).status_code == 404


def test_a_file_cannot_be_reached_through_a_complaint_it_is_not_on(acme_admin, org, their_file):
    mine = make_complaint(org, "Our own complaint")
    assert acme_admin.get(f"{BASE}/{mine.id}/files/{their_file.id}").status_code == 404
