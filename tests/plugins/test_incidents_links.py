"""Major incidents with children, and merging duplicates, through the incident pages."""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_calendar, make_service
from accord.plugins.incidents.models import Activity, Attachment, Incident, OutboundEmail
from accord.plugins.incidents.testing import make_incident, make_reporter, reload
from accord.testing import HTMX_HEADERS, post_form

LEVELS = {p: (60, 480) for p in (1, 2, 3, 4)}


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def email(org, enable_plugin):
    enable_plugin(org, "incidents")
    return make_service(org, "Email", levels=LEVELS, calendar=make_calendar(org))


@pytest.fixture
def agent(signed_in, email):
    return signed_in("agent", email="alex@acme.test")


@pytest.fixture
def outage(org, email):
    return make_incident(org, "Email is down for everyone", service=email)


@pytest.fixture
def report(org, email):
    bo = make_reporter(org, "Bo", "Diaz", email="bo@example.org")
    return make_incident(org, "Cannot send email", service=email, reporter=bo)


def url(incident, action=""):
    return f"/o/acme/incidents/{incident.id}" + (f"/{action}" if action else "")


def post(client, incident, action, **data):
    return post_form(client, url(incident, action), data, token_from=url(incident))


def mark_major(client, incident):
    return post(client, incident, "major", major="1", version=str(reload(incident).version))


def link(client, parent, child):
    mark_major(client, parent)
    return post(client, parent, "children", child=str(child.id))


def bodies(incident, kind):
    query = Activity.select().where((Activity.incident == incident.id) & (Activity.kind == kind))
    return [a.body for a in query.order_by(Activity.id)]


def resolve(client, incident, code="fixed", notes="Restarted the mail gateway."):
    data = {"resolution_code": code, "resolution_notes": notes}
    return post(client, incident, "resolve", version=str(reload(incident).version), **data)


# --- Major incidents ---------------------------------------------------------------------------


def test_an_incident_can_be_marked_as_major(agent, outage):
    response = mark_major(agent, outage)
    assert response.status_code == 303
    assert reload(outage).is_major
    assert bodies(outage, "link") == ["Marked as a major incident"]
    assert "Major incident" in agent.get(url(outage)).text


def test_the_parent_page_finds_incidents_to_link_by_reference(agent, outage, report):
    mark_major(agent, outage)
    page = agent.get(url(outage, "children") + f"?q={report.reference}")
    assert page.status_code == 200
    assert report.title in page.text and f'name="child" value="{report.id}"' in page.text


def test_the_search_answers_htmx_with_the_results_alone(agent, outage, report):
    mark_major(agent, outage)
    page = agent.get(url(outage, "children") + "?q=send", headers=HTMX_HEADERS)
    assert report.title in page.text and "<html" not in page.text


def test_linking_a_child_shows_it_on_both_pages_with_timeline_entries(agent, outage, report):
    response = link(agent, outage, report)
    assert response.status_code == 303
    assert reload(report).parent_id == outage.id
    assert bodies(report, "link") == [f"Linked to major incident {outage.reference} {outage.title}"]
    assert bodies(outage, "link")[-1] == f"Child incident {report.reference} {report.title} linked"
    parent_page = agent.get(url(outage)).text
    assert "Child incidents" in parent_page and report.reference in parent_page
    assert f'Child of <a href="/o/acme/incidents/{outage.id}">{outage.reference}</a>' in (
        agent.get(url(report)).text
    )


def test_a_child_links_itself_to_a_major_incident(agent, outage, report):
    mark_major(agent, outage)
    page = agent.get(url(report, "parent"))
    assert f'name="parent" value="{outage.id}"' in page.text
    response = post(agent, report, "parent", parent=str(outage.id))
    assert response.status_code == 303
    assert reload(report).parent_id == outage.id


def test_an_incident_that_is_not_major_takes_no_children(agent, outage, report):
    response = post(agent, report, "parent", parent=str(outage.id))
    assert response.status_code == 303
    assert reload(report).parent_id is None
    assert "is not a major incident" in agent.get(url(report, "parent")).text


def test_resolving_the_parent_resolves_its_open_children_and_tells_their_reporters(
    agent, outage, report
):
    link(agent, outage, report)
    resolve(agent, outage)
    child = reload(report)
    assert child.status == "resolved"
    assert (child.resolution_code, child.resolution_notes) == (
        "fixed",
        "Restarted the mail gateway.",
    )
    assert bodies(report, "status")[-1] == (
        f"Resolved with major incident {outage.reference}: Fixed. Restarted the mail gateway."
    )
    to_bo = OutboundEmail.select().where(
        (OutboundEmail.incident == report.id) & (OutboundEmail.kind == "resolved")
    )
    assert [e.to_address for e in to_bo] == ["bo@example.org"]


def test_closing_a_parent_with_an_open_child_asks_first(agent, org, outage, report, email):
    link(agent, outage, report)
    resolve(agent, outage)
    late = make_incident(org, "Webmail is down too", service=email)
    post(agent, outage, "children", child=str(late.id))
    page = post(agent, outage, "close", version=str(reload(outage).version))
    assert page.status_code == 200
    assert "Close" in page.text and late.reference in page.text and "Cancel" in page.text
    assert reload(outage).status == "resolved"  # nothing happened yet


def test_closing_the_children_too_resolves_and_closes_them(agent, org, outage, report, email):
    link(agent, outage, report)
    resolve(agent, outage)
    late = make_incident(org, "Webmail is down too", service=email)
    post(agent, outage, "children", child=str(late.id))
    version = str(reload(outage).version)
    response = post(agent, outage, "close", version=version, close_children="1")
    assert response.status_code == 303
    assert [reload(i).status for i in (outage, report, late)] == ["closed"] * 3
    assert reload(late).resolution_code == "fixed"


def test_a_child_can_be_unlinked_from_the_parent_page(agent, outage, report):
    link(agent, outage, report)
    response = post(agent, outage, f"children/{report.id}/unlink")
    assert response.status_code == 303
    assert reload(report).parent_id is None
    assert bodies(report, "link")[-1] == f"Unlinked from major incident {outage.reference}"


# --- Merging duplicates ------------------------------------------------------------------------


def merge(client, incident, other, keep="this"):
    return post(client, incident, "merge", other=str(other.id), keep=keep, confirmed="1")


def test_merging_asks_which_incident_is_kept(agent, outage, report):
    page = post(agent, outage, "merge", other=str(report.id))
    assert page.status_code == 200
    assert "Which incident is kept?" in page.text
    assert reload(report).status == "new"


def test_merging_closes_the_duplicate_pointing_at_the_survivor(agent, outage, report):
    response = merge(agent, outage, report)
    assert response.status_code == 303
    duplicate = reload(report)
    assert (duplicate.status, duplicate.resolution_code) == ("closed", "duplicate")
    assert duplicate.merged_into_id == outage.id
    assert duplicate.resolution_notes == f"Duplicate of {outage.reference} {outage.title}"


def test_the_survivor_can_be_the_other_incident(agent, outage, report):
    merge(agent, outage, report, keep="other")
    assert reload(outage).merged_into_id == report.id
    assert reload(report).merged_into_id is None


def test_the_survivors_timeline_shows_the_duplicates_entries(agent, outage, report):
    post(agent, report, "notes", body="Bo says Outlook shows error 0x800CCC0E.", kind="note")
    merge(agent, outage, report)
    page = agent.get(url(outage)).text
    assert "Bo says Outlook shows error 0x800CCC0E." in page
    assert f"From {report.reference}" in page
    assert f"{report.reference} {report.title} merged into this incident" in page


def test_the_duplicates_attachments_are_listed_and_downloadable_on_the_survivor(
    agent, org, outage, report, tmp_path
):
    files = {"file": ("error.txt", b"0x800CCC0E", "text/plain")}
    page = agent.get(url(report))
    from accord.testing import csrf_from

    agent.post(url(report, "attachments"), data={"csrf_token": csrf_from(page.text)}, files=files)
    attachment = Attachment.get()
    merge(agent, outage, report)
    survivor = agent.get(url(outage)).text
    link_ = f"/o/acme/incidents/{report.id}/attachments/{attachment.id}"
    assert link_ in survivor
    assert agent.get(link_).content == b"0x800CCC0E"


def test_the_duplicates_reporter_is_told_by_email(agent, outage, report):
    merge(agent, outage, report)
    told = OutboundEmail.get(
        (OutboundEmail.incident == report.id) & (OutboundEmail.kind == "merged")
    )
    assert told.to_address == "bo@example.org"
    assert told.subject == f"[{report.reference}] Now followed as {outage.reference}"


def test_a_merged_incident_cannot_be_reopened_and_the_page_says_why(agent, outage, report):
    merge(agent, outage, report)
    page = agent.get(url(report)).text
    assert "a merged incident cannot be reopened" in page
    assert url(report, "reopen") not in page
    response = post(
        agent, report, "reopen", reason="Still broken", version=str(reload(report).version)
    )
    assert response.status_code == 422
    assert f"merged into {outage.reference} as a duplicate" in response.text


def test_an_incident_cannot_be_merged_into_itself(agent, outage):
    response = merge(agent, outage, outage)
    assert response.status_code == 303
    assert reload(outage).status == "new"


def test_merging_another_organisations_incident_is_404(agent, make_org, outage):
    other_org = make_org("globex", "Globex")
    theirs = Incident.create(
        org=other_org, number=1, reference="INC-000001", title="Theirs", status="new"
    )
    assert merge(agent, outage, theirs).status_code == 404
    assert post(agent, outage, "major", major="1").status_code == 303
    assert post(agent, outage, "children", child=str(theirs.id)).status_code == 404


# --- From the queues ---------------------------------------------------------------------------


def test_ticked_incidents_are_linked_to_a_major_incident_in_bulk(agent, org, outage, report, email):
    other = make_incident(org, "Outlook offline", service=email)
    mark_major(agent, outage)
    queue = "/o/acme/incidents/queues/all"
    assert f'<option value="{outage.id}">{outage.reference} {outage.title}</option>' in (
        agent.get(queue).text
    )
    data = {"action": "link_major", "major": str(outage.id), "ids": [str(report.id), str(other.id)]}
    response = post_form(agent, "/o/acme/incidents/bulk", data, token_from=queue)
    assert response.status_code == 303
    assert [reload(i).parent_id for i in (report, other)] == [outage.id, outage.id]


def test_the_queue_filters_major_incidents(agent, outage, report):
    mark_major(agent, outage)
    page = agent.get("/o/acme/incidents/queues/all?flag=major").text
    assert outage.reference in page and report.reference not in page
    assert ">Major</span>" in page


def test_a_merge_is_in_the_audit_log_with_who_did_it(agent, outage, report):
    from accord.models import AuditEntry

    merge(agent, outage, report)
    entries = AuditEntry.select().where(
        (AuditEntry.table == "incidents_incident") & (AuditEntry.record_id == str(report.id))
    )
    merged = [e for e in entries if "merged_into" in (e.changes or {})]
    assert len(merged) == 1 and merged[0].actor_label == "alex@acme.test"
