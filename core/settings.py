"""Load configuration: ``config/default.toml``, an optional TOML file, then ``ACCORD_*``."""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

ENV_PREFIX = "ACCORD_"

# Environment variables that override a single setting: name -> (section, key).
FILE_STORES = ("local", "database")
ENV_OVERRIDES = {
    "DATABASE_URL": ("database", "url"),
    "REDIS_URL": ("jobs", "redis_url"),
    "HTTPS": ("server", "https"),
    "RELOAD_TEMPLATES": ("server", "reload_templates"),
    "PUBLIC_URL": ("server", "public_url"),
    "SAFE_MODE": ("plugins", "safe_mode"),
    "FILE_STORE": ("files", "store"),
    "SECRET_KEY_FILE": ("server", "secret_key_file"),
    "DATABASE_POOL_SIZE": ("database", "pool_size"),
    "DATABASE_POOL_TIMEOUT_S": ("database", "pool_timeout_s"),
    "DATABASE_IDLE_TIMEOUT_S": ("database", "idle_timeout_s"),
    "METRICS_TOKEN": ("metrics", "token"),
    "METRICS_ALLOW_INTERNAL": ("metrics", "allow_internal"),
    "HEALTH_REQUIRE_SCHEDULER": ("health", "require_scheduler"),
    "SMTP_URL": ("mail", "url"),
    "SMTP_HOST": ("mail", "host"),
    "SMTP_PORT": ("mail", "port"),
    "SMTP_FROM": ("mail", "from"),
    "SMTP_USERNAME": ("mail", "username"),
    "SMTP_PASSWORD": ("mail", "password"),
    "SMTP_STARTTLS": ("mail", "starttls"),
}


class ConfigError(Exception):
    """The configuration cannot be used; the message says why and what to change."""


@dataclass(frozen=True)
class Settings:
    home: Path
    secret_key: str
    database_url: str
    data: dict[str, Any] = field(repr=False)
    # True when the key came from ACCORD_SECRET_KEY or a named key file, which
    # every server can be given; False when this machine generated its own.
    secret_key_shared: bool = False

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.data.get(name, {}))

    def get(self, section: str, key: str, default: Any = None) -> Any:
        return self.data.get(section, {}).get(key, default)

    def plugin_config(self, plugin_id: str) -> dict[str, Any]:
        """The ``[plugins.<id>]`` table of the configuration."""
        value = self.data.get("plugins", {}).get(plugin_id, {})
        return dict(value) if isinstance(value, dict) else {}

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def public_url(self) -> str:
        """Where people reach this instance, for links in emails (no trailing slash).

        ``[server] public_url`` (``ACCORD_PUBLIC_URL``) behind a proxy or a domain
        name; otherwise made from the server's own scheme, host and port.
        """
        configured = str(self.get("server", "public_url", "") or "")
        if configured:
            return configured.rstrip("/")
        scheme = "https" if self.get("server", "https", False) else "http"
        host = self.get("server", "host", "127.0.0.1")
        port = int(self.get("server", "port", 8000))
        default_port = 443 if scheme == "https" else 80
        return f"{scheme}://{host}" + ("" if port == default_port else f":{port}")

    @property
    def safe_mode(self) -> bool:
        return bool(self.get("plugins", "safe_mode", False))


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _coerce(raw: str, current: Any) -> Any:
    if isinstance(current, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"expected a whole number, got {raw!r}") from exc
    return raw


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _secret_key(
    home: Path, environ: dict[str, str], named_file: str, create: bool
) -> tuple[str, bool]:
    """The secret key, and whether it was given (shareable) rather than generated here.

    Without ``create`` a missing key file is not made: the key is then ``""``.
    """
    if environ.get("ACCORD_SECRET_KEY"):
        return environ["ACCORD_SECRET_KEY"], True
    if named_file:
        path = Path(named_file)
        try:
            key = path.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the secret key file {path}: {exc.strerror}") from exc
        if not key:
            raise ConfigError(f"the secret key file {path} is empty")
        return key, True
    path = home / "secret_key"
    if path.exists():
        return path.read_text().strip(), False
    if not create:
        return "", False
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written once with owner-only permissions; every worker then reads the same key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key, False


def require_shared_secret_key(settings: Settings) -> None:
    """Refuse to serve PostgreSQL with a secret key this machine generated for itself.

    PostgreSQL means several servers may answer the same users; each signs CSRF
    tokens and links with the key, so keys that differ make every form posted to
    another server fail with 403. SQLite is one machine: its generated key is fine.
    """
    if settings.is_sqlite or settings.secret_key_shared:
        return
    raise ConfigError(
        "a PostgreSQL database needs one secret key shared by every server: set "
        "ACCORD_SECRET_KEY, or ACCORD_SECRET_KEY_FILE ([server] secret_key_file) "
        "to a file holding the key"
    )


def load_settings(
    environ: dict[str, str] | None = None, *, create_key: bool = True, **overrides: Any
) -> Settings:
    """Build the effective settings. ``overrides`` are ``section__key=value`` pairs (tests).

    ``create_key=False`` reads only: no instance folder or key file is made, and
    ``secret_key`` is ``""`` when there is none (the command line checks first).
    """
    env = dict(os.environ if environ is None else environ)
    defaults = resources.files("accord.config").joinpath("default.toml").read_text()
    data = tomllib.loads(defaults)
    home = Path(env.get("ACCORD_HOME", "var")).resolve()
    config_file = env.get("ACCORD_CONFIG") or (home / "accord.toml")
    config_path = Path(config_file)
    if config_path.exists():
        data = _merge(data, _read_toml(config_path))
    elif env.get("ACCORD_CONFIG"):
        raise ConfigError(f"ACCORD_CONFIG names {config_path}, which does not exist")
    for name, (section, key) in ENV_OVERRIDES.items():
        if ENV_PREFIX + name in env:
            current = data.get(section, {}).get(key, "")
            data.setdefault(section, {})[key] = _coerce(env[ENV_PREFIX + name], current)
    for dotted, value in overrides.items():
        section, key = dotted.split("__", 1)
        data.setdefault(section, {})[key] = value
    url = data["database"]["url"] or f"sqlite:///{home / 'accord.db'}"
    if not url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ConfigError(
            f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://..."
        )
    store = str(data.get("files", {}).get("store") or "local").strip().lower()
    if store not in FILE_STORES:
        raise ConfigError(
            f"unknown file store {store!r} ([files] store, ACCORD_FILE_STORE): "
            f"use {' or '.join(FILE_STORES)}"
        )
    named_file = str(data["server"].get("secret_key_file") or "")
    key, shared = _secret_key(home, env, named_file, create_key)
    return Settings(
        home=home, secret_key=key, database_url=url, data=data, secret_key_shared=shared
    )


_in_use: list[Settings] = []


def use(settings: Settings) -> None:
    """Make ``settings`` this process's (the server and the command line call it)."""
    _in_use[:] = [settings]


def current() -> Settings:
    """This process's settings, for work outside a request (a worker's task, an email link)."""
    return _in_use[0] if _in_use else load_settings()
