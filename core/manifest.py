"""Read and validate a plugin's ``plugin.toml`` before any of its code is imported."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from .version import CORE_API

MANIFEST_FILE = "plugin.toml"
PLUGIN_ID = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


class ManifestError(Exception):
    """The manifest is missing or invalid; the message says what to fix."""


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
    path: Path | None = field(default=None, compare=False)

    def fits_core(self, core_api: str = CORE_API) -> bool:
        return Version(core_api) in self.core_api


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
        path=path,
    )


def read_manifest(module: str) -> Manifest:
    path = package_folder(module) / MANIFEST_FILE
    if not path.is_file():
        raise ManifestError(f"{module} has no {MANIFEST_FILE}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path.name} is not valid TOML: {exc}") from exc
    return parse_manifest(data, path)
