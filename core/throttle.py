"""Sign-in throttling: failed attempts slow down the address making them, never lock an account.

Failures are counted per (source address, account) and per source address over
every account, in the database that every app server shares. Past a threshold
the source waits before its next try, the wait doubling with each further
failure up to a ceiling (OWASP ASVS 2.2.1). The account itself is never locked:
its owner, signing in from another address, is not slowed by an attacker's
failures, and a source that is not waiting always gets its password checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import Expression, ModelSelect, fn

from .clock import utcnow
from .models import LoginFailure
from .settings import Settings

# The widths of LoginFailure's columns: longer input is cut rather than refused by PostgreSQL.
EMAIL_LENGTH = 254
SOURCE_LENGTH = 64


@dataclass(frozen=True)
class Rules:
    """``[login]``: when failures start to cost a wait, and how long it grows."""

    max_failures: int = 5
    source_max_failures: int = 20
    first_wait: timedelta = timedelta(minutes=1)
    max_wait: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=24)

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        login = settings.section("login")
        return cls(
            max_failures=int(login.get("max_failures", cls.max_failures)),
            source_max_failures=int(login.get("source_max_failures", cls.source_max_failures)),
            first_wait=timedelta(minutes=float(login.get("first_wait_minutes", 1))),
            max_wait=timedelta(minutes=float(login.get("max_wait_minutes", 15))),
            forget_after=timedelta(hours=float(login.get("forget_after_hours", 24))),
        )

    def wait_after(self, failures: int, threshold: int) -> timedelta:
        """The wait after the latest of ``failures``: none below ``threshold``, then doubling."""
        if failures < threshold:
            return timedelta(0)
        # Capping the exponent first keeps a long attack from building a huge number.
        doublings = min(failures - threshold, 32)
        return min(self.first_wait * 2**doublings, self.max_wait)


def _failures(rules: Rules, now: datetime, where: Expression) -> ModelSelect:
    """How many failures matching ``where`` are remembered, and when the latest was."""
    return LoginFailure.select(fn.COUNT(LoginFailure.id), fn.MAX(LoginFailure.at)).where(
        where & (LoginFailure.at > now - rules.forget_after)
    )


def _remaining(rules: Rules, failures: ModelSelect, threshold: int, now: datetime) -> timedelta:
    count, latest = failures.scalar(as_tuple=True)
    if not count:
        return timedelta(0)
    return max(latest + rules.wait_after(count, threshold) - now, timedelta(0))


def wait_for(rules: Rules, source: str, email: str, kind: str = "sign-in") -> timedelta:
    """How long ``source`` must still wait before trying ``email``; zero when it may try now.

    ``kind`` keeps different attempts apart (``"reset"``: reset links asked for,
    ``"code"``: wrong two-factor codes), each counted against its own ``rules``.
    """
    source, email = source[:SOURCE_LENGTH], email[:EMAIL_LENGTH]
    now = utcnow()
    of_kind = LoginFailure.kind == kind
    pair = _failures(
        rules, now, of_kind & (LoginFailure.client == source) & (LoginFailure.email == email)
    )
    anywhere = _failures(rules, now, of_kind & (LoginFailure.client == source))
    return max(
        _remaining(rules, pair, rules.max_failures, now),
        _remaining(rules, anywhere, rules.source_max_failures, now),
    )


def record_failure(rules: Rules, source: str, email: str, kind: str = "sign-in") -> None:
    now = utcnow()
    LoginFailure.create(
        email=email[:EMAIL_LENGTH], client=source[:SOURCE_LENGTH], at=now, kind=kind
    )
    # Forgotten failures are deleted as new ones come, so the table stays small.
    LoginFailure.delete().where(
        (LoginFailure.kind == kind) & (LoginFailure.at <= now - rules.forget_after)
    ).execute()


def record_success(source: str, email: str, kind: str = "sign-in") -> None:
    """Forget ``source``'s failures for ``email``: the person at that address knew the password."""
    LoginFailure.delete().where(
        (LoginFailure.kind == kind)
        & (LoginFailure.client == source[:SOURCE_LENGTH])
        & (LoginFailure.email == email[:EMAIL_LENGTH])
    ).execute()


def in_words(wait: timedelta) -> str:
    """``wait`` as a person reads it: ``45 seconds``, ``1 minute``, ``15 minutes``."""
    seconds = retry_after(wait)
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def retry_after(wait: timedelta) -> int:
    """Whole seconds for a ``Retry-After`` header, rounded up so the retry is never early."""
    return max(1, math.ceil(wait.total_seconds()))
