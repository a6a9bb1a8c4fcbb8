"""Signed one-click unsubscribe links: one person, one purpose, no sign-in.

The token is signed with a secret of the organisation kept in the database
(``ConsentKey``, made on first use), so any process (a page, a job sending
a survey, the command line) can make and check links without the
instance's settings. Links do not expire: an unsubscribe link in an old
email must still work.
"""

from __future__ import annotations

import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from peewee import IntegrityError

from accord import Organisation, database

from .models import ConsentKey

SALT = "accord.contacts.unsubscribe"


def _key(org: Organisation | int) -> str:
    row = ConsentKey.get_or_none(ConsentKey.org == org)
    if row is None:
        try:
            with database.atomic():  # a savepoint: another process may make it at once
                row = ConsentKey.create(org=org, key=secrets.token_urlsafe(32))
        except IntegrityError:
            row = ConsentKey.get(ConsentKey.org == org)
    return str(row.key)


def unsubscribe_token(org: Organisation, person: Any, purpose: str) -> str:
    return URLSafeSerializer(_key(org), salt=SALT).dumps([person.id, purpose])


def unsubscribe_url(org: Organisation, person: Any, purpose: str) -> str:
    """The absolute path of ``person``'s one-click unsubscribe link from ``purpose`` only."""
    from .purposes import purpose as check_purpose

    check_purpose(org, purpose)
    return f"/contacts/unsubscribe/{org.slug}/{unsubscribe_token(org, person, purpose)}"


def read_token(org: Organisation, token: str) -> tuple[int, str] | None:
    """The person id and purpose a token of ``org`` names, or None when it is not genuine."""
    try:
        person_id, purpose = URLSafeSerializer(_key(org), salt=SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(person_id, int) or not isinstance(purpose, str):
        return None
    return person_id, purpose
