"""Admins manage who belongs to their organisation and in which role."""

from __future__ import annotations

from accord.models import Membership, User
from accord.testing import TEST_PASSWORD, post_form, sign_in


def members_url(org):
    return f"/o/{org.slug}/settings/members"


def test_admin_sees_the_members_with_their_roles(signed_in, org, make_user):
    make_user("bo@acme.test", org, "agent", name="Bo Agent")
    page = signed_in("admin").get(members_url(org)).text
    assert "Bo Agent" in page and "bo@acme.test" in page


def test_only_admins_manage_members(signed_in, org):
    assert signed_in("manager").get(members_url(org)).status_code == 403


def test_inviting_an_existing_user_keeps_their_password(app, signed_in, org, make_org, make_user):
    make_user("bo@globex.test", make_org("globex"), "agent")
    client = signed_in("admin")
    post_form(
        client,
        f"{members_url(org)}/add",
        {"email": "bo@globex.test", "name": "Bo", "role": "agent"},
        token_from=members_url(org),
    )
    from starlette.testclient import TestClient

    assert sign_in(TestClient(app), "bo@globex.test", TEST_PASSWORD).status_code == 303


def test_an_invitation_without_a_name_re_renders_with_input_and_a_422(signed_in, org):
    client = signed_in("admin")
    response = post_form(
        client,
        f"{members_url(org)}/add",
        {"email": "new@acme.test", "name": "", "role": "agent"},
        token_from=members_url(org),
    )
    assert response.status_code == 422
    assert 'value="new@acme.test"' in response.text
    assert "Enter the person&#39;s name" in response.text


def test_changing_a_role_takes_effect_on_the_next_request(app, signed_in, org, make_user):
    make_user("bo@acme.test", org, "viewer")
    from starlette.testclient import TestClient

    bo = TestClient(app)
    sign_in(bo, "bo@acme.test")
    assert bo.get(f"/o/{org.slug}/settings/audit").status_code == 403
    membership = Membership.get(Membership.user == User.get(User.email == "bo@acme.test"))
    post_form(
        signed_in("admin"),
        f"{members_url(org)}/{membership.id}/role",
        {"role": "manager"},
        token_from=members_url(org),
    )
    assert bo.get(f"/o/{org.slug}/settings/audit").status_code == 200


def test_the_last_admin_cannot_be_demoted(signed_in, org):
    client = signed_in("admin")
    mine = Membership.get(Membership.role == "admin")
    post_form(
        client,
        f"{members_url(org)}/{mine.id}/role",
        {"role": "viewer"},
        token_from=members_url(org),
    )
    assert Membership.get_by_id(mine.id).role == "admin"
    assert "needs at least one admin" in client.get(members_url(org)).text


def test_removing_a_member_asks_first_then_removes_access(app, signed_in, org, make_user):
    make_user("bo@acme.test", org, "agent")
    membership = Membership.get(Membership.user == User.get(User.email == "bo@acme.test"))
    client = signed_in("admin")
    url = f"{members_url(org)}/{membership.id}/remove"
    assert "will no longer be able to open" in client.get(url).text
    post_form(client, url, token_from=url)
    assert Membership.get_or_none(Membership.id == membership.id) is None


def test_an_admin_cannot_remove_themself(signed_in, org, make_user):
    client = signed_in("admin")
    make_user("second@acme.test", org, "admin")  # not the last admin
    mine = Membership.get(Membership.user == User.get(User.email == "admin0@acme.test"))
    url = f"{members_url(org)}/{mine.id}/remove"
    post_form(client, url, token_from=url)
    assert Membership.get_or_none(Membership.id == mine.id) is not None


def test_a_member_of_another_organisation_cannot_be_touched(signed_in, org, make_org, make_user):
    other = make_org("globex")
    make_user("bo@globex.test", other, "agent")
    theirs = Membership.get(Membership.org == other)
    client = signed_in("admin")
    url = f"{members_url(org)}/{theirs.id}/remove"
    assert client.get(url).status_code == 404
