"""Regenerate the hook reference in docs/plugins.md from core/hookspecs.py.

Usage: python scripts/gen_plugin_docs.py [--check]

The reference sits between the markers below; everything else in the guide is
written by hand. ``--check`` exits 1 when the file is out of date.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

from accord import hookspecs

DOC = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
START, END = "<!-- hooks:start -->", "<!-- hooks:end -->"


def sections() -> list[tuple[str, list[str]]]:
    """Hook names grouped under the banner comments of hookspecs.py, in file order."""
    source = inspect.getsource(hookspecs).splitlines()
    groups: list[tuple[str, list[str]]] = []
    for index, line in enumerate(source):
        if (
            line.startswith("# ---")
            and index + 1 < len(source)
            and source[index + 1].startswith("# ")
        ):
            title = source[index + 1][2:].strip()
            if not title.startswith("---"):
                groups.append((title, []))
        elif line.startswith("def ") and groups:
            name = line[4:].split("(")[0]
            if hasattr(getattr(hookspecs, name, None), "accord_spec"):
                groups[-1][1].append(name)
    return groups


def reference() -> str:
    out = []
    for title, names in sections():
        out.append(f"### {title}\n")
        for name in names:
            fn = getattr(hookspecs, name)
            signature = str(inspect.signature(fn)).replace("'", "")
            flags = ["firstresult"] if fn.accord_spec.get("firstresult") else []
            flags.append(f"since API {fn.accord_since}")
            out.append(f"#### `{name}{signature}`\n")
            out.append(f"*{', '.join(flags)}*\n")
            out.append(inspect.getdoc(fn) + "\n")
    return "\n".join(out)


def render(current: str) -> str:
    before, _, rest = current.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n\n{reference()}\n{END}{after}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    current = DOC.read_text()
    wanted = render(current)
    if args.check:
        if current != wanted:
            print(f"{DOC} is out of date: run python scripts/gen_plugin_docs.py")
            return 1
        return 0
    DOC.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
