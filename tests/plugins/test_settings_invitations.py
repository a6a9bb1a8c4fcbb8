"""Admins invite people by email; the invited choose their password through a one-time link."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from accord.models import AccountToken, AuditEntry, Membership, User
from accord.testing import csrf_from, form_tokens, post_form, sign_in

MEMBERS = "/o/acme/settings/members"
PASSWORD = "a long new password"


def invite(client, email="new@acme.test", name="New Person", role="viewer"):
    return post_form(
        client, f"{MEMBERS}/add", {"email": email, "name": name, "role": role}, token_from=MEMBERS
    )


def link_in(text: str, kind: str = "invite") -> str:
    """The path of the one-time link in an email or a page."""
    match = re.search(rf"https?://\S+/{kind}/[\w-]+", text)
    assert match, f"no /{kind}/ link in {text!r}"
    return urlsplit(match.group(0)).path


def accept(app, path, password=PASSWORD, confirm=None):
    client = TestClient(app)
    page = client.get(path)
    response = client.post(
        path,
        data={
            **form_tokens(page.text),
            "new_password": password,
            "confirm_password": confirm or password,
        },
        follow_redirects=False,
    )
    return client, response


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


@pytest.fixture
def emailed_link(admin, mail_inbox):
    assert invite(admin).status_code == 303
    [message] = mail_inbox.to("new@acme.test")
    return link_in(message.get_content())


def test_an_invitation_email_carries_a_link_to_choose_a_password(admin, mail_inbox):
    invite(admin)
    [message] = mail_inbox.to("new@acme.test")
    assert message["Subject"] == "You are invited to Acme Council ICT"
    assert "/invite/" in message.get_content()


def test_the_invited_person_is_no_member_and_cannot_sign_in_until_they_accept(app, emailed_link):
    person = User.get(User.email == "new@acme.test")
    assert Membership.get_or_none(Membership.user == person) is None
    assert sign_in(TestClient(app), "new@acme.test", "").status_code == 422


def test_accepting_makes_them_a_member_with_the_role_they_were_invited_as(app, emailed_link):
    accept(app, emailed_link)
    person = User.get(User.email == "new@acme.test")
    assert Membership.get(Membership.user == person).role == "viewer"


def test_choosing_a_password_signs_them_in_to_the_organisation(app, emailed_link):
    client, response = accept(app, emailed_link)
    assert response.status_code == 303
    assert response.headers["location"] == "/o/acme/"
    assert "Welcome to Acme Council ICT" in client.get("/o/acme/", follow_redirects=True).text


def test_they_sign_in_later_with_the_password_they_chose(app, emailed_link):
    accept(app, emailed_link)
    assert sign_in(TestClient(app), "new@acme.test", PASSWORD).status_code == 303


def test_an_invitation_link_works_once(app, emailed_link):
    accept(app, emailed_link)
    response = TestClient(app).get(emailed_link)
    assert response.status_code == 404
    assert "already been used" in response.text


def test_an_invitation_expires_after_72_hours(app, emailed_link):
    link = AccountToken.get()
    assert link.expires_at - link.created_at == timedelta(hours=72)
    AccountToken.update(expires_at=link.created_at).execute()
    assert "has expired" in TestClient(app).get(emailed_link).text


def test_a_short_password_is_refused_with_the_rule(app, emailed_link):
    _, response = accept(app, emailed_link, password="short")
    assert response.status_code == 422
    assert "at least 10 characters" in response.text


def test_differing_passwords_are_refused(app, emailed_link):
    _, response = accept(app, emailed_link, confirm="another long password")
    assert response.status_code == 422
    assert "The two passwords differ." in response.text


def test_a_made_up_link_is_not_found(client):
    response = client.get("/invite/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in response.text


def test_only_the_token_s_hash_is_kept_and_it_is_never_audited(emailed_link):
    token = emailed_link.rsplit("/", 1)[1]
    assert AccountToken.select().where(AccountToken.token_hash == token).count() == 0
    for entry in AuditEntry.select():
        assert token not in entry.summary and token not in str(entry.changes)


def test_an_invitation_is_audited(emailed_link):
    assert AuditEntry.get(AuditEntry.action == "member.invite").summary == (
        "invited new@acme.test as viewer"
    )


def test_accepting_is_audited(app, emailed_link):
    accept(app, emailed_link)
    assert AuditEntry.select().where(AuditEntry.action == "member.joined").count() == 1


def test_without_mail_the_admin_gets_the_link_to_hand_over(app, admin):
    response = invite(admin)
    assert response.status_code == 200
    assert "Email is not set up on this server, so nothing was sent" in response.text
    assert "Invitation sent" not in response.text
    _, accepted = accept(app, link_in(response.text))
    assert accepted.status_code == 303


def test_the_members_page_says_when_email_is_off(admin):
    assert "Email is not set up on this server" in admin.get(MEMBERS).text


def test_waiting_invitations_are_listed_with_send_again_and_withdraw(admin, emailed_link):
    page = admin.get(MEMBERS).text
    section = page[page.index("Invitations not yet accepted") :]
    assert "new@acme.test" in section and "Send again" in section and "Withdraw" in section


def invitation_id():
    return AccountToken.get(AccountToken.purpose == "invite", AccountToken.used_at.is_null()).id


def test_sending_again_replaces_the_link(app, admin, emailed_link, mail_inbox):
    post_form(admin, f"/o/acme/settings/invitations/{invitation_id()}/resend", token_from=MEMBERS)
    newer = link_in(mail_inbox.to("new@acme.test")[-1].get_content())
    assert TestClient(app).get(emailed_link).status_code == 404
    assert TestClient(app).get(newer).status_code == 200


def test_withdrawing_an_invitation_ends_the_link(app, admin, emailed_link):
    post_form(admin, f"/o/acme/settings/invitations/{invitation_id()}/withdraw", token_from=MEMBERS)
    response = TestClient(app).get(emailed_link)
    assert response.status_code == 404
    assert "withdrawn" in response.text
    assert AuditEntry.select().where(AuditEntry.action == "member.invite_revoked").count() == 1


def test_another_organisation_cannot_resend_or_withdraw_an_invitation(
    signed_in, make_org, admin, emailed_link
):
    globex = make_org("globex")
    their_admin = signed_in("admin", organisation=globex)
    for action in ("resend", "withdraw"):
        response = post_form(
            their_admin,
            f"/o/globex/settings/invitations/{invitation_id()}/{action}",
            token_from="/o/globex/settings/members",
        )
        assert response.status_code == 404


# An admin must not learn whether an address has an account, nor put their organisation
# into someone's switcher (issue 11, point 1).


@pytest.fixture
def bo(make_org, make_user):
    return make_user("bo@globex.test", make_org("globex"), "agent", name="Bo Globex")


def test_inviting_an_existing_account_answers_as_for_a_new_address(admin, bo, mail_inbox):
    for email in ("bo@globex.test", "nobody@nowhere.test"):
        response = invite(admin, email=email, name="Someone", role="agent")
        assert response.status_code == 303
        page = admin.get(MEMBERS).text
        assert f"Invitation sent to {email}. The link works for 72 hours." in page
    assert "Bo Globex" not in page  # the account's own name is never shown
    assert (
        AuditEntry.get(AuditEntry.summary == "invited bo@globex.test as agent").table
        == AuditEntry.get(AuditEntry.summary == "invited nobody@nowhere.test as agent").table
    )


def test_an_existing_account_is_no_member_until_it_accepts(admin, bo):
    invite(admin, email="bo@globex.test", role="agent")
    assert Membership.select().where(Membership.user == bo).count() == 1  # globex only


def test_an_existing_account_accepts_signed_in_as_itself(app, admin, bo, mail_inbox):
    invite(admin, email="bo@globex.test", role="agent")
    path = link_in(mail_inbox.to("bo@globex.test")[0].get_content())
    client = TestClient(app)
    assert "Sign in to accept" in client.get(path).text
    sign_in(client, "bo@globex.test")
    page = client.get(path)
    response = client.post(path, data=form_tokens(page.text), follow_redirects=False)
    assert response.headers["location"] == "/o/acme/"
    assert Membership.get(Membership.user == bo, Membership.org == 1).role == "agent"


def test_someone_else_signed_in_cannot_accept_an_existing_account_s_invitation(
    app, admin, bo, mail_inbox, make_user, org
):
    invite(admin, email="bo@globex.test", role="agent")
    path = link_in(mail_inbox.to("bo@globex.test")[0].get_content())
    make_user("eve@acme.test", org, "viewer")
    client = TestClient(app)
    sign_in(client, "eve@acme.test")
    page = client.get(path)
    assert "You are signed in as eve@acme.test" in page.text
    assert "Accept and join" not in page.text
    token = csrf_from(client.get("/o/acme/dashboard/").text)
    response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403
    assert Membership.select().where(Membership.user == bo).count() == 1


def test_an_invitation_to_a_deactivated_account_does_not_work(app, emailed_link):
    User.update(is_active=False).where(User.email == "new@acme.test").execute()
    response = TestClient(app).get(emailed_link)
    assert response.status_code == 404
    assert "deactivated" in response.text
