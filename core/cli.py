"""The ``accord`` command line: for people and for scripts.

Errors are one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from . import accounts, enablement
from .audit import Actor, acting_as
from .db import database, open_database
from .host import PluginHost, build_host
from .manifest import ManifestError
from .schema import PendingMigrationsError, pending
from .schema import migrate as apply_migrations
from .settings import ConfigError, Settings, load_settings

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
        return self._settings

    @property
    def host(self) -> PluginHost:
        if self._host is None:
            self._host = build_host(self.settings)
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


@cli.command()
@pass_env
@clean_errors
def init(env: Env) -> None:
    """Create the instance directory, its secret key and the database schema."""
    with env.db():
        done = apply_migrations(env.host)
    click.echo(f"Instance at {env.settings.home}; database {env.settings.database_url}")
    click.echo(f"Applied {len(done)} migration(s).")


@cli.command()
@pass_env
@clean_errors
def migrate(env: Env) -> None:
    """Apply pending migrations of the core and every plugin."""
    with env.db():
        done = apply_migrations(env.host)
    for label in done:
        click.echo(f"applied {label}")
    click.echo(f"{len(done)} migration(s) applied." if done else "Nothing to migrate.")


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default from config: 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port to listen on (default 8000).")
@click.option("--workers", default=None, type=int, help="Worker processes (default 1).")
@pass_env
@clean_errors
def serve(env: Env, host: str | None, port: int | None, workers: int | None) -> None:
    """Run the web server."""
    import uvicorn

    settings = env.settings
    with env.db():
        todo = pending(env.host)
    if todo:
        raise PendingMigrationsError(todo)
    for info in env.host.quarantined():
        click.echo(f"warning: plugin {info.id} not loaded: {info.reason}", err=True)
    host = host or settings.get("server", "host", "127.0.0.1")
    port = port or int(settings.get("server", "port", 8000))
    click.echo(f"Accord is running at http://{host}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(
        "accord.app:asgi",
        factory=True,
        host=host,
        port=port,
        workers=workers or int(settings.get("server", "workers", 1)),
        log_level="info",
        proxy_headers=True,
    )


@cli.command()
@pass_env
@clean_errors
def worker(env: Env) -> None:
    """Run background and periodic jobs."""
    from huey.consumer import Consumer

    from .jobs import make_queue

    open_database(env.settings)
    queue = make_queue(env.settings, env.host)
    click.echo(f"Worker started ({type(queue.storage).__name__}).")
    Consumer(queue, workers=2, periodic=True).run()


@cli.group()
def org() -> None:
    """Organisations (tenants)."""


@org.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name.")
@pass_env
@clean_errors
def org_create(env: Env, slug: str, name: str) -> None:
    """Create an organisation."""
    with env.db(), database.atomic():
        created = accounts.create_org(slug, name)
    click.echo(f"Created organisation {created.slug} ({created.name}).")


@org.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_env
@clean_errors
def org_list(env: Env, as_json: bool) -> None:
    """List organisations."""
    from .models import Organisation

    with env.db():
        rows = [
            {"slug": o.slug, "name": o.name}
            for o in Organisation.select().order_by(Organisation.slug)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['slug']}\t{row['name']}")


@cli.group()
def user() -> None:
    """User accounts."""


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--org", "org_slug", help="Add the user to this organisation.")
@click.option(
    "--role",
    type=click.Choice(["admin", "manager", "agent", "viewer"]),
    default="agent",
    show_default=True,
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_env
@clean_errors
def user_create(
    env: Env, email: str, name: str, org_slug: str | None, role: str, password_stdin: bool
) -> None:
    """Create a user, optionally as a member of an organisation."""
    password = _read_password(password_stdin)
    with env.db(), database.atomic():
        created = accounts.create_user(email, name, password)
        if org_slug:
            accounts.add_member(created, accounts.get_org(org_slug), role)
    click.echo(f"Created user {created.email}" + (f" ({role} of {org_slug})." if org_slug else "."))


@user.command("add")
@click.argument("email")
@click.option("--org", "org_slug", required=True)
@click.option("--role", type=click.Choice(["admin", "manager", "agent", "viewer"]), required=True)
@pass_env
@clean_errors
def user_add(env: Env, email: str, org_slug: str, role: str) -> None:
    """Give a user a role in an organisation (or change it)."""
    with env.db(), database.atomic():
        accounts.add_member(accounts.get_user(email), accounts.get_org(org_slug), role)
    click.echo(f"{email} is now {role} of {org_slug}.")


@user.command("passwd")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_env
@clean_errors
def user_passwd(env: Env, email: str, password_stdin: bool) -> None:
    """Set a user's password; their sessions are signed out."""
    password = _read_password(password_stdin)
    with env.db(), database.atomic():
        accounts.set_password(accounts.get_user(email), password)
    click.echo(f"Password changed for {email}; their sessions were ended.")


@cli.group()
def plugins() -> None:
    """Installed plugins and where they are enabled."""


@plugins.command("list")
@click.option("--org", "org_slug", help="Show whether each plugin is enabled there.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_env
@clean_errors
def plugins_list(env: Env, org_slug: str | None, as_json: bool) -> None:
    """List plugins, loaded and quarantined, with the reason a plugin did not load."""
    host = env.host
    enabled: frozenset[str] | None = None
    if org_slug:
        with env.db():
            enabled = enablement.enabled_plugins(host, accounts.get_org(org_slug))
    rows = []
    for info in host.plugins.values():
        m = info.manifest
        rows.append(
            {
                "id": info.id,
                "title": m.title if m else "",
                "version": m.version if m else "",
                "status": info.status,
                "reason": info.reason,
                "source": info.source,
                "depends": list(m.depends) if m else [],
                "always_on": bool(m and m.always_on),
                **({"enabled": info.id in enabled} if enabled is not None else {}),
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(
        "id", "version", "status", "needs", *(["enabled"] if enabled is not None else []), "notes"
    )
    for row in rows:
        extra = ["yes" if row.get("enabled") else "no"] if enabled is not None else []
        note = row["reason"] or ("core, always on" if row["always_on"] else row["source"])
        table.add_row(
            row["id"], row["version"], row["status"], ", ".join(row["depends"]), *extra, note
        )
    console.print(table)


@plugins.command("enable")
@click.argument("plugin_id")
@click.option("--org", "org_slug", required=True)
@pass_env
@clean_errors
def plugins_enable(env: Env, plugin_id: str, org_slug: str) -> None:
    """Enable a plugin (and what it needs) for an organisation."""
    with env.db():
        added = enablement.enable(env.host, accounts.get_org(org_slug), plugin_id)
    if not added:
        click.echo(f"{plugin_id} was already enabled for {org_slug}.")
    for pid in added:
        why = "" if pid == plugin_id else f" (needed by {plugin_id})"
        click.echo(f"enabled {pid} for {org_slug}{why}")


@plugins.command("disable")
@click.argument("plugin_id")
@click.option("--org", "org_slug", required=True)
@pass_env
@clean_errors
def plugins_disable(env: Env, plugin_id: str, org_slug: str) -> None:
    """Disable a plugin for an organisation; its data is kept."""
    with env.db():
        enablement.disable(env.host, accounts.get_org(org_slug), plugin_id)
    click.echo(f"disabled {plugin_id} for {org_slug} (its data is kept)")


@cli.command()
@click.option("--org", "org_slug", default="demo", show_default=True)
@click.option("--name", default="Demo Service Desk", show_default=True)
@pass_env
@clean_errors
def demo(env: Env, org_slug: str, name: str) -> None:
    """Create an organisation filled with realistic data from every plugin."""
    from .demo import DEMO_PASSWORD, build_demo

    with env.db():
        todo = pending(env.host)
        if todo:
            raise PendingMigrationsError(todo)
        with database.atomic():
            result = build_demo(env.host, org_slug, name)
    state = "Created" if result.created else "Already there:"
    click.echo(f"{state} organisation {result.org.slug} ({result.org.name}).")
    for email, role in result.logins:
        click.echo(f"  sign in as {email} / {DEMO_PASSWORD}  ({role})")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_env
@clean_errors
def check(env: Env, as_json: bool) -> None:
    """Check configuration, database, effective SQLite settings, migrations and plugins."""
    from .db import effective_sqlite_settings

    settings = env.settings
    report: dict[str, Any] = {"home": str(settings.home), "database": settings.database_url}
    problems: list[str] = []
    try:
        with env.db():
            database.execute_sql("SELECT 1")
            if settings.is_sqlite:
                report["sqlite"] = effective_sqlite_settings()
                if report["sqlite"]["journal_mode"] != "wal":
                    problems.append("SQLite is not in WAL mode")
            todo = pending(env.host)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        problems.append(f"database unreachable: {exc}")
        todo = []
    report["pending_migrations"] = [item.label for item in todo]
    if todo:
        problems.append(f"{len(todo)} migration(s) pending: run `accord migrate`")
    report["plugins"] = {info.id: info.status for info in env.host.plugins.values()}
    for info in env.host.quarantined():
        problems.append(f"plugin {info.id} not loaded: {info.reason}")
    report["problems"] = problems
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        for key in ("home", "database"):
            click.echo(f"{key}: {report[key]}")
        for key, value in report.get("sqlite", {}).items():
            click.echo(f"sqlite {key}: {value}")
        click.echo(
            f"plugins: {len(env.host.order)} loaded, {len(env.host.quarantined())} not loaded"
        )
        click.echo(f"migrations pending: {len(todo)}")
        for problem in problems:
            click.echo(f"problem: {problem}")
        click.echo("OK" if not problems else f"{len(problems)} problem(s)")
    if problems:
        sys.exit(1)


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
