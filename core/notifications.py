"""In-app notifications: a line of text and a link, for one member of one organisation.

Any plugin tells people about a change with ``accord.notify(org, users, text,
url)``; the header's bell shows how many are unread and the notifications page
(the built-in ``notifications`` plugin) lists them. Only members of the
organisation are notified. Read notifications older than ``KEEP`` are pruned
by a daily task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from peewee import CharField, DateTimeField, ForeignKeyField, ModelSelect

from .clock import utcnow
from .db import BaseModel
from .models import Membership, Organisation, User

# Read notifications are kept this long; unread ones until they are read.
KEEP = dt.timedelta(days=90)
TEXT_LENGTH = 300


class Notification(BaseModel):
    org = ForeignKeyField(Organisation, on_delete="CASCADE", backref="+")
    user = ForeignKeyField(User, on_delete="CASCADE", backref="+", index=False)
    kind = CharField(max_length=60, default="")
    text = CharField(max_length=TEXT_LENGTH)
    url = CharField(max_length=500)
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        table_name = "accord_notification"
        indexes = (
            (("user", "org", "created_at"), False),
            (("user", "org", "read_at"), False),
        )


def _user_ids(users: Iterable[User | int | None]) -> set[int]:
    return {u if isinstance(u, int) else int(u.id) for u in users if u is not None}


def notify(
    org: Organisation,
    users: Iterable[User | int | None],
    text: str,
    url: str,
    *,
    kind: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Notify each of ``users`` (users or ids; None is skipped) once; returns how many.

    ``url`` is the path of the record the notification is about; ``kind`` names
    what happened (``incidents.status``) for whoever reads the table later. People
    who are not members of ``org`` (any more) are left out. Call it inside the
    transaction of the change, so a rolled-back change notifies nobody.
    """
    wanted = _user_ids(users)
    if not wanted:
        return 0
    members = [
        row.user_id
        for row in Membership.select(Membership.user).where(
            (Membership.org == org) & Membership.user.in_(wanted)
        )
    ]
    moment = now or utcnow()
    rows = [
        {
            "org": org.id,
            "user": user_id,
            "kind": kind[:60],
            "text": text[:TEXT_LENGTH],
            "url": url,
            "created_at": moment,
        }
        for user_id in sorted(members)
    ]
    if rows:
        Notification.insert_many(rows).execute()
    return len(rows)


def of(org: Organisation, user: User) -> ModelSelect:
    """The notifications of ``user`` in ``org``, newest first."""
    return (
        Notification.select()
        .where((Notification.org == org) & (Notification.user == user))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


# Every page asks for the bell's count: it is counted up to one more than this, never
# in full (a list page at a million rows runs no COUNT), and shown as "99+".
MOST_COUNTED = 99


def unread_count(org: Organisation, user: User) -> int:
    """Unread notifications of ``user`` in ``org``, up to ``MOST_COUNTED + 1``."""
    unread = (
        Notification.select(Notification.id)
        .where(
            (Notification.org == org) & (Notification.user == user) & Notification.read_at.is_null()
        )
        .limit(MOST_COUNTED + 1)
    )
    return len(unread.tuples())


def shown(count: int) -> str:
    """A count as the bell shows it: "7", or "99+" beyond ``MOST_COUNTED``."""
    return f"{MOST_COUNTED}+" if count > MOST_COUNTED else str(count)


def mark_read(org: Organisation, user: User, pk: int | None = None) -> int:
    """Mark one notification (``pk``) or all of them read; returns how many changed.

    A ``pk`` of another user or organisation changes nothing (0).
    """
    query = Notification.update(read_at=utcnow()).where(
        (Notification.org == org) & (Notification.user == user) & Notification.read_at.is_null()
    )
    if pk is not None:
        query = query.where(Notification.id == pk)
    return int(query.execute())


def prune(now: dt.datetime | None = None) -> int:
    """Delete notifications read more than ``KEEP`` ago; returns how many."""
    cutoff = (now or utcnow()) - KEEP
    return int(
        Notification.delete()
        .where(Notification.read_at.is_null(False) & (Notification.read_at < cutoff))
        .execute()
    )
