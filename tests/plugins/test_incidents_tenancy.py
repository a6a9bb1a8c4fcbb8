"""Every incidents page for another organisation's record is 404, and lists never show it."""

from __future__ import annotations

import pytest

from accord import utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.contacts.testing import make_person
from accord.plugins.incidents.models import Attachment, CannedReply, SavedView, TeamMember
from accord.plugins.incidents.testing import make_incident, make_team, reload
from accord.testing import HTMX_HEADERS, post_form


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def theirs(make_org, enable_plugin, make_user):
    """Globex's records: an incident with a file, a team with a member, a canned reply."""
    globex = make_org("globex")
    enable_plugin(globex, "incidents")
    boss = make_user("boss@globex.test", globex, "manager")
    team = make_team(globex, "Globex secret team", members=[boss])
    service = make_service(globex, "Globex secret service", levels={3: (60, 480)})
    reporter = make_person(globex, "Gil", "Secret", email="gil@globex.example.org")
    incident = make_incident(globex, "Globex secret outage", service=service, reporter=reporter)
    attachment = Attachment.create(
        org=globex,
        incident=incident,
        filename="secret.txt",
        content_type="text/plain",
        size=6,
        stored_name="0" * 32,
        sha256="0" * 64,
        uploaded_at=utcnow(),
    )
    return {
        "pk": incident.id,
        "aid": attachment.id,
        "team": team.id,
        "mid": TeamMember.get(TeamMember.team == team.id).id,
        "canned": CannedReply.create(org=globex, title="Globex secret", body="Secret").id,
        "view": SavedView.create(
            org=globex, user=boss, queue="all", name="Globex secret view", query=""
        ).id,
        "service": service.id,
        "person": reporter.id,
    }


@pytest.fixture
def acme_admin(signed_in, org, enable_plugin):
    enable_plugin(org, "incidents")
    return signed_in("admin")


READS = [
    "/{pk}",
    "/{pk}/edit",
    "/{pk}/assign",
    "/{pk}/pend",
    "/{pk}/resolve",
    "/{pk}/close",
    "/{pk}/reopen",
    "/{pk}/attachments/{aid}",
    "/{pk}/children",
    "/{pk}/parent",
    "/{pk}/merge",
    "/teams/{team}",
    "/teams/{team}/edit",
    "/canned/{canned}/edit",
    "/canned/{canned}/delete",
    "/canned/text?reply={canned}&incident={pk}",
]
CHANGES = [
    "/{pk}/edit",
    "/{pk}/assign",
    "/{pk}/start",
    "/{pk}/pend",
    "/{pk}/resume",
    "/{pk}/resolve",
    "/{pk}/close",
    "/{pk}/reopen",
    "/{pk}/notes",
    "/{pk}/attachments",
    "/{pk}/major",
    "/{pk}/children",
    "/{pk}/children/{pk}/unlink",
    "/{pk}/parent",
    "/{pk}/merge",
    "/teams/{team}/edit",
    "/teams/{team}/members",
    "/teams/{team}/members/{mid}/remove",
    "/canned/{canned}/edit",
    "/canned/{canned}/delete",
    "/views/{view}/delete",
]


@pytest.mark.parametrize("page", READS)
def test_another_organisations_record_page_is_404(acme_admin, theirs, page):
    response = acme_admin.get("/o/acme/incidents" + page.format(**theirs))
    assert response.status_code == 404
    assert "secret" not in response.text.lower()


@pytest.mark.parametrize("page", CHANGES)
def test_another_organisations_record_cannot_be_changed(acme_admin, theirs, page):
    data = {
        "version": "1",
        "title": "Mine now",
        "body": "Mine now",
        "kind": "reply",
        "team": str(theirs["team"]),
        "pending_reason": "customer",
        "resolution_code": "fixed",
        "resolution_notes": "Mine",
        "reason": "Mine",
        "name": "Mine",
        "tier": "1",
        "user": "1",
        "impact": "1",
        "urgency": "1",
        "category": "other",
        "channel": "phone",
    }
    response = post_form(
        acme_admin,
        "/o/acme/incidents" + page.format(**theirs),
        data,
        token_from="/o/acme/incidents/queues/all",
    )
    assert response.status_code == 404


def test_nothing_of_theirs_changed(acme_admin, theirs):
    from accord.plugins.incidents.models import Incident

    for page in CHANGES:
        post_form(
            acme_admin,
            "/o/acme/incidents" + page.format(**theirs),
            {"version": "1"},
            token_from="/o/acme/incidents/queues/all",
        )
    incident = reload(Incident.get_by_id(theirs["pk"]))
    assert (incident.status, incident.title, incident.version) == ("new", "Globex secret outage", 1)


@pytest.mark.parametrize("page", READS)
def test_their_own_organisation_url_is_404_for_a_stranger(acme_admin, theirs, page):
    response = acme_admin.get("/o/globex/incidents" + page.format(**theirs))
    assert response.status_code == 404


def test_lists_and_lookups_show_only_the_organisations_own_records(acme_admin, theirs):
    pages = [
        "/queues/all",
        "/queues/mine",
        "/escalation",
        "/queues/unassigned",
        "/queues/breaching",
        "/teams/",
        "/canned/",
        "/reporters?reporter_q=gil",
        "/new?reporter_q=gil",
    ]
    for page in pages:
        text = acme_admin.get("/o/acme/incidents" + page, headers=HTMX_HEADERS).text
        assert "secret" not in text.lower(), page
    preview = acme_admin.get(
        f"/o/acme/incidents/priority?impact=3&urgency=3&service={theirs['service']}"
    )
    assert "respond within" not in preview.text


def test_a_reporter_of_another_organisation_cannot_be_preselected(acme_admin, theirs):
    page = acme_admin.get(f"/o/acme/incidents/new?reporter={theirs['person']}")
    assert "Secret" not in page.text


def test_global_search_finds_only_the_organisations_incidents(acme_admin, theirs):
    for query in ("INC-000001", "secret outage"):
        text = acme_admin.get(f"/o/acme/dashboard/search?q={query}").text
        assert "Globex secret" not in text, query


@pytest.mark.parametrize("picker", ["merge", "parent"])
def test_pickers_never_offer_another_organisations_incidents(acme_admin, org, theirs, picker):
    from accord.plugins.incidents.models import Incident

    Incident.update(is_major=True).where(Incident.id == theirs["pk"]).execute()
    mine = make_incident(org, "Acme printer jam")
    text = acme_admin.get(f"/o/acme/incidents/{mine.id}/{picker}?q=secret").text
    assert "Globex secret outage" not in text and "No incident matches" in text


def test_another_organisations_incident_cannot_be_linked_or_merged_into_mine(
    acme_admin, org, theirs
):
    from accord.plugins.incidents.models import Incident

    mine = make_incident(org, "Acme printer jam")
    Incident.update(is_major=True).where(Incident.id == mine.id).execute()
    base = f"/o/acme/incidents/{mine.id}"
    for action, field in (("children", "child"), ("parent", "parent"), ("merge", "other")):
        data = {field: str(theirs["pk"]), "confirmed": "1", "keep": "this"}
        response = post_form(acme_admin, f"{base}/{action}", data, token_from=base)
        assert response.status_code == 404, action
    assert reload(Incident.get_by_id(theirs["pk"])).merged_into_id is None
