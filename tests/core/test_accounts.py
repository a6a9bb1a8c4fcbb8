"""Organisations, users and memberships."""

from __future__ import annotations

from accord import members_of


def test_members_of_lists_an_organisations_active_users_by_role(org, make_org, make_user):
    make_user("zed@acme.test", org, "agent", name="Zed")
    make_user("amy@acme.test", org, "viewer", name="Amy")
    make_user("bob@globex.test", make_org("globex"), "agent", name="Bob")
    assert [u.name for u in members_of(org)] == ["Amy", "Zed"]
    assert [u.name for u in members_of(org, roles=("agent",))] == ["Zed"]
