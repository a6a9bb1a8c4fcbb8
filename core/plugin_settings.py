"""Plugins' per-organisation settings: typed, validated, secrets encrypted at rest.

A plugin declares its settings in ``plugin.toml`` (``[settings.<key>]``); an
administrator sets them per organisation (Settings → Plugins, or
``accord plugins settings``); the plugin reads them with::

    from accord import plugin_settings

    api_token = plugin_settings.get(org, "myplugin")["api_token"]

Rows hold only what differs from the manifest's defaults, so a default changed
in a new version of the plugin applies wherever nobody chose otherwise.
Secrets are encrypted with a key derived from the instance's secret key and
are never shown back: forms, the command line and the audit log mask them.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from .audit import record
from .clock import utcnow
from .components import fields
from .db import BaseModel
from .manifest import Manifest, SettingSpec
from .models import Organisation

if TYPE_CHECKING:
    from .host import PluginHost
    from .settings import Settings

log = logging.getLogger("accord.plugin_settings")

MASK = "•••• (set)"
SECRET_CHANGED = "secret changed"
SECRET_CLEARED = "secret cleared"


class PluginSetting(BaseModel):
    """One setting of one plugin in one organisation (only values that differ from defaults)."""

    org = ForeignKeyField(Organisation, on_delete="CASCADE", backref="+")
    plugin = CharField(max_length=100)
    key = CharField(max_length=100)
    value = TextField()  # JSON, or for a secret a Fernet token
    changed_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "accord_plugin_setting"
        indexes = ((("org", "plugin", "key"), True),)


# ---- fields: how each type is entered and checked ------------------------------------


class Url(fields.Field):
    input_type = "url"

    def parse(self, text: str) -> str:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise fields.ValidationError("Enter a web address like https://example.org/.")
        return text


class Secret(fields.Field):
    """A password input that is never filled in: empty means "keep what is stored"."""

    input_type = "password"

    def __init__(self, label: str, **options: Any) -> None:
        options.setdefault("autocomplete", "new-password")
        super().__init__(label, **options)

    def to_raw(self, value: Any) -> str:
        return ""


FIELD_TYPES: dict[str, type[fields.Field]] = {
    "string": fields.Text,
    "text": fields.TextArea,
    "integer": fields.Integer,
    "boolean": fields.Checkbox,
    "choice": fields.Choice,
    "email": fields.Email,
    "url": Url,
    "secret": Secret,
}


def field_for(spec: SettingSpec) -> fields.Field:
    """The form field of ``spec``; its ``clean(text)`` also checks command-line values."""
    options: dict[str, Any] = {"required": spec.required, "hint": spec.help}
    if spec.type == "choice":
        options["choices"] = list(spec.choices)
    if spec.type == "integer":
        options.update(min_value=spec.min, max_value=spec.max)
    field = FIELD_TYPES[spec.type](spec.label, **options)
    field.name = spec.key
    return field


# ---- encryption -----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"accord plugin settings v1"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _where(org: Organisation, plugin_id: str, key: str) -> str:
    # Sealed into the token, so a ciphertext copied to another row does not decrypt there.
    return f"{org.get_id()}/{plugin_id}/{key}"


def encrypt(secret_key: str, org: Organisation, plugin_id: str, key: str, value: str) -> str:
    payload = json.dumps({"at": _where(org, plugin_id, key), "value": value})
    return _fernet(secret_key).encrypt(payload.encode()).decode("ascii")


def decrypt(secret_key: str, row: PluginSetting) -> str | None:
    """The secret in ``row``, or None when it cannot be read (the secret key changed)."""
    try:
        payload = json.loads(_fernet(secret_key).decrypt(row.value.encode("ascii")))
    except (InvalidToken, ValueError):
        return None
    if payload.get("at") != _where(row.org, row.plugin, row.key):
        return None
    return str(payload["value"])


# ---- reading --------------------------------------------------------------------------


def stored(org: Organisation, plugin_id: str) -> dict[str, PluginSetting]:
    rows = PluginSetting.select().where(
        (PluginSetting.org == org) & (PluginSetting.plugin == plugin_id)
    )
    return {row.key: row for row in rows}


def effective(secret_key: str, manifest: Manifest, org: Organisation) -> dict[str, Any]:
    """Every declared setting of ``manifest``'s plugin in ``org``: stored, else default."""
    rows = stored(org, manifest.id)
    values: dict[str, Any] = {}
    for spec in manifest.settings:
        row = rows.get(spec.key)
        if row is None:
            values[spec.key] = spec.default
        elif spec.secret:
            values[spec.key] = decrypt(secret_key, row)
            if values[spec.key] is None:
                log.warning("secret %s of %s in %s cannot be read", spec.key, manifest.id, org.slug)
        else:
            values[spec.key] = json.loads(row.value)
    return values


def _is_empty(value: Any) -> bool:
    return value is None or value == ""


def _has_value(spec: SettingSpec, row: PluginSetting | None) -> bool:
    if row is None:
        return not _is_empty(spec.default)
    return spec.secret or not _is_empty(json.loads(row.value))


def missing(manifest: Manifest, org: Organisation) -> list[SettingSpec]:
    """Required settings of ``manifest`` with no value in ``org`` (no secret needed to tell)."""
    required = [spec for spec in manifest.settings if spec.required]
    if not required:
        return []
    rows = stored(org, manifest.id)
    return [spec for spec in required if not _has_value(spec, rows.get(spec.key))]


def missing_by_plugin(host: PluginHost, org: Organisation) -> dict[str, list[SettingSpec]]:
    """For the plugins-page: each loaded plugin that could not be enabled in ``org`` yet."""
    found = {pid: missing(host.manifest(pid), org) for pid in host.order}
    return {pid: specs for pid, specs in found.items() if specs}


def shown(manifest: Manifest, org: Organisation) -> list[dict[str, Any]]:
    """The settings as a person may see them: secrets masked, never decrypted."""
    rows = stored(org, manifest.id)
    result = []
    for spec in manifest.settings:
        row = rows.get(spec.key)
        if spec.secret:
            value: Any = MASK if row is not None else None
        else:
            value = json.loads(row.value) if row is not None else spec.default
        result.append(
            {
                "key": spec.key,
                "label": spec.label,
                "type": spec.type,
                "value": value,
                "source": "set" if row is not None else "default",
                "required": spec.required,
            }
        )
    return result


# ---- writing --------------------------------------------------------------------------


def save(
    secret_key: str,
    manifest: Manifest,
    org: Organisation,
    values: Mapping[str, Any],
    *,
    clear: Iterable[str] = (),
) -> dict[str, Any]:
    """Store cleaned ``values`` (and remove the secrets in ``clear``); audit what changed.

    A secret whose value is None or empty is kept as it is. Returns the
    changes as the audit log records them (secrets as "secret changed").
    """
    rows = stored(org, manifest.id)
    changes: dict[str, Any] = {}
    for spec in manifest.settings:
        row = rows.get(spec.key)
        if spec.secret:
            if spec.key in clear and row is not None:
                row.delete_instance()
                changes[spec.key] = SECRET_CLEARED
            elif not _is_empty(values.get(spec.key)):
                text = encrypt(secret_key, org, manifest.id, spec.key, str(values[spec.key]))
                _put(org, manifest.id, spec.key, text, row)
                changes[spec.key] = SECRET_CHANGED
            continue
        if spec.key not in values:
            continue
        before = json.loads(row.value) if row is not None else spec.default
        after = values[spec.key]
        if after == before:
            continue
        if after == spec.default and row is not None:
            row.delete_instance()
        else:
            _put(org, manifest.id, spec.key, json.dumps(after), row)
        changes[spec.key] = [before, after]
    if changes:
        record(
            org,
            "plugin.settings",
            f"changed settings of plugin {manifest.id}: {', '.join(changes)}",
            plugin=manifest.id,
            table=PluginSetting._meta.table_name,
            changes=changes,
        )
    return changes


def _put(org: Organisation, plugin_id: str, key: str, text: str, row: PluginSetting | None) -> None:
    if row is None:
        PluginSetting.create(org=org, plugin=plugin_id, key=key, value=text)
    else:
        row.value, row.changed_at = text, utcnow()
        row.save()


# ---- for plugins: get(org, plugin_id) --------------------------------------------------

_bound: dict[str, Any] = {}


def bind(settings: Settings, host: PluginHost) -> None:
    """Make ``get()`` work in this process (``create_app`` and the command line call it).

    Like the database proxy: process-wide, set once at start-up, read-only after.
    """
    _bound.update(secret_key=settings.secret_key, host=host)


def get(org: Organisation, plugin_id: str) -> dict[str, Any]:
    """``plugin_id``'s settings in ``org``: defaults applied, secrets decrypted."""
    if not _bound:
        raise RuntimeError("plugin settings are not bound: create_app() binds them")
    host: PluginHost = _bound["host"]
    return effective(_bound["secret_key"], host.manifest(plugin_id), org)
