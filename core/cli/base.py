"""What every ``accord`` command shares: the group, the loaded instance, clean errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import click
import peewee
from rich.console import Console

from .. import accounts, enablement, plugin_settings
from ..audit import Actor, acting_as
from ..db import database, open_database, sqlite_file
from ..host import PluginHost, build_host
from ..manifest import ManifestError
from ..schema import MigrationRecord, PendingMigrationsError
from ..settings import ConfigError, Settings, load_settings
from ..settings import use as use_settings

console = Console()
CLI_ACTOR = Actor(None, "cli")


class InstanceError(Exception):
    """There is no instance or database to work on here; the message says what to run."""


def one_line(exc: BaseException) -> str:
    """A driver's message on one line: PostgreSQL's add a tab-indented hint below."""
    lines = [" ".join(line.split()) for line in str(exc).splitlines()]
    return next((line for line in lines if line), type(exc).__name__)


class Env:
    """Settings and plugins, loaded once per command, on first use.

    Loading creates nothing: only ``init`` and ``migrate`` (``db(create=True)``)
    make the instance folder, its secret key and the SQLite file. Every other
    command finds a missing instance, an empty database or one that does not
    answer and says so in one line.
    """

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._host: PluginHost | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._use(load_settings(create_key=False))
        assert self._settings is not None
        return self._settings

    def _use(self, settings: Settings) -> None:
        self._settings = settings
        use_settings(settings)
        if self._host is not None:
            plugin_settings.bind(settings, self._host)

    @property
    def host(self) -> PluginHost:
        if self._host is None:
            self._host = build_host(self.settings)
            plugin_settings.bind(self.settings, self._host)
        return self._host

    @property
    def secret_key(self) -> str:
        """The instance's key, for commands that encrypt or sign; made if the instance lacks one."""
        if not self.settings.secret_key:
            self.require_instance()
            self._use(load_settings())
        return self.settings.secret_key

    def instance_problem(self) -> str | None:
        """Why there is no instance here (found without creating anything), or None."""
        path = sqlite_file(self.settings)
        if path is not None and not path.exists():
            home = self.settings.home
            return f"no instance at {home} (ACCORD_HOME): run `accord init` or `make run`"
        return None

    def require_instance(self) -> None:
        if problem := self.instance_problem():
            raise InstanceError(problem)

    @contextmanager
    def db(self, *, create: bool = False, migrated: bool = True) -> Iterator[None]:
        """Connected to the instance's database, acting as the command line.

        ``create`` makes the instance if there is none (``init``, ``migrate``);
        otherwise it must exist and, unless ``migrated=False``, have its tables.
        """
        if not create:
            self.require_instance()
        open_database(self.settings)
        try:
            database.connect(reuse_if_open=True)
        except peewee.DatabaseError as exc:
            raise InstanceError(f"cannot reach the database: {one_line(exc)}") from None
        with database.connection_context(), acting_as(CLI_ACTOR):
            if create and not self.settings.secret_key:
                self._use(load_settings())  # the new instance's key, made now
            elif migrated and not create and not MigrationRecord.table_exists():
                raise InstanceError("the database has no tables yet: run `accord migrate`")
            yield


pass_env = click.make_pass_decorator(Env, ensure=True)

USER_ERRORS = (
    ConfigError,
    InstanceError,
    accounts.AccountError,
    enablement.EnablementError,
    ManifestError,
    PendingMigrationsError,
)


# SQLite's and PostgreSQL's words for a table or column a pending migration would add.
MISSING_SCHEMA = re.compile(r"no such (table|column)|(relation|column) .* does not exist")


def clean_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures (and a database that does not answer) into one line."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            message = f"database error: {one_line(exc)}"
            if MISSING_SCHEMA.search(message):
                message += "; run `accord migrate` if migrations are pending"
            raise click.ClickException(message) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="accord")
def cli() -> None:
    """Accord: ICT customer relationship and service management."""
