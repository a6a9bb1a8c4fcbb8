"""What every ``accord`` command shares: the group, the loaded instance, clean errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import click
from rich.console import Console

from .. import accounts, enablement, plugin_settings
from ..audit import Actor, acting_as
from ..db import database, open_database
from ..host import PluginHost, build_host
from ..manifest import ManifestError
from ..schema import PendingMigrationsError
from ..settings import ConfigError, Settings, load_settings
from ..settings import use as use_settings

console = Console()
CLI_ACTOR = Actor(None, "cli")


class Env:
    """Settings and plugins, loaded once per command, on first use."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._host: PluginHost | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
            use_settings(self._settings)
        return self._settings

    @property
    def host(self) -> PluginHost:
        if self._host is None:
            self._host = build_host(self.settings)
            plugin_settings.bind(self.settings, self._host)
        return self._host

    @contextmanager
    def db(self) -> Iterator[None]:
        open_database(self.settings)
        with database.connection_context(), acting_as(CLI_ACTOR):
            yield


pass_env = click.make_pass_decorator(Env, ensure=True)

USER_ERRORS = (
    ConfigError,
    accounts.AccountError,
    enablement.EnablementError,
    ManifestError,
    PendingMigrationsError,
)


def clean_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures (and a database that does not answer) into one line."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import peewee

        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None
        except peewee.OperationalError as exc:
            raise click.ClickException(f"database error: {exc}".strip()) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="accord")
def cli() -> None:
    """Accord: ICT customer relationship and service management."""
