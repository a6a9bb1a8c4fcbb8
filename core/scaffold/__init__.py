"""Write the project of a new plugin: the files ``accord plugins new`` generates.

The ``*.tmpl`` files beside this module are the project's files with
``string.Template`` placeholders (``$name``, ``$package``, …; ``$$`` is a
dollar sign). The generated project installs with pip and passes its own
tests as it is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from string import Template

from ..manifest import PLUGIN_ID
from ..version import CORE_API, __version__

TEMPLATES = Path(__file__).parent

# Where each file of the new project comes from; target paths take the placeholders too.
FILES = {
    "pyproject.toml": "pyproject.toml.tmpl",
    "README.md": "README.md.tmpl",
    "$package/plugin.toml": "plugin.toml.tmpl",
    "$package/__init__.py": "hooks.py.tmpl",
    "$package/models.py": "models.py.tmpl",
    "$package/views.py": "views.py.tmpl",
    "$package/migrations/__init__.py": "migrations.py.tmpl",
    "$package/migrations/0001_initial.py": "0001_initial.py.tmpl",
    "$package/templates/$name/list.html": "list.html.tmpl",
    "tests/test_$name.py": "test_plugin.py.tmpl",
}


class ScaffoldError(Exception):
    """The plugin cannot be generated; the message says why."""


@dataclass(frozen=True)
class Names:
    """What a plugin id becomes in the files of its project."""

    name: str  # the plugin id: manifest, URL prefix, permissions, table names
    package: str  # the import package: accord_<id>
    project: str  # the distribution and its folder: accord-<id>, with - for _

    @classmethod
    def of(cls, plugin_id: str) -> Names:
        if not PLUGIN_ID.match(plugin_id):
            raise ScaffoldError(
                f"{plugin_id!r} is not a plugin id: use 2-41 lowercase letters, digits or _, "
                "starting with a letter (such as assets or it_assets)"
            )
        return cls(plugin_id, f"accord_{plugin_id}", "accord-" + plugin_id.replace("_", "-"))

    @property
    def title(self) -> str:
        return self.name.replace("_", " ").capitalize()


def placeholders(names: Names, author: str) -> dict[str, str]:
    if not author.isprintable():
        raise ScaffoldError("the author must be one line of printable text")
    major, minor = __version__.split(".")[:2]
    return {
        "name": names.name,
        "package": names.package,
        "project": names.project,
        "title": names.title,
        # JSON's escaped string is a valid TOML basic string.
        "author": json.dumps(author.strip(), ensure_ascii=False),
        "accord_requirement": f"accord>={major}.{minor}",
        "core_api": f">={CORE_API},<{int(CORE_API.split('.')[0]) + 1}",
    }


def new_plugin(plugin_id: str, parent: Path, *, author: str = "") -> Path:
    """Write the project of plugin ``plugin_id`` into a new folder under ``parent``.

    Returns the folder; refuses to touch one that already exists.
    """
    names = Names.of(plugin_id)
    values = placeholders(names, author)
    root = parent / names.project
    if root.exists():
        raise ScaffoldError(f"{root} already exists; choose another --dir or remove it")
    root.mkdir(parents=True)
    for target, source in FILES.items():
        path = root / Template(target).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = Template((TEMPLATES / source).read_text(encoding="utf-8")).substitute(values)
        path.write_text(text, encoding="utf-8")
    return root
