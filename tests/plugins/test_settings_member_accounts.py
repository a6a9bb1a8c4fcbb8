"""Admins deactivate and reactivate members, send them reset links and reset their two-factor."""

from __future__ import annotations

import re

import pyotp
import pytest
from starlette.testclient import TestClient

from accord import two_factor
from accord.models import AuditEntry, Membership, Session, User
from accord.testing import TEST_PASSWORD, post_form, sign_in

MEMBERS = "/o/acme/settings/members"
SECRET_KEY = "test-secret-key"


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


@pytest.fixture
def bo(make_user, org):
    return make_user("bo@acme.test", org, "agent", name="Bo Agent")


def member_url(user, org_slug="acme"):
    membership = Membership.get(
        (Membership.user == user) & (Membership.org == Membership.org.rel_model.get(slug=org_slug))
    )
    return f"/o/{org_slug}/settings/members/{membership.id}"


def act(client, user, action):
    url = member_url(user)
    return post_form(client, f"{url}/{action}", token_from=url)


def test_each_member_has_a_page_with_what_can_be_done(admin, bo):
    page = admin.get(member_url(bo)).text
    assert "Deactivate…" in page and "Send password reset link" not in page
    assert "Make password reset link" in page  # mail is off in this test


def test_deactivating_asks_first(admin, bo):
    page = admin.get(f"{member_url(bo)}/deactivate").text
    assert "will be signed out everywhere" in page


def test_a_deactivated_member_cannot_sign_in(app, admin, bo):
    act(admin, bo, "deactivate")
    assert sign_in(TestClient(app), "bo@acme.test").status_code == 422


def test_deactivating_ends_their_sessions(app, admin, bo):
    theirs = TestClient(app)
    sign_in(theirs, "bo@acme.test")
    act(admin, bo, "deactivate")
    assert Session.select().where(Session.user == bo).count() == 0
    assert theirs.get("/account", follow_redirects=False).headers["location"].startswith("/login")


def test_a_deactivated_member_stays_listed_as_deactivated(admin, bo):
    act(admin, bo, "deactivate")
    row = re.search(r'<tr id="member-\d+">\s*<td>Bo Agent.*?</tr>', admin.get(MEMBERS).text, re.S)
    assert row and "Deactivated" in row.group(0)
    assert Membership.select().where(Membership.user == bo).exists()


def test_deactivation_is_audited(admin, bo):
    act(admin, bo, "deactivate")
    assert AuditEntry.get(AuditEntry.action == "user.deactivate").summary == (
        "deactivated bo@acme.test"
    )


def test_a_reactivated_member_signs_in_again(app, admin, bo):
    act(admin, bo, "deactivate")
    act(admin, bo, "reactivate")
    assert sign_in(TestClient(app), "bo@acme.test").status_code == 303


def test_an_admin_cannot_deactivate_themself(admin):
    me = User.get(User.email == "admin0@acme.test")
    act(admin, me, "deactivate")
    assert User.get_by_id(me.id).is_active


def test_someone_who_also_belongs_elsewhere_can_only_be_removed_here(admin, bo, make_org):
    from accord.accounts import add_member

    add_member(bo, make_org("globex"), "agent")
    response = act(admin, bo, "deactivate")
    assert User.get_by_id(bo.id).is_active
    assert "not an admin of" in admin.get(response.headers["location"]).text


def test_a_member_of_another_organisation_is_not_found(signed_in, make_org, make_user):
    globex = make_org("globex")
    theirs = make_user("zed@globex.test", globex, "agent")
    client = signed_in("admin")
    membership = Membership.get(Membership.user == theirs)
    assert client.get(f"{MEMBERS}/{membership.id}").status_code == 404
    assert post_form(client, f"{MEMBERS}/{membership.id}/deactivate").status_code == 404
    assert User.get_by_id(theirs.id).is_active


def test_only_admins_deactivate(signed_in, bo):
    manager = signed_in("manager")
    assert manager.get(f"{member_url(bo)}/deactivate").status_code == 403


def test_an_admin_sends_a_reset_link_by_email(app, admin, bo, mail_inbox):
    response = act(admin, bo, "reset-password")
    assert response.status_code == 303
    [message] = mail_inbox.to("bo@acme.test")
    assert "an administrator, made this link for you" in message.get_content()
    assert AuditEntry.select().where(AuditEntry.action == "user.reset_link").count() == 1


def test_without_mail_the_admin_is_shown_the_reset_link(app, admin, bo):
    response = act(admin, bo, "reset-password")
    assert response.status_code == 200
    assert "nothing was sent to bo@acme.test" in response.text
    path = re.search(r"https?://[^/\s<]+(/reset/[\w-]+)", response.text).group(1)
    assert TestClient(app).get(path).status_code == 200


@pytest.fixture
def bo_with_two_factor(bo):
    key = two_factor.new_key()
    two_factor.turn_on(SECRET_KEY, bo, key, pyotp.TOTP(key).now())
    return bo


def test_an_admin_resets_a_members_two_factor(app, admin, bo_with_two_factor):
    assert (
        "will sign them in" in admin.get(f"{member_url(bo_with_two_factor)}/reset-two-factor").text
    )
    act(admin, bo_with_two_factor, "reset-two-factor")
    assert not User.get_by_id(bo_with_two_factor.id).two_factor
    entry = AuditEntry.get(AuditEntry.action == "user.2fa_off")
    assert entry.summary == "reset the two-factor sign-in of bo@acme.test"
    assert entry.org.slug == "acme"
    # The password alone signs them in now.
    response = sign_in(TestClient(app), "bo@acme.test", TEST_PASSWORD)
    assert response.headers["location"] == "/"


def test_a_reset_link_made_before_deactivation_no_longer_works(app, admin, bo):
    response = act(admin, bo, "reset-password")
    path = re.search(r"https?://[^/\s<]+(/reset/[\w-]+)", response.text).group(1)
    act(admin, bo, "deactivate")
    assert TestClient(app).get(path).status_code == 404


def test_the_demo_has_a_waiting_invitation_and_a_deactivated_member(accord_host, accord_db):
    from accord import account_links
    from accord.demo import build_demo

    org = build_demo(accord_host).org
    [waiting] = account_links.pending_invitations(org)
    assert waiting.user.name == "Nia Starter"
    deactivated = (
        User.select()
        .join(Membership)
        .where(
            (Membership.org == org) & (User.is_active == False)  # noqa: E712
        )
    )
    assert [u.name for u in deactivated] == ["Fergus Former"]
