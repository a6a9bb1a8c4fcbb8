"""Commands that run and check an instance: init, migrate, serve, worker, demo, check."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..db import database
from ..schema import PendingMigration, PendingMigrationsError, pending
from ..schema import migrate as apply_migrations
from ..settings import ConfigError, require_shared_secret_key
from .base import Env, InstanceError, clean_errors, cli, one_line, pass_env


@cli.command()
@pass_env
@clean_errors
def init(env: Env) -> None:
    """Create the instance directory, its secret key and the database schema."""
    with env.db(create=True):
        done = apply_migrations(env.host)
    click.echo(f"Instance at {env.settings.home}; database {env.settings.database_url}")
    click.echo(f"Applied {len(done)} migration(s).")


@cli.command()
@pass_env
@clean_errors
def migrate(env: Env) -> None:
    """Apply pending migrations of the core and every plugin (creating the instance if needed)."""
    with env.db(create=True):
        done = apply_migrations(env.host)
    for label in done:
        click.echo(f"applied {label}")
    click.echo(f"{len(done)} migration(s) applied." if done else "Nothing to migrate.")


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default from config: 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port to listen on (default 8000).")
@click.option("--workers", default=None, type=int, help="Worker processes (default 1).")
@click.option(
    "--with-worker",
    is_flag=True,
    help="Also run the background job worker (escalations, emails, imports) beside the server;"
    " it is restarted when it dies and stopped with the server.",
)
@pass_env
@clean_errors
def serve(
    env: Env, host: str | None, port: int | None, workers: int | None, with_worker: bool
) -> None:
    """Run the web server."""
    require_shared_secret_key(env.settings)
    from ..serving import ServeError
    from ..serving import serve as run_server

    settings = env.settings
    with env.db():
        todo = pending(env.host)
    if todo:
        raise PendingMigrationsError(todo)
    for info in env.host.quarantined():
        click.echo(f"warning: plugin {info.id} not loaded: {info.reason}", err=True)
    host = host or settings.get("server", "host", "127.0.0.1")
    port = port or int(settings.get("server", "port", 8000))
    try:
        run_server(
            host,
            port,
            workers=workers or int(settings.get("server", "workers", 1)),
            with_worker=with_worker,
        )
    except ServeError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.option(
    "--no-scheduler",
    is_flag=True,
    help="Run queued tasks only; leave periodic tasks to a worker that runs the scheduler.",
)
@click.option(
    "--metrics-port",
    default=None,
    type=click.IntRange(1, 65535),
    help="Serve this worker's Prometheus metrics (job runs) on this port.",
)
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    help="Address for --metrics-port.",
)
@pass_env
@clean_errors
def worker(env: Env, no_scheduler: bool, metrics_port: int | None, metrics_host: str) -> None:
    """Run background and periodic jobs."""
    from ..worker import WorkerError, run_worker

    env.require_instance()
    try:
        run_worker(
            env.settings,
            env.host,
            scheduler=not no_scheduler,
            metrics_port=metrics_port,
            metrics_host=metrics_host,
        )
    except WorkerError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.option("--org", "org_slug", default="demo", show_default=True)
@click.option("--name", default="Demo Service Desk", show_default=True)
@click.option(
    "--force",
    is_flag=True,
    help="Add the demo users and data to an existing organisation that has none.",
)
@pass_env
@clean_errors
def demo(env: Env, org_slug: str, name: str, force: bool) -> None:
    """Create an organisation filled with realistic data from every plugin.

    Run again, it changes nothing. An existing organisation without the demo
    is refused, unless --force adds the demo to it.
    """
    from ..db import refresh_statistics
    from ..demo import DEMO_PASSWORD, DemoError, build_demo

    with env.db():
        todo = pending(env.host)
        if todo:
            raise PendingMigrationsError(todo)
        try:
            with database.atomic():
                result = build_demo(env.host, org_slug, name, into_existing=force)
        except DemoError as exc:
            raise click.ClickException(str(exc)) from None
        if result.created:
            refresh_statistics()  # a bulk load: plan the demo's pages from statistics
    if result.added:
        state = "Added the demo users and data to"
    elif result.created:
        state = "Created"
    else:
        state = "Already there, nothing added:"
    click.echo(f"{state} organisation {result.org.slug} ({result.org.name}).")
    for email, role in result.logins:
        click.echo(f"  sign in as {email} / {DEMO_PASSWORD}  ({role})")
    for reason in result.skipped:
        click.echo(f"  not enabled: {reason}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_env
@clean_errors
def check(env: Env, as_json: bool) -> None:
    """Check configuration, database, effective SQLite settings, migrations and plugins."""
    from ..db import effective_sqlite_settings
    from ..file_storage import store_name
    from ..mail import summary as mail_summary

    settings = env.settings
    report: dict[str, Any] = {"home": str(settings.home), "database": settings.database_url}
    problems: list[str] = []
    # None: not known, because the database was not reached.
    todo: list[PendingMigration] | None = None
    plugin_warnings: list[str] = []
    try:
        with env.db(migrated=False):
            if settings.is_sqlite:
                report["sqlite"] = effective_sqlite_settings()
                if report["sqlite"]["journal_mode"] != "wal":
                    problems.append("SQLite is not in WAL mode")
            todo = pending(env.host)
            # Plugins' own warnings (a missing database extension …), database at hand.
            plugin_warnings = [
                w
                for found in env.host.pm.hook.check_instance(settings=settings)
                for w in found or []
            ]
    except InstanceError as exc:
        problems.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        problems.append(f"database error: {one_line(exc)}")
    report["pending_migrations"] = None if todo is None else [item.label for item in todo]
    if todo:
        problems.append(f"{len(todo)} migration(s) pending: run `accord migrate`")
    report["plugins"] = {info.id: info.status for info in env.host.plugins.values()}
    for info in env.host.quarantined():
        problems.append(f"plugin {info.id} not loaded: {info.reason}")
    report["problems"] = problems
    report["file_store"] = store_name(settings)
    try:
        report["mail"] = mail_summary(settings)
    except ConfigError as exc:
        report["mail"] = "not configured"
        problems.append(f"mail: {exc}")
    warnings: list[str] = list(plugin_warnings)
    report["warnings"] = warnings
    if (
        not settings.is_sqlite
        and settings.get("jobs", "redis_url")
        and report["file_store"] == "local"
    ):
        # PostgreSQL and Redis mean several machines; a local folder is seen by one only.
        warnings.append(
            "files are kept in the local folder while PostgreSQL and Redis suggest several "
            "machines: set ACCORD_FILE_STORE=database (after `accord files migrate --to "
            "database`), unless the instance folder is shared storage"
        )
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
        click.echo(f"migrations pending: {'unknown' if todo is None else len(todo)}")
        click.echo(f"file store: {report['file_store']}")
        click.echo(f"mail: {report['mail']}")
        for warning in warnings:
            click.echo(f"warning: {warning}")
        for problem in problems:
            click.echo(f"problem: {problem}")
        click.echo("OK" if not problems else f"{len(problems)} problem(s)")
    if problems:
        sys.exit(1)
