"""Creating organisations, users and memberships (shared by the CLI, demo and tests)."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

from .audit import record
from .models import ROLES, Membership, Organisation, User
from .security import hash_password, password_problem

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class AccountError(Exception):
    """The request is refused; the message says why."""


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows (reading them takes ~25 ms)."""
    return frozenset(available_timezones())


def time_zone_problem(name: str) -> str | None:
    """Why ``name`` is not a time zone this machine knows, or None."""
    if name not in time_zones():
        return f"{name!r} is not a time zone name like Europe/London or America/New_York"
    return None


def create_org(slug: str, name: str, time_zone: str = "UTC") -> Organisation:
    if not SLUG.match(slug):
        raise AccountError(f"slug {slug!r} must be lowercase letters, digits and dashes")
    if Organisation.get_or_none(Organisation.slug == slug):
        raise AccountError(f"organisation {slug} already exists")
    if problem := time_zone_problem(time_zone):
        raise AccountError(problem)
    org = Organisation.create(slug=slug, name=name.strip() or slug, time_zone=time_zone)
    record(
        org,
        "create",
        f"created organisation {org.name}",
        table="accord_organisation",
        record_id=org.id,
    )
    return org


def get_org(slug: str) -> Organisation:
    org = Organisation.get_or_none(Organisation.slug == slug)
    if org is None:
        raise AccountError(f"there is no organisation {slug!r}")
    return org


def create_user(email: str, name: str, password: str) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address")
    if User.get_or_none(User.email == email):
        raise AccountError(f"user {email} already exists")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    return User.create(
        email=email, name=name.strip() or email, password_hash=hash_password(password)
    )


def create_invited_user(email: str, name: str) -> User:
    """An account with no password yet: its owner chooses one through an invitation link."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address")
    if User.get_or_none(User.email == email):
        raise AccountError(f"user {email} already exists")
    # An empty hash matches no password, so nobody can sign in until one is chosen.
    return User.create(email=email, name=name.strip() or email, password_hash="")


def get_user(email: str) -> User:
    user = User.get_or_none(User.email == email.strip().lower())
    if user is None:
        raise AccountError(f"there is no user {email!r}")
    return user


def set_password(user: User, password: str) -> None:
    from . import sessions
    from .clock import utcnow

    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.save()
    sessions.end_all(user)


def add_member(user: User, org: Organisation, role: str) -> Membership:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    membership = Membership.get_or_none((Membership.user == user) & (Membership.org == org))
    if membership is None:
        membership = Membership.create(user=user, org=org, role=role)
    else:
        membership.role = role
        membership.save()
    record(
        org,
        "member.set",
        f"{user.email} is {role}",
        table="accord_membership",
        record_id=membership.id,
    )
    return membership


def members_of(org: Organisation, *, roles: tuple[str, ...] = ROLES) -> list[User]:
    """The organisation's users with one of ``roles``, by name (for owner and assignee pickers)."""
    return list(
        User.select()
        .join(Membership)
        .where((Membership.org == org) & (Membership.role.in_(roles)) & (User.is_active == True))  # noqa: E712
        .order_by(User.name)
    )
