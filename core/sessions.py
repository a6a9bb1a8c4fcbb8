"""Server-side sessions: revocable, with idle and absolute time-outs."""

from __future__ import annotations

from datetime import timedelta

from .clock import utcnow
from .models import Session, User
from .security import new_token, token_hash
from .settings import Settings

COOKIE = "accord_session"
ANON_COOKIE = "accord_anon"
# last_seen_at is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def start(user: User) -> tuple[str, Session]:
    """A new session (and so a new id) for ``user``; returns the cookie token."""
    token = new_token()
    return token, Session.create(token_hash=token_hash(token), user=user)


def load(settings: Settings, token: str | None) -> Session | None:
    """The live session for ``token``; expired sessions are ended on sight."""
    if not token:
        return None
    session = (
        Session.select(Session, User)
        .join(User)
        .where(Session.token_hash == token_hash(token))
        .first()
    )
    if session is None:
        return None
    now = utcnow()
    idle = timedelta(minutes=int(settings.get("sessions", "idle_minutes", 480)))
    absolute = timedelta(hours=int(settings.get("sessions", "absolute_hours", 72)))
    if (
        not session.user.is_active
        or now - session.last_seen_at > idle
        or now - session.created_at > absolute
    ):
        session.delete_instance()
        return None
    if now - session.last_seen_at > TOUCH_EVERY:
        Session.update(last_seen_at=now).where(Session.token_hash == session.token_hash).execute()
    return session


def end(session: Session) -> None:
    Session.delete().where(Session.token_hash == session.token_hash).execute()


def end_all(user: User, *, keep: Session | None = None) -> int:
    """End ``user``'s sessions except ``keep``; return how many ended."""
    query = Session.delete().where(Session.user == user)
    if keep is not None:
        query = query.where(Session.token_hash != keep.token_hash)
    return query.execute()
