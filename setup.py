"""Map the top-level folders onto the ``accord`` import names.

The repository keeps the design card's layout (``core/``, ``plugins/``,
``web/``, ``config/``); installed, they become ``accord``, ``accord.plugins``,
``accord.web`` and ``accord.config``. Every folder below them is a package, so
templates, static files and migrations ship in the wheel.
"""

from pathlib import Path

from setuptools import setup

ROOTS = {
    "accord": "core",
    "accord.plugins": "plugins",
    "accord.web": "web",
    "accord.config": "config",
}
SKIP = {"__pycache__"}


def packages_under(package: str, folder: str) -> dict[str, str]:
    found = {package: folder}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_dir() and not SKIP.intersection(path.parts) and not path.name.startswith("."):
            relative = path.relative_to(folder).parts
            found[".".join((package, *relative))] = str(path)
    return found


package_dir: dict[str, str] = {}
for package, folder in ROOTS.items():
    package_dir.update(packages_under(package, folder))

setup(packages=sorted(package_dir), package_dir=package_dir)
