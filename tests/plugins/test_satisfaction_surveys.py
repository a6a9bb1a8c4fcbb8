"""A reporter's survey end to end: resolved incident → survey → email → one-click answer."""

from __future__ import annotations

import datetime as dt
import re
import socket

import pytest

from accord import plugin_settings, utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.contacts.consent import set_topic
from accord.plugins.incidents.models import Incident
from accord.plugins.incidents.testing import make_incident, make_reporter, make_team, reload
from accord.plugins.satisfaction import surveys
from accord.plugins.satisfaction.models import RecoveryTask, Survey
from accord.plugins.satisfaction.testing import links_in, survey_email, survey_of
from accord.testing import post_form

LATER = dt.timedelta(hours=2)


@pytest.fixture
def configure(org, accord_settings, accord_host):
    def set_(plugin, **values):
        manifest = accord_host.manifest(plugin)
        plugin_settings.save(accord_settings.secret_key, manifest, org, values)

    return set_


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "satisfaction")
    return signed_in("agent", email="alex@acme.test")


@pytest.fixture
def lead(make_user, org):
    return make_user("lena@acme.test", org, "agent", name="Lena Lead")


@pytest.fixture
def incident(org, agent, lead):
    desk = make_team(org, "Service Desk", lead=lead)
    email = make_service(org, "Email", levels={p: (60, 480) for p in (1, 2, 3, 4)})
    return make_incident(org, service=email, team=desk.id)


def resolve(client, incident):
    url = f"/o/acme/incidents/{incident.id}/resolve"
    data = {
        "version": str(reload(incident).version),
        "resolution_code": "fixed",
        "resolution_notes": "Cleared the cached password.",
    }
    response = post_form(client, url, data, token_from=url)
    assert response.status_code == 303
    return reload(incident)


def send_due(org):
    return surveys.send_due(org, now=utcnow() + LATER)


def link(incident, **params):
    """The email's link for ``score=N`` or ``not_resolved=1``."""
    key, value = next(iter(params.items()))
    (found,) = [u for u in links_in(survey_email(incident)) if u.endswith(f"{key}={value}")]
    return found


def answer(client, path, **data):
    return post_form(client, path.split("?")[0], data, token_from=path)


def test_resolving_an_incident_invites_its_reporter_after_the_delay(agent, incident):
    resolve(agent, incident)
    survey = survey_of(incident)
    assert survey.status == "pending"
    assert survey.send_after > utcnow() + dt.timedelta(minutes=55)
    assert surveys.send_due(incident.org) == 0
    assert survey_of(incident).status == "pending"


def test_the_send_task_emails_a_link_per_score_through_the_outbox(agent, org, incident):
    resolve(agent, incident)
    assert send_due(org) == 1
    email = survey_email(incident)
    assert email.to_address == "ana.lima@example.org"
    assert email.subject == f"[{incident.reference}] How did we do?"
    paths = links_in(email)
    assert [p.rsplit("=", 1)[1] for p in paths] == ["5", "4", "3", "2", "1", "1"]
    assert survey_of(incident).status == "sent"


def test_the_periodic_task_sends_for_every_organisation_with_satisfaction_on(agent, org, incident):
    resolve(agent, incident)
    assert surveys.send_due_everywhere(now=utcnow() + LATER) == 1


def test_the_reporter_answers_without_signing_in(agent, org, incident, client):
    resolve(agent, incident)
    send_due(org)
    path = link(incident, score=4)
    page = client.get(path)
    assert page.status_code == 200
    assert 'id="score-4" name="score" value="4" checked' in page.text
    response = answer(client, path, score="4", comment="Quick, thanks", answer="score")
    assert response.status_code == 200
    assert "Thank you" in response.text
    survey = survey_of(incident)
    assert (survey.status, survey.score, survey.comment) == ("answered", 4, "Quick, thanks")
    assert survey.month == f"{utcnow():%Y-%m}"


def test_following_the_link_does_not_answer_by_itself(agent, org, incident, client):
    resolve(agent, incident)
    send_due(org)
    client.get(link(incident, score=1))
    assert survey_of(incident).status == "sent"


def test_a_link_works_once(agent, org, incident, client):
    resolve(agent, incident)
    send_due(org)
    path = link(incident, score=5)
    answer(client, path, score="5", answer="score")
    again = client.get(link(incident, score=2))
    assert again.status_code == 409
    assert "You have already answered" in again.text
    second = post_form(client, path.split("?")[0], {"score": "1"}, token_from="/login")
    assert second.status_code == 409
    assert survey_of(incident).score == 5


def test_a_forged_link_is_refused_plainly(client, agent, org, incident):
    resolve(agent, incident)
    send_due(org)
    path = link(incident, score=5).split("?")[0]
    forged = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    page = client.get(forged)
    assert page.status_code == 404
    assert "This link does not work" in page.text
    assert client.get("/survey/not-a-token").status_code == 404


def test_an_expired_link_says_the_survey_has_closed(agent, org, incident, client):
    resolve(agent, incident)
    send_due(org)
    Survey.update(expires_at=utcnow() - dt.timedelta(minutes=1)).execute()
    page = client.get(link(incident, score=5))
    assert page.status_code == 410
    assert "This survey has closed" in page.text


def test_a_score_is_required(agent, org, incident, client):
    resolve(agent, incident)
    send_due(org)
    response = answer(client, link(incident, score=5), comment="Meh", answer="score", score="")
    assert response.status_code == 422
    assert "Choose a score" in response.text
    assert "Meh" in response.text


def test_not_resolved_reopens_the_incident(agent, org, incident, client):
    resolve(agent, incident)
    send_due(org)
    path = link(incident, not_resolved=1)
    page = client.get(path)
    assert "It is not resolved: reopen it" in page.text
    response = answer(client, path, answer="not_resolved", comment="Still asks for my password")
    assert response.status_code == 200
    assert f"We have reopened {incident.reference}" in response.text
    assert reload(incident).status in ("assigned", "new")
    survey = survey_of(incident)
    assert survey.not_resolved and survey.reopened and survey.score is None


def test_not_resolved_after_the_reopen_window_suggests_contacting_the_desk(
    agent, org, incident, client
):
    resolve(agent, incident)
    send_due(org)
    Incident.update(resolved_at=utcnow() - dt.timedelta(days=30)).execute()
    response = answer(client, link(incident, not_resolved=1), answer="not_resolved")
    assert "can no longer be reopened" in response.text
    assert "contact the service desk" in response.text
    assert reload(incident).status == "resolved"


def test_a_reporter_who_opted_out_of_surveys_is_not_asked(agent, org, incident):
    set_topic(incident.reporter, "surveys", False, source="test")
    resolve(agent, incident)
    assert send_due(org) == 0
    survey = survey_of(incident)
    assert survey.status == "skipped"
    assert "opted out of surveys" in survey.reason
    assert survey_email(incident) is None


def test_a_reporter_without_an_email_address_is_skipped_with_the_reason(agent, org, lead):
    person = make_reporter(org, "Noel", "Nomail", email=None)
    incident = make_incident(org, reporter=person)
    resolve(agent, incident)
    send_due(org)
    assert survey_of(incident).status == "skipped"
    assert "no email address" in survey_of(incident).reason


def test_only_the_configured_share_is_surveyed_always_the_same_ones(agent, org, configure):
    configure("satisfaction", share_percent=30)
    reporter = make_reporter(org)
    incidents = [make_incident(org, f"Fault {n}", reporter=reporter) for n in range(40)]
    for incident in incidents:
        resolve(agent, incident)
    surveyed = {i.id for i in incidents if survey_of(i) is not None}
    assert 4 <= len(surveyed) <= 20
    assert surveyed == {i.id for i in incidents if surveys.in_sample(org, i.id, 30)}


def test_a_delay_of_zero_sends_at_once(agent, org, incident, configure):
    configure("satisfaction", delay_hours=0)
    resolve(agent, incident)
    assert survey_of(incident).status == "sent"
    assert survey_email(incident) is not None


def test_reopening_before_the_survey_is_sent_cancels_it(agent, org, incident):
    resolve(agent, incident)
    url = f"/o/acme/incidents/{incident.id}/reopen"
    data = {"version": str(reload(incident).version), "reason": "Not fixed"}
    assert post_form(agent, url, data, token_from=url).status_code == 303
    assert survey_of(incident).status == "cancelled"
    assert send_due(org) == 0


def test_a_low_score_opens_a_recovery_task_for_the_team_lead(agent, org, incident, lead, client):
    resolve(agent, incident)
    send_due(org)
    answer(client, link(incident, score=2), score="2", comment="Slow", answer="score")
    task = RecoveryTask.get(RecoveryTask.incident == incident.id)
    assert task.assignee_id == lead.id
    assert task.status == "open"


def test_a_good_score_opens_nothing(agent, org, incident, client):
    resolve(agent, incident)
    send_due(org)
    answer(client, link(incident, score=3), score="3", answer="score")
    assert RecoveryTask.select().count() == 0


def test_a_low_score_opens_a_complaint_where_the_organisation_chose_so(
    agent, org, incident, client, configure, enable_plugin
):
    from accord.plugins.complaints.models import Complaint

    enable_plugin(org, "complaints")
    configure("satisfaction", on_low_score="complaint")
    resolve(agent, incident)
    send_due(org)
    answer(client, link(incident, score=1), score="1", comment="Rude", answer="score")
    complaint = Complaint.get(Complaint.org == org)
    assert complaint.incident_id == incident.id
    assert complaint.source == "satisfaction survey"
    assert "Rude" in complaint.description
    assert RecoveryTask.select().count() == 0


def test_without_complaints_a_low_score_still_gets_a_recovery_task(
    agent, org, incident, client, configure
):
    configure("satisfaction", on_low_score="complaint")
    resolve(agent, incident)
    send_due(org)
    answer(client, link(incident, score=1), score="1", answer="score")
    assert RecoveryTask.select().count() == 1


def test_the_incident_page_shows_the_survey_and_its_answer(agent, org, incident, client):
    resolve(agent, incident)
    send_due(org)
    answer(client, link(incident, score=5), score="5", comment="Brilliant", answer="score")
    page = agent.get(f"/o/acme/incidents/{incident.id}")
    assert "Satisfaction" in page.text
    assert "5/5" in page.text
    assert "Brilliant" in page.text


def card(client, incident):
    page = client.get(f"/o/acme/incidents/{incident.id}").text
    return page.split('id="incident-satisfaction"')[1].split("</section>")[0]


def test_a_survey_whose_email_cannot_leave_says_so_and_why(agent, org, incident):
    resolve(agent, incident)
    send_due(org)  # no SMTP server is set here
    shown = card(agent, incident)
    assert "Not sent" in shown and "No SMTP server or sender is set for incidents" in shown
    assert "Sent, no answer yet" not in shown


def test_a_survey_delivered_by_the_mail_server_says_it_was_sent(agent, org, incident, configure):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    from accord.plugins.incidents import mail

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(Sink(), hostname="127.0.0.1", port=port)
    server.start()
    try:
        configure("incidents", smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        configure("incidents", smtp_from="servicedesk@acme.example.org")
        resolve(agent, incident)
        send_due(org)
        mail.deliver(org)
    finally:
        server.stop()
    shown = card(agent, incident)
    assert "Sent, no answer yet" in shown and "Not sent" not in shown


def test_a_manager_can_copy_a_surveys_link_and_the_reporter_can_use_it(
    agent, org, incident, signed_in, client
):
    resolve(agent, incident)
    send_due(org)
    shown = card(signed_in("manager"), incident)
    (url,) = re.findall(r'readonly value="([^"]+)"', shown)
    token = url.split("/survey/")[1]
    assert token == link(incident, score=5).split("/survey/")[1].split("?")[0]
    assert 'data-copy="#survey-link-' in shown
    assert client.get(f"/survey/{token}").status_code == 200


def test_an_agent_being_rated_cannot_copy_the_survey_link(agent, org, incident):
    resolve(agent, incident)
    send_due(org)
    assert "/survey/" not in card(agent, incident)


def test_the_worker_sends_due_surveys_every_minute(accord_settings, accord_host):
    from accord.jobs import make_queue

    queue = make_queue(accord_settings, accord_host)
    periodic = queue._registry._periodic_tasks
    [task] = [t for t in periodic if t.__name__ == "satisfaction.send_due_surveys"]
    assert task().validate_datetime(dt.datetime(2025, 3, 3, 9, 17))


def test_quiet_hours_postpone_a_survey_rather_than_skip_it(agent, org, incident):
    from accord.plugins.contacts.consent.rules import preference_record, time_zone

    resolve(agent, incident)
    at = utcnow() + LATER
    local = at.replace(tzinfo=dt.UTC).astimezone(time_zone(org))
    record = preference_record(incident.reporter)
    record.quiet_from = local.hour * 60
    record.quiet_until = ((local.hour + 2) % 24) * 60
    record.save()
    assert surveys.send_due(org, now=at) == 0
    survey = survey_of(incident)
    assert survey.status == "pending"
    assert "quiet hours" in survey.reason
    assert survey.send_after == at + dt.timedelta(hours=4)
    assert surveys.send_due(org, now=survey.send_after) == 1


def test_not_resolved_on_a_closed_incident_suggests_contacting_the_desk(
    agent, org, incident, client
):
    resolve(agent, incident)
    send_due(org)
    url = f"/o/acme/incidents/{incident.id}/close"
    post_form(
        agent,
        url,
        {"version": str(reload(incident).version)},
        token_from=f"/o/acme/incidents/{incident.id}",
    )
    assert reload(incident).status == "closed"
    response = answer(client, link(incident, not_resolved=1), answer="not_resolved")
    assert "it has been closed" in response.text
    assert reload(incident).status == "closed"
