"""Read and validate a plugin's ``plugin.toml`` before any of its code is imported."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from .version import CORE_API

MANIFEST_FILE = "plugin.toml"
PLUGIN_ID = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
SETTING_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
SETTING_TYPES = ("string", "text", "integer", "boolean", "choice", "email", "url", "secret")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ManifestError(Exception):
    """The manifest is missing or invalid; the message says what to fix."""


@dataclass(frozen=True)
class SettingSpec:
    """One ``[settings.<key>]`` table: a value an administrator sets per organisation."""

    key: str
    type: str
    label: str
    help: str = ""
    default: Any = None
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    # Bounds of an integer, inclusive; None: unbounded on that side.
    min: int | None = None
    max: int | None = None

    @property
    def secret(self) -> bool:
        return self.type == "secret"


@dataclass(frozen=True)
class Manifest:
    id: str
    title: str
    version: str
    description: str
    author: str
    core_api: SpecifierSet
    depends: tuple[str, ...] = ()
    optional_depends: tuple[str, ...] = ()
    category: str = "general"
    always_on: bool = False
    # Other plugin id -> module with hooks that run only where both are enabled.
    integrations: dict[str, str] = field(default_factory=dict, compare=False)
    settings: tuple[SettingSpec, ...] = ()
    # name -> (description, roles): permissions declared as data, beside register_permissions.
    permissions: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict, compare=False)
    # The newest hook API the author tested with: a newer core only warns.
    tested_up_to: str | None = None
    path: Path | None = field(default=None, compare=False)

    def setting(self, key: str) -> SettingSpec | None:
        return next((spec for spec in self.settings if spec.key == key), None)

    def fits_core(self, core_api: str = CORE_API) -> bool:
        return Version(core_api) in self.core_api

    def untested_with(self, core_api: str = CORE_API) -> bool:
        """True when ``core_api`` is newer than the API the author tested with."""
        return self.tested_up_to is not None and Version(core_api) > Version(self.tested_up_to)


def package_folder(module: str) -> Path:
    """The folder of ``module``'s package, found without importing the module itself."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:
        raise ManifestError(f"cannot locate {module}: {exc}") from exc
    if spec is None:
        raise ManifestError(f"module {module} is not installed")
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    if spec.origin:
        return Path(spec.origin).parent
    raise ManifestError(f"{module} is not a package with files on disk")


def _strings(data: dict[str, object], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"'{key}' must be a list of plugin ids")
    return tuple(value)


def _text(data: dict[str, object], key: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ManifestError(f"'{key}' is required and must be text")
    return value.strip()


def _integrations(data: dict[str, object]) -> dict[str, str]:
    value = data.get("integrations", {})
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ManifestError("'integrations' must map plugin ids to module names")
    return dict(value)


def _choices(key: str, value: object) -> tuple[tuple[str, str], ...]:
    """``["a", "b"]`` or ``[["a", "Label A"], …]`` as ``(value, label)`` pairs."""
    if value is None or value == []:
        raise ManifestError(f"setting {key!r}: a choice needs at least one entry in 'choices'")
    pairs: list[tuple[str, str]] = []
    for item in value if isinstance(value, list) else [None]:
        if isinstance(item, str):
            pairs.append((item, item))
        elif isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item):
            pairs.append((item[0], item[1]))
        else:
            raise ManifestError(
                f"setting {key!r}: 'choices' must be a list of values or [value, label] pairs"
            )
    return tuple(pairs)


def _default_fits(spec_type: str, value: object, choices: tuple[tuple[str, str], ...]) -> bool:
    if spec_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if spec_type == "boolean":
        return isinstance(value, bool)
    if not isinstance(value, str):
        return False
    if spec_type == "choice":
        return value in dict(choices)
    if spec_type == "email":
        return bool(EMAIL.match(value))
    if spec_type == "url":
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.netloc)
    return True


def _bounds(key: str, spec_type: str, table: dict[str, object]) -> tuple[int | None, int | None]:
    """An integer's inclusive ``min`` and ``max`` (None: unbounded on that side)."""
    found: list[int | None] = []
    for name in ("min", "max"):
        value = table.get(name)
        if value is not None and spec_type != "integer":
            raise ManifestError(f"setting {key!r}: only an integer has 'min' and 'max'")
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ManifestError(f"setting {key!r}: '{name}' must be a whole number")
        found.append(value)
    low, high = found
    if low is not None and high is not None and low > high:
        raise ManifestError(f"setting {key!r}: 'min' {low} is more than 'max' {high}")
    return low, high


def _within(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _setting(key: str, table: object) -> SettingSpec:
    if not SETTING_KEY.match(key):
        raise ManifestError(
            f"setting {key!r}: keys are lowercase letters, digits or _ and start with a letter"
        )
    if not isinstance(table, dict):
        raise ManifestError(f"setting {key!r} must be a table ([settings.{key}])")
    unknown = set(table) - {"type", "label", "help", "default", "required", "choices", "min", "max"}
    if unknown:
        raise ManifestError(f"setting {key!r}: unknown field(s) {', '.join(sorted(unknown))}")
    spec_type = table.get("type", "string")
    if spec_type not in SETTING_TYPES:
        raise ManifestError(
            f"setting {key!r}: type {spec_type!r} is not one of {', '.join(SETTING_TYPES)}"
        )
    required = table.get("required", False)
    if not isinstance(required, bool):
        raise ManifestError(f"setting {key!r}: 'required' must be true or false")
    if required and spec_type == "boolean":
        raise ManifestError(f"setting {key!r}: a boolean always has a value; drop 'required'")
    if "choices" in table and spec_type != "choice":
        raise ManifestError(f"setting {key!r}: only a choice has 'choices'")
    choices = _choices(key, table.get("choices")) if spec_type == "choice" else ()
    low, high = _bounds(key, spec_type, table)
    default = table.get("default", False if spec_type == "boolean" else None)
    if default is not None and spec_type == "secret":
        raise ManifestError(
            f"setting {key!r}: a secret cannot have a default (it would not be secret)"
        )
    if default is not None and not _default_fits(spec_type, default, choices):
        raise ManifestError(f"setting {key!r}: default {default!r} is not a valid {spec_type}")
    if isinstance(default, int) and not _within(default, low, high):
        raise ManifestError(f"setting {key!r}: default {default} is outside min and max")
    label, help_text = table.get("label", ""), table.get("help", "")
    if not isinstance(label, str) or not isinstance(help_text, str):
        raise ManifestError(f"setting {key!r}: 'label' and 'help' must be text")
    return SettingSpec(
        key=key,
        type=spec_type,
        label=label.strip() or key.replace("_", " ").capitalize(),
        help=help_text.strip(),
        default=default,
        required=required,
        choices=choices,
        min=low,
        max=high,
    )


def _settings(data: dict[str, object]) -> tuple[SettingSpec, ...]:
    value = data.get("settings", {})
    if not isinstance(value, dict):
        raise ManifestError("'settings' must be tables: [settings.<key>]")
    return tuple(_setting(key, table) for key, table in value.items())


def _permissions(data: dict[str, object], plugin_id: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    from .models import ROLES

    table = data.get("permissions", {})
    if not isinstance(table, dict):
        raise ManifestError("'permissions' must be a table of [permissions.\"<id>.<name>\"]")
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, spec in table.items():
        if not name.startswith(f"{plugin_id}.") or not isinstance(spec, dict):
            raise ManifestError(f"permission {name!r} must be a table named {plugin_id}.<name>")
        roles = spec.get("roles", ["admin"])
        if not isinstance(roles, list) or not set(roles) <= set(ROLES):
            raise ManifestError(f"permission {name}: roles must be a list of {', '.join(ROLES)}")
        found[name] = (str(spec.get("description", name)), tuple(roles))
    return found


def _tested_up_to(data: dict[str, object]) -> str | None:
    value = data.get("tested_up_to")
    if value is None:
        return None
    try:
        Version(str(value))
    except InvalidVersion as exc:
        raise ManifestError(f"tested_up_to {value!r} is not a version number") from exc
    return str(value)


def parse_manifest(data: dict[str, object], path: Path | None = None) -> Manifest:
    plugin_id = _text(data, "id")
    if not PLUGIN_ID.match(plugin_id):
        raise ManifestError(
            f"id {plugin_id!r} must be 2-41 lowercase letters, digits or _ and start with a letter"
        )
    version = _text(data, "version")
    try:
        Version(version)
    except InvalidVersion as exc:
        raise ManifestError(f"version {version!r} is not a version number") from exc
    try:
        core_api = SpecifierSet(_text(data, "core_api"))
    except InvalidSpecifier as exc:
        raise ManifestError(f"core_api {data.get('core_api')!r} is not a version range") from exc
    return Manifest(
        id=plugin_id,
        title=_text(data, "title"),
        version=version,
        description=_text(data, "description", required=False),
        author=_text(data, "author", required=False),
        core_api=core_api,
        depends=_strings(data, "depends"),
        optional_depends=_strings(data, "optional_depends"),
        category=_text(data, "category", required=False) or "general",
        always_on=bool(data.get("always_on", False)),
        integrations=_integrations(data),
        settings=_settings(data),
        permissions=_permissions(data, plugin_id),
        tested_up_to=_tested_up_to(data),
        path=path,
    )


def read_manifest(module: str) -> Manifest:
    path = package_folder(module) / MANIFEST_FILE
    if not path.is_file():
        raise ManifestError(f"{module} has no {MANIFEST_FILE}")
    try:
        return _parsed(path.read_text(encoding="utf-8"), path)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path.name} is not valid TOML: {exc}") from exc


@lru_cache(maxsize=256)
def _parsed(text: str, path: Path) -> Manifest:
    # Every app a process builds (each test builds one) reads the same files:
    # parse each text once. Keyed by the text itself, an edited file is parsed anew.
    return parse_manifest(tomllib.loads(text), path)
