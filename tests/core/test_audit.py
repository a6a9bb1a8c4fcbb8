"""Every plugin's records are audited: who, what, when, before and after."""

from __future__ import annotations

import pytest
from peewee import CharField

from accord import TenantModel
from accord.audit import Actor, acting_as, secret
from accord.db import database
from accord.models import AuditEntry


class Asset(TenantModel):
    tag = CharField()
    location = CharField(default="")

    class Meta:
        table_name = "assets_asset"


@pytest.fixture
def assets(accord_db):
    database.create_tables([Asset])


def entries(action):
    return list(AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id))


def test_creating_a_record_is_audited_with_its_values(assets, org, make_user):
    ana = make_user("ana@acme.test", org)
    with acting_as(Actor(ana, ana.email)):
        asset = Asset.create(org=org, tag="LAP-001", location="HQ")
    [entry] = entries("create")[-1:]
    assert (entry.actor_id, entry.actor_label, entry.table) == (
        ana.id,
        "ana@acme.test",
        "assets_asset",
    )
    assert entry.record_id == str(asset.id)
    assert entry.changes["tag"] == [None, "LAP-001"]


def test_a_change_records_only_what_changed_before_and_after(assets, org):
    asset = Asset.create(org=org, tag="LAP-001", location="HQ")
    asset.location = "Branch office"
    asset.save()
    [entry] = entries("update")
    assert entry.changes == {"location": ["HQ", "Branch office"]}


def test_saving_without_changes_writes_no_entry(assets, org):
    asset = Asset.create(org=org, tag="LAP-001")
    asset.save()
    assert entries("update") == []


def test_deleting_keeps_the_last_values(assets, org):
    asset = Asset.create(org=org, tag="LAP-001", location="HQ")
    asset.delete_instance()
    [entry] = entries("delete")
    assert entry.changes["location"] == ["HQ", None]


def test_entries_name_the_plugin_that_owns_the_model(monkeypatch):
    from accord.audit import PLUGIN_PACKAGES, plugin_of

    monkeypatch.setitem(PLUGIN_PACKAGES, "accord_announcements", "announcements")

    class Fake:
        __module__ = "accord.plugins.contacts.models"

    class ThirdParty:
        __module__ = "accord_announcements.models"

    assert plugin_of(Fake) == "contacts"
    assert plugin_of(ThirdParty) == "announcements"


def test_the_audit_log_page_shows_entries_of_the_organisation_only(
    assets, org, make_org, signed_in
):
    other = make_org("other")
    Asset.create(org=org, tag="MINE-1")
    Asset.create(org=other, tag="THEIRS-1")
    page = signed_in("admin").get(f"/o/{org.slug}/settings/audit").text
    assert "MINE-1" in page
    assert "THEIRS-1" not in page


class Token(TenantModel):
    label = CharField()
    value = secret(CharField())

    class Meta:
        table_name = "assets_token"


def test_a_secret_field_never_reaches_the_audit_log(accord_db, org):
    database.create_tables([Token])
    token = Token.create(org=org, label="reset link", value="s3cr3t-value")
    token.value = "an0ther-value"
    token.save()
    token.delete_instance()

    logged = [
        entry.changes for entry in AuditEntry.select().where(AuditEntry.table == "assets_token")
    ]

    assert len(logged) == 2  # the create and the delete; changing only the secret is no change
    assert all("value" not in changes for changes in logged)
    assert "s3cr3t" not in str(logged) and "an0ther" not in str(logged)
