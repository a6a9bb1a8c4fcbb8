"""Two-factor sign-in: time-based one-time codes (TOTP, RFC 6238) and recovery codes.

The TOTP key is kept encrypted with a key derived from the instance's secret
key (a copy of the database alone does not give it away). A code is accepted
within one 30-second step either side of now, and never twice: the last step
used is kept. Recovery codes are random, kept as hashes, each good once.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .audit import record
from .clock import utcnow
from .models import Organisation, RecoveryCode, User
from .security import token_hash

ISSUER = "Accord"
RECOVERY_CODES = 10
# Letters and digits that cannot be misread for one another (no 0/O, 1/I/L).
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"accord two-factor v1"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def new_key() -> str:
    """A new TOTP key (base32), to show the person before it is switched on."""
    return pyotp.random_base32()


def setup_uri(user: User, key: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(key).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline ``<svg>`` element (no script, no image file)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff"))


def grouped(key: str) -> str:
    """The key in groups of four, easier to type into an app by hand."""
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _digits(code: str) -> str:
    return "".join(code.split())


def _matching_step(key: str, code: str, after: int | None) -> int | None:
    """The time step (now, or one either side) whose code is ``code``, if not used yet."""
    if not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(key)
    now_step = int(time.time()) // totp.interval
    for step in (now_step, now_step - 1, now_step + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def key_of(secret_key: str, user: User) -> str | None:
    if not user.totp_secret:
        return None
    try:
        return _fernet(secret_key).decrypt(user.totp_secret.encode("ascii")).decode()
    except InvalidToken:  # the instance's secret key changed: only recovery codes work
        return None


def verify_code(secret_key: str, user: User, code: str) -> bool:
    """Whether ``code`` is a current code of ``user``'s authenticator; it cannot be used again."""
    key = key_of(secret_key, user)
    code = _digits(code)
    if key is None or not (code.isascii() and code.isdigit()):
        return False
    step = _matching_step(key, code, user.totp_last_step)
    if step is None:
        return False
    # Compare-and-set, so two requests with the same code cannot both pass.
    claimed = (
        User.update(totp_last_step=step)
        .where(
            (User.id == user.id) & (User.totp_last_step.is_null() | (User.totp_last_step < step))
        )
        .execute()
    )
    user.totp_last_step = step
    return bool(claimed)


def _code_hash(code: str) -> str:
    return token_hash("".join(ch for ch in code.upper() if ch.isalnum()))


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes for ``user`` (the old ones stop working); shown once."""
    RecoveryCode.delete().where(RecoveryCode.user == user).execute()
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.insert_many(
        [{"user": user.id, "code_hash": _code_hash(code)} for code in codes]
    ).execute()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one of ``user``'s recovery codes; False when it is not one or was used."""
    spent = (
        RecoveryCode.update(used_at=utcnow())
        .where(
            (RecoveryCode.user == user)
            & (RecoveryCode.code_hash == _code_hash(code))
            & RecoveryCode.used_at.is_null()
        )
        .execute()
    )
    return bool(spent)


def recovery_codes_left(user: User) -> int:
    return (
        RecoveryCode.select()
        .where((RecoveryCode.user == user) & RecoveryCode.used_at.is_null())
        .count()
    )


def turn_on(secret_key: str, user: User, key: str, code: str) -> list[str] | None:
    """Switch two-factor on with ``key`` once ``code`` shows the app has it.

    Returns the new recovery codes, or None (nothing changed) when the code is not current.
    """
    step = _matching_step(key, _digits(code), None)
    if step is None:
        return None
    user.totp_secret = _fernet(secret_key).encrypt(key.encode()).decode("ascii")
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step  # the confirming code is spent
    user.save(only=[User.totp_secret, User.totp_enabled_at, User.totp_last_step])
    record(
        None,
        "user.2fa_on",
        f"{user.email} turned on two-factor sign-in",
        table="accord_user",
        record_id=user.id,
    )
    return new_recovery_codes(user)


def turn_off(user: User, *, summary: str = "", org: Organisation | None = None) -> None:
    """Switch two-factor off for ``user`` and drop the recovery codes."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.save(only=[User.totp_secret, User.totp_enabled_at, User.totp_last_step])
    RecoveryCode.delete().where(RecoveryCode.user == user).execute()
    record(
        org,
        "user.2fa_off",
        summary or f"{user.email} turned off two-factor sign-in",
        table="accord_user",
        record_id=user.id,
    )
