"""Admins name their organisation and set the time zone its dates and reports are in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from accord.accounts import AccountError, create_org
from accord.models import AuditEntry, Organisation
from accord.testing import post_form

URL = "/o/acme/settings/organisation"


def test_an_organisation_starts_in_utc(org):
    assert org.time_zone == "UTC" and org.zone == ZoneInfo("UTC")


def test_admins_set_the_time_zone_and_it_is_audited(signed_in, org):
    client = signed_in("admin")
    response = post_form(client, URL, {"name": "Acme Ltd", "time_zone": "Europe/Dublin"})
    assert response.status_code == 303
    saved = Organisation.get_by_id(org.id)
    assert (saved.name, saved.zone) == ("Acme Ltd", ZoneInfo("Europe/Dublin"))
    entry = AuditEntry.get(AuditEntry.table == "accord_organisation", AuditEntry.action == "update")
    assert entry.changes["time_zone"] == ["UTC", "Europe/Dublin"]


def test_an_unknown_time_zone_is_refused_with_the_input_kept(signed_in, org):
    response = post_form(signed_in("admin"), URL, {"name": "Acme Ltd", "time_zone": "Mars/Base"})
    assert response.status_code == 422
    assert 'value="Acme Ltd"' in response.text
    assert Organisation.get_by_id(org.id).time_zone == "UTC"


def test_only_admins_change_the_organisation(signed_in, org):
    assert signed_in("manager").get(URL).status_code == 403


def test_the_command_line_refuses_an_unknown_time_zone(accord_db):
    with pytest.raises(AccountError, match="not a time zone"):
        create_org("beta", "Beta", "Nowhere/Special")


def test_pages_show_times_in_the_organisations_time_zone(signed_in, org, enable_plugin):
    import datetime

    from accord.plugins.contacts.testing import log_interaction, make_person

    enable_plugin(org, "contacts")
    org.time_zone = "Europe/London"
    org.save()
    ana = make_person(org)
    log_interaction(ana, occurred_at=datetime.datetime(2026, 7, 1, 8, 30))  # UTC
    page = signed_in("viewer").get(f"/o/acme/contacts/people/{ana.id}").text
    assert "2026-07-01 09:30 BST" in page
