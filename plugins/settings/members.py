"""The organisation's members: invite people, change their role, remove them."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from accord import (
    DemoContext,
    account_links,
    flash,
    form_data,
    local_time,
    mail,
    redirect,
    render,
    send_system_email,
    sessions,
    two_factor,
    utcnow,
)
from accord.account_links import INVITE
from accord.accounts import add_member, create_invited_user, create_user
from accord.audit import record
from accord.inputs import integer
from accord.models import ROLES, AccountToken, Membership, User

ROLE_HELP = {
    "admin": "everything, including members and plugins",
    "manager": "all work, reports and the audit log",
    "agent": "day-to-day work on records",
    "viewer": "read only",
}


def _members(org) -> list[Membership]:
    return list(
        Membership.select(Membership, User)
        .join(User)
        .where(Membership.org == org)
        .order_by(User.name)
    )


def _page(request: Request, *, values=None, errors=None, status_code=200) -> Response:
    ctx = request.state.ctx
    return render(
        request,
        "settings/members.html",
        {
            "members": _members(ctx.org),
            "invitations": account_links.pending_invitations(ctx.org),
            "now": utcnow(),
            "mail_on": mail.configured(request.app.state.accord.settings),
            "roles": ROLES,
            "role_help": ROLE_HELP,
            "values": values or {"role": "agent"},
            "errors": errors or {},
            "title": "Members",
        },
        status_code=status_code,
    )


def member_list(request: Request) -> Response:
    return _page(request)


def _handover(request: Request, person: Any, what: str, link: str, until: str) -> Response:
    """Mail is off: show the admin the one-time link to give the person themselves."""
    return render(
        request,
        "settings/handover.html",
        {"title": what, "person": person, "what": what, "link": link, "until": until},
    )


def _invite_email(request: Request, link: AccountToken, token: str) -> bool:
    ctx = request.state.ctx
    settings = request.app.state.accord.settings
    user, role = link.user, str(link.role)
    until = local_time(ctx.org, link.expires_at)
    step = (
        "Sign in with your Accord account and accept it here:"
        if user.has_password
        else "Choose your password here to sign in:"
    )
    body = (
        f"Hello {link.invited_name or user.email},\n\n{ctx.user.name} has invited you to "
        f"{ctx.org.name} on Accord, as {role} ({ROLE_HELP[role]}).\n\n{step}\n"
        f"{account_links.url(settings, INVITE, token)}\n\n"
        f"The link works once, until {until}. If you did not expect this invitation, "
        "you can ignore this email.\n"
    )
    return send_system_email(request, user.email, f"You are invited to {ctx.org.name}", body)


def _send_invitation(
    request: Request, user: User, role: str, name: str, *, action: str, summary: str
) -> Response:
    """Make and send a link. Whether the address has an account changes nothing here:
    the answer, the audit entry and the list read the same (issue: account enumeration)."""
    ctx = request.state.ctx
    token = account_links.issue(INVITE, user, org=ctx.org, by=ctx.user, role=role, name=name)
    link = account_links.find(INVITE, token)
    record(ctx.org, action, summary, table="accord_account_token", record_id=link.id)
    if _invite_email(request, link, token):
        flash(request, f"Invitation sent to {user.email}. The link works for 72 hours.")
        return redirect(request, ctx.url("settings:members"))
    settings = request.app.state.accord.settings
    until = local_time(ctx.org, link.expires_at)
    person = {"name": name or user.email, "email": user.email}
    return _handover(
        request, person, "Invitation", account_links.url(settings, INVITE, token), until
    )


def add(request: Request) -> Response:
    """Invite someone by email. Nobody joins until they accept: a new address chooses a
    password through the link, an existing account accepts it signed in."""
    ctx = request.state.ctx
    form = form_data(request)
    values = {key: str(form.get(key, "")).strip() for key in ("email", "name", "role")}
    values["email"] = values["email"].lower()
    errors: dict[str, str] = {}
    if values["role"] not in ROLES:
        errors["role"] = "Choose a role."
    if "@" not in values["email"]:
        errors["email"] = "Enter the person's email address."
    if not values["name"]:
        errors["name"] = "Enter the person's name."
    user = User.get_or_none(User.email == values["email"])
    if user is not None and Membership.get_or_none(
        (Membership.user == user) & (Membership.org == ctx.org)
    ):
        errors["email"] = "This address is already a member here."
    if errors:
        return _page(request, values=values, errors=errors, status_code=422)
    if user is None:
        user = create_invited_user(values["email"], values["name"])
    role = values["role"]
    return _send_invitation(
        request,
        user,
        role,
        values["name"],
        action="member.invite",
        summary=f"invited {user.email} as {role}",
    )


def _invitation(request: Request) -> AccountToken:
    """A waiting invitation of this organisation, or 404."""
    link_id = integer(request.path_params["link"])
    link = (
        AccountToken.select(AccountToken, User)
        .join(User, on=(AccountToken.user == User.id))
        .where(
            (AccountToken.id == link_id)
            & (AccountToken.org == request.state.ctx.org)
            & (AccountToken.purpose == INVITE)
            & (AccountToken.used_at.is_null())
        )
        .first()
    )
    if link is None:
        raise HTTPException(404)
    return link


def resend(request: Request) -> Response:
    """A new invitation link (the old one stops working), sent again."""
    link = _invitation(request)
    return _send_invitation(
        request,
        link.user,
        str(link.role),
        link.invited_name,
        action="member.invite_resent",
        summary=f"sent a new invitation to {link.user.email}",
    )


def revoke(request: Request) -> Response:
    """Withdraw an invitation: the link stops working."""
    ctx = request.state.ctx
    link = _invitation(request)
    link.used_at = utcnow()
    link.save(only=[AccountToken.used_at])
    record(
        ctx.org,
        "member.invite_revoked",
        f"withdrew the invitation of {link.user.email}",
        table="accord_account_token",
        record_id=link.id,
    )
    flash(request, f"The invitation of {link.user.email} is withdrawn.")
    return redirect(request, ctx.url("settings:members"))


def _membership(request: Request) -> Membership:
    ctx = request.state.ctx
    membership = Membership.get_or_none(
        (Membership.id == request.path_params["member"]) & (Membership.org == ctx.org)
    )
    if membership is None:
        raise HTTPException(404)
    return membership


def _last_admin(membership: Membership) -> bool:
    """Whether ``membership`` is the organisation's only admin who can still sign in."""
    admins = (
        Membership.select()
        .join(User)
        .where(
            (Membership.org == membership.org)
            & (Membership.role == "admin")
            & (User.is_active == True)  # noqa: E712 - peewee builds SQL from ==
        )
    )
    return membership.role == "admin" and membership.user.is_active and admins.count() == 1


def _account_problem(request: Request, membership: Membership) -> str | None:
    """Why this admin may not act on the person's whole account (sign-in, password, 2FA).

    An account can belong to several organisations; an admin of one must not lock
    out, or take over, someone who also answers to an organisation they do not run.
    """
    ctx = request.state.ctx
    if membership.user_id == ctx.user.id:
        return "This is your own account: use your Account page."
    theirs = Membership.select(Membership.org).where(Membership.user == membership.user)
    mine = Membership.select(Membership.org).where(
        (Membership.user == ctx.user) & (Membership.role == "admin")
    )
    elsewhere = Membership.select().where(
        (Membership.user == membership.user)
        & Membership.org.in_(theirs)
        & Membership.org.not_in(mine)
    )
    if elsewhere.exists():
        return (
            f"{membership.user.name} also belongs to an organisation you are not an admin of, "
            "so only you together can change their account: ask an admin there, or remove "
            f"them from {ctx.org.name}."
        )
    return None


def detail(request: Request) -> Response:
    """One member: their account's state and what an admin can do about it."""
    membership = _membership(request)
    return render(
        request,
        "settings/member.html",
        {
            "membership": membership,
            "person": membership.user,
            "problem": _account_problem(request, membership),
            "last_admin": _last_admin(membership),
            "mail_on": mail.configured(request.app.state.accord.settings),
            "title": membership.user.name,
        },
    )


def _refused(request: Request, membership: Membership, message: str) -> Response:
    flash(request, message, "error")
    return redirect(request, request.state.ctx.url("settings:member", member=membership.id))


def deactivate(request: Request) -> Response:
    """Stop the person signing in anywhere; their records, assignments and history stay."""
    ctx = request.state.ctx
    membership = _membership(request)
    person = membership.user
    problem = _account_problem(request, membership)
    if not problem and _last_admin(membership):
        problem = "The organisation needs an admin who can sign in: make someone else admin first."
    if request.method == "GET":
        return render(
            request,
            "settings/deactivate_member.html",
            {"membership": membership, "problem": problem, "title": "Deactivate member"},
        )
    if problem:
        return _refused(request, membership, problem)
    person.is_active = False
    person.save(only=[User.is_active])
    ended = sessions.end_all(person)
    account_links.withdraw(account_links.RESET, person)
    record(
        ctx.org,
        "user.deactivate",
        f"deactivated {person.email}",
        table="accord_user",
        record_id=person.id,
    )
    signed_out = f" {ended} signed-in session(s) ended." if ended else ""
    flash(request, f"{person.name} is deactivated and cannot sign in.{signed_out}")
    return redirect(request, ctx.url("settings:member", member=membership.id))


def reactivate(request: Request) -> Response:
    ctx = request.state.ctx
    membership = _membership(request)
    problem = _account_problem(request, membership)
    if problem:
        return _refused(request, membership, problem)
    person = membership.user
    person.is_active = True
    person.save(only=[User.is_active])
    record(
        ctx.org,
        "user.reactivate",
        f"reactivated {person.email}",
        table="accord_user",
        record_id=person.id,
    )
    flash(request, f"{person.name} can sign in again.")
    return redirect(request, ctx.url("settings:member", member=membership.id))


def reset_password(request: Request) -> Response:
    """Send the person a link to choose a new password (or, without mail, show it here)."""
    ctx = request.state.ctx
    membership = _membership(request)
    person = membership.user
    problem = _account_problem(request, membership)
    if not problem and not person.is_active:
        problem = f"{person.name} is deactivated: reactivate them first."
    if problem:
        return _refused(request, membership, problem)
    token = account_links.issue(account_links.RESET, person, by=ctx.user)
    record(
        ctx.org,
        "user.reset_link",
        f"made a password reset link for {person.email}",
        table="accord_user",
        record_id=person.id,
    )
    if account_links.email_reset_link(request, person, token, by=ctx.user):
        flash(request, f"A link to choose a new password is on its way to {person.email}.")
        return redirect(request, ctx.url("settings:member", member=membership.id))
    until = local_time(ctx.org, utcnow() + account_links.LIFETIMES[account_links.RESET])
    link = account_links.url(request.app.state.accord.settings, account_links.RESET, token)
    return _handover(request, person, "Password reset link", link, until)


def reset_two_factor(request: Request) -> Response:
    """Turn off a member's two-factor sign-in (they lost their phone and recovery codes)."""
    ctx = request.state.ctx
    membership = _membership(request)
    person = membership.user
    problem = _account_problem(request, membership)
    if request.method == "GET":
        return render(
            request,
            "settings/reset_two_factor.html",
            {"membership": membership, "problem": problem, "title": "Reset two-factor sign-in"},
        )
    if problem:
        return _refused(request, membership, problem)
    if person.two_factor:
        two_factor.turn_off(
            person, org=ctx.org, summary=f"reset the two-factor sign-in of {person.email}"
        )
        sessions.end_all(person)
    flash(
        request,
        f"{person.name} now signs in with their password alone, and can turn "
        "two-factor sign-in on again on their Account page.",
    )
    return redirect(request, ctx.url("settings:member", member=membership.id))


def change_role(request: Request) -> Response:
    ctx = request.state.ctx
    membership = _membership(request)
    role = str(form_data(request).get("role", ""))
    if role not in ROLES:
        raise HTTPException(422, "Choose one of the roles offered.")
    if role != "admin" and _last_admin(membership):
        flash(
            request,
            "The organisation needs at least one admin: make someone else admin first.",
            "error",
        )
    else:
        add_member(membership.user, ctx.org, role)
        flash(request, f"{membership.user.name} is now {role}.")
    return redirect(request, ctx.url("settings:members"))


def remove(request: Request) -> Response:
    ctx = request.state.ctx
    membership = _membership(request)
    if request.method == "GET":
        return render(
            request,
            "settings/remove_member.html",
            {"membership": membership, "title": "Remove member"},
        )
    if _last_admin(membership):
        flash(request, "The last admin cannot be removed.", "error")
        return redirect(request, ctx.url("settings:members"))
    if membership.user_id == ctx.user.id:
        flash(request, "You cannot remove yourself: ask another admin.", "error")
        return redirect(request, ctx.url("settings:members"))
    record(
        ctx.org,
        "member.remove",
        f"removed {membership.user.email}",
        table="accord_membership",
        record_id=membership.id,
    )
    membership.delete_instance()
    flash(request, f"{membership.user.name} no longer has access to {ctx.org.name}.")
    return redirect(request, ctx.url("settings:members"))


def load_demo(demo: DemoContext) -> None:
    """A waiting invitation and a deactivated former colleague, so the members page shows both."""
    org = demo.org
    domain = f"{org.slug}.example.com"
    invited = User.get_or_none(User.email == f"new.starter@{domain}") or create_invited_user(
        f"new.starter@{domain}", "Nia Starter"
    )
    account_links.issue(
        INVITE, invited, org=org, by=demo.users.get("admin"), role="agent", name="Nia Starter"
    )
    leaver = User.get_or_none(User.email == f"former.agent@{domain}") or create_user(
        f"former.agent@{domain}", "Fergus Former", secrets.token_urlsafe(24)
    )
    add_member(leaver, org, "agent")
    leaver.is_active = False
    leaver.save(only=[User.is_active])
