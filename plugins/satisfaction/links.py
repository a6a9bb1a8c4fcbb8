"""The survey link: signed, so it cannot be guessed or altered, and absolute, for an email.

The token carries the survey's id and a random nonce stored on the survey;
itsdangerous signs it with the instance's secret key. Whether it still works
(answered once, expired) is the survey row's business, not the token's.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from accord import Organisation, Settings, plugin_settings
from accord.settings import load_settings

SALT = "accord.satisfaction.survey"
_bound: dict[str, Settings] = {}


def bind(settings: Settings) -> None:
    """Remember the instance's settings for work outside requests (start-up; read-only after)."""
    _bound["settings"] = settings


def _settings() -> Settings:
    # The worker and the command line may not have run start-up; same environment, same key.
    return _bound.get("settings") or load_settings()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(_settings().secret_key, salt=SALT)


def token_for(survey: Any) -> str:
    return _serializer().dumps({"s": int(survey.id), "n": str(survey.nonce)})


def read(token: str) -> tuple[int, str] | None:
    """``(survey id, nonce)`` from a token, or None when it was not signed by this instance."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    return data["s"], str(data.get("n", ""))


def base_url(org: Organisation) -> str:
    configured = str(plugin_settings.get(org, "satisfaction").get("public_url") or "")
    return configured.rstrip("/") if configured else _settings().public_url


def survey_url(org: Organisation, survey: Any, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{base_url(org)}/survey/{token_for(survey)}" + (f"?{query}" if query else "")
