"""Server-side sessions: revocable, with idle and absolute time-outs."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

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


# --- Half signed in: the password was right, the second factor is still to come -------------

PENDING_COOKIE = "accord_second_step"
PENDING_MINUTES = 10


def _pending_signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="accord.sign-in.second-step")


def start_pending(settings: Settings, user: User) -> str:
    """A signed cookie value saying "``user`` gave the right password a moment ago".

    It is not a session: no page accepts it, only the code page reads it. It
    names the password it was given for, so it dies with a password change.
    """
    return _pending_signer(settings).dumps(
        {"user": user.id, "password": user.password_changed_at.isoformat()}
    )


def pending_user(settings: Settings, value: str | None) -> User | None:
    """The active user ``value`` (from ``start_pending``, under 10 minutes old) stands for."""
    if not value:
        return None
    try:
        data = _pending_signer(settings).loads(value, max_age=PENDING_MINUTES * 60)
    except BadSignature:  # also SignatureExpired
        return None
    user = User.get_or_none(User.id == data.get("user"))
    if (
        user is None
        or not user.is_active
        or user.password_changed_at.isoformat() != data.get("password")
    ):
        return None
    return user
