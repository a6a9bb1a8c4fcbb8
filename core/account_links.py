"""One-time links sent to people: invitations to set a first password, and password resets.

A link carries a random 256-bit token (``/invite/<token>``, ``/reset/<token>``);
the database keeps only its SHA-256, so neither a copy of the database nor the
audit log can be turned back into a link. A link works once, until it expires
(an invitation after 72 hours, a reset after one hour). A reset link also dies
when the password changes by any other way, and a new link of the same kind
replaces the older ones.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from .accounts import add_member
from .audit import record
from .clock import local_time, utcnow
from .mail import send_system_email
from .models import AccountToken, Membership, Organisation, User
from .security import hash_password, new_token, password_problem, token_hash
from .settings import Settings

INVITE = "invite"
RESET = "reset"
LIFETIMES = {INVITE: timedelta(hours=72), RESET: timedelta(hours=1)}
PATHS = {INVITE: "/invite/", RESET: "/reset/"}


class LinkError(Exception):
    """The link cannot be used; the message says why, in words for the person holding it."""


def issue(
    purpose: str,
    user: User,
    *,
    org: Organisation | None = None,
    by: User | None = None,
    role: str | None = None,
    name: str = "",
) -> str:
    """A new link token for ``user``; earlier unused links of the same purpose stop working.

    An invitation carries the ``role`` it gives in ``org`` and the ``name`` the
    inviting admin typed.
    """
    now = utcnow()
    outdated = AccountToken.update(used_at=now).where(
        (AccountToken.user == user)
        & (AccountToken.purpose == purpose)
        & (AccountToken.used_at.is_null())
    )
    if org is not None:
        outdated = outdated.where(AccountToken.org == org)
    outdated.execute()
    token = new_token()
    AccountToken.create(
        token_hash=token_hash(token),
        purpose=purpose,
        user=user,
        org=org,
        created_by=by,
        created_at=now,
        expires_at=now + LIFETIMES[purpose],
        role=role,
        invited_name=name[:200],
    )
    return token


def url(settings: Settings, purpose: str, token: str) -> str:
    """The link as the person opens it, on the instance's public address."""
    return f"{settings.public_url}{PATHS[purpose]}{token}"


def find(purpose: str, token: str) -> AccountToken:
    """The live link for ``token``, or ``LinkError`` saying why it no longer works."""
    link = (
        AccountToken.select(AccountToken, User)
        .join(User, on=(AccountToken.user == User.id))
        .where((AccountToken.token_hash == token_hash(token)) & (AccountToken.purpose == purpose))
        .first()
    )
    what = "invitation" if purpose == INVITE else "password reset link"
    if link is None:
        raise LinkError(f"This {what} is not valid. Check that you copied the whole link.")
    if link.used_at is not None:
        withdrawn = " or was withdrawn" if purpose == INVITE else ""
        raise LinkError(
            f"This {what} has already been used, was replaced by a newer one{withdrawn}."
        )
    if link.expires_at <= utcnow():
        raise LinkError(f"This {what} has expired.")
    if not link.user.is_active:
        raise LinkError("This account is deactivated. Ask an administrator.")
    if purpose == RESET and link.user.password_changed_at > link.created_at:
        raise LinkError(f"This {what} is no longer valid: the password was changed since.")
    if purpose == INVITE and link.org_id is None:
        raise LinkError(f"This {what} is not valid. Check that you copied the whole link.")
    return link


def accept(link: AccountToken, user: User) -> Membership:
    """``user`` takes up the invitation ``link``: the membership starts, the link is spent."""
    membership = add_member(user, link.org, link.role or "viewer")
    link.used_at = utcnow()
    link.save(only=[AccountToken.used_at])
    record(
        link.org,
        "member.joined",
        f"{user.email} accepted the invitation as {membership.role}",
        table="accord_membership",
        record_id=membership.id,
    )
    return membership


def redeem(link: AccountToken, password: str) -> User:
    """Set the password through ``link`` and spend it, and every reset link of the user.

    Raises ``LinkError`` when the password is not acceptable.
    """
    problem = password_problem(password)
    if problem:
        raise LinkError(problem)
    now = utcnow()
    user = link.user
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.save(only=[User.password_hash, User.password_changed_at])
    # Every reset link dies with the new password; invitations to other organisations
    # stay open, to be accepted with it.
    AccountToken.update(used_at=now).where(
        (AccountToken.user == user)
        & (AccountToken.used_at.is_null())
        & ((AccountToken.purpose == RESET) | (AccountToken.id == link.id))
    ).execute()
    if link.purpose == INVITE:
        accept(link, user)
    else:
        record(
            None,
            "user.password_reset",
            f"{user.email} set a new password from a reset link",
            table="accord_user",
            record_id=user.id,
        )
    return user


def pending_invitations(org: Organisation) -> list[AccountToken]:
    """Invitations to ``org`` not yet accepted (expired ones too: they can be sent again)."""
    return list(
        AccountToken.select(AccountToken, User)
        .join(User, on=(AccountToken.user == User.id))
        .where(
            (AccountToken.org == org)
            & (AccountToken.purpose == INVITE)
            & (AccountToken.used_at.is_null())
        )
        .order_by(AccountToken.created_at.desc())
    )


def withdraw(purpose: str, user: User, org: Organisation | None = None) -> int:
    """Make ``user``'s open links of ``purpose`` (to ``org``) unusable; how many there were."""
    query = AccountToken.update(used_at=utcnow()).where(
        (AccountToken.user == user)
        & (AccountToken.purpose == purpose)
        & (AccountToken.used_at.is_null())
    )
    if org is not None:
        query = query.where(AccountToken.org == org)
    return query.execute()


def email_reset_link(request: Request, user: User, token: str, *, by: User | None = None) -> bool:
    """Email ``user`` their reset link; False (nothing sent) when mail is not configured."""
    settings = request.app.state.accord.settings
    until = local_time(None, utcnow() + LIFETIMES[RESET])
    asked = (
        f"{by.name}, an administrator, made this link for you."
        if by is not None
        else "Someone, probably you, asked to reset the password of this account."
    )
    body = (
        f"Hello {user.name},\n\n{asked}\n\nChoose a new password here:\n"
        f"{url(settings, RESET, token)}\n\n"
        f"The link works once, until {until}. If you did not ask for it, ignore this email: "
        "your password stays as it is.\n"
    )
    return send_system_email(request, user.email, "Reset your Accord password", body)
