"""The ``accord`` command line: for people and for scripts.

Errors are one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import click

from ..manifest import ManifestError
from ..settings import ConfigError
from . import (  # noqa: F401 - each module adds its commands
    accounts,
    backup,
    files,
    instance,
    lifecycle,
    plugins,
    scaffold,
)
from .base import Env, cli


def build_cli() -> click.Group:
    """The ``accord`` group with the commands plugins add through ``register_commands``."""
    try:
        env = Env()
        env.host.hook.register_commands(cli=cli)
    except (ConfigError, ManifestError) as exc:
        click.echo(f"warning: plugin commands unavailable: {exc}", err=True)
    return cli


def main() -> None:
    build_cli()(obj=None)
