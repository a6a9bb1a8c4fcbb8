"""Another organisation's surveys and recovery tasks do not exist for Acme's members."""

from __future__ import annotations

import secrets

import pytest

from accord import utcnow
from accord.plugins.incidents.testing import make_incident
from accord.plugins.satisfaction.models import RecoveryTask, Survey
from accord.testing import post_form

BASE = "/o/acme/satisfaction"


@pytest.fixture
def theirs(make_org, enable_plugin):
    globex = make_org("globex")
    enable_plugin(globex, "satisfaction")
    incident = make_incident(globex, "Globex secret outage")
    now = utcnow()
    survey = Survey.create(
        org=globex,
        incident=incident.id,
        nonce=secrets.token_hex(16),
        send_after=now,
        status="answered",
        score=1,
        comment="Globex secret comment",
        answered_at=now,
        month=f"{now:%Y-%m}",
    )
    return RecoveryTask.create(org=globex, survey=survey.id, incident=incident.id)


@pytest.fixture
def acme_admin(signed_in, org, enable_plugin):
    enable_plugin(org, "satisfaction")
    return signed_in("admin")


def test_another_organisations_recovery_task_is_404(acme_admin, theirs):
    assert acme_admin.get(f"{BASE}/recovery/{theirs.id}").status_code == 404


def test_completing_another_organisations_recovery_task_is_404(acme_admin, theirs):
    response = post_form(
        acme_admin,
        f"{BASE}/recovery/{theirs.id}/done",
        {"version": "1", "note": "x"},
        token_from=f"{BASE}/results",
    )
    assert response.status_code == 404
    assert RecoveryTask.get_by_id(theirs.id).status == "open"


def test_lists_and_results_never_show_another_organisations_answers(acme_admin, theirs):
    assert "Globex secret" not in acme_admin.get(f"{BASE}/recovery/").text
    assert "Globex secret" not in acme_admin.get(f"{BASE}/recovery/?format=csv").text
    assert '0<span class="stat-label">answers</span>' in acme_admin.get(f"{BASE}/results").text


def test_a_survey_link_of_an_organisation_that_switched_satisfaction_off_does_not_work(
    org, enable_plugin, accord_host, client
):
    from accord import enablement
    from accord.audit import Actor, acting_as
    from accord.plugins.satisfaction import links

    enable_plugin(org, "satisfaction")
    incident = make_incident(org)
    survey = Survey.create(
        org=org, incident=incident.id, nonce="n" * 32, send_after=utcnow(), status="sent"
    )
    path = f"/survey/{links.token_for(survey)}"
    assert client.get(path).status_code == 200
    with acting_as(Actor(None, "test")):
        enablement.disable(accord_host, org, "satisfaction")
    assert client.get(path).status_code == 404
