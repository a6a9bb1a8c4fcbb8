"""``accord plugins new``: start a plugin as a package of its own."""

from __future__ import annotations

from pathlib import Path

import click

from ..scaffold import Names, ScaffoldError, new_plugin
from .base import Env, clean_errors, pass_env
from .plugins import plugins


@plugins.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to create the project in.",
)
@click.option("--author", default="", help="Your name, for the plugin's manifest.")
@pass_env
@clean_errors
def plugins_new(env: Env, name: str, parent: Path, author: str) -> None:
    """Generate a plugin package NAME (its plugin id) that installs with pip and passes its tests.

    It has a manifest, hooks, a model with its first migration, a list page and
    a form, a template, tests and its own pyproject.toml with the entry point.
    """
    try:
        names = Names.of(name)
        taken = env.host.plugins.get(names.name)
        if taken is not None:
            raise ScaffoldError(
                f"plugin id {name} is already taken by {taken.module} ({taken.source})"
            )
        root = new_plugin(name, parent, author=author)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    # "./" keeps pip from reading a relative folder as the name of a package on PyPI.
    folder = str(root) if root.is_absolute() else f"./{root}"
    click.echo(f"Created plugin {name} in {folder}")
    click.echo("Next:")
    click.echo(f"  pip install -e '{folder}[test]'")
    click.echo(f"  cd {folder} && python -m pytest")
    click.echo(f"  accord migrate && accord plugins enable {name} --org ORG")
