"""Commands for a plugin's life on this instance: install, purge, uninstall."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from .. import accounts, lifecycle
from .base import Env, clean_errors, pass_env
from .plugins import plugins


def refusals(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A refused transition is one line and a non-zero exit."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except lifecycle.LifecycleError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@plugins.command("install")
@click.argument("plugin_id")
@pass_env
@clean_errors
@refusals
def plugins_install(env: Env, plugin_id: str) -> None:
    """Install a plugin again after `uninstall`: run its migrations."""
    with env.db():
        before = lifecycle.state_of(plugin_id)
        applied = lifecycle.install(env.host, plugin_id)
    for label in applied:
        click.echo(f"applied {label}")
    if before == lifecycle.INSTALLED:
        click.echo(f"{plugin_id} was already installed.")
    else:
        click.echo(f"installed {plugin_id}")


@plugins.command("purge")
@click.argument("plugin_id")
@click.option("--org", "org_slug", required=True)
@click.option("--dry-run", is_flag=True, help="Only count the rows that would be deleted.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_env
@clean_errors
@refusals
def plugins_purge(env: Env, plugin_id: str, org_slug: str, dry_run: bool, yes: bool) -> None:
    """Delete a disabled plugin's data in one organisation, after showing the counts."""
    with env.db():
        org = accounts.get_org(org_slug)
        counts = lifecycle.purge(env.host, org, plugin_id, dry_run=True)
        for table, n in counts.items():
            click.echo(f"{table}\t{n}")
        if dry_run:
            click.echo(f"dry run: would delete {lifecycle.describe(counts)}")
            return
        refusal = lifecycle.purge_refusal(env.host, org, plugin_id)
        if refusal:
            raise lifecycle.LifecycleError(refusal)
        if not yes:
            click.confirm(
                f"Delete {lifecycle.describe(counts)} of {plugin_id} in {org_slug}?", abort=True
            )
        counts = lifecycle.purge(env.host, org, plugin_id, dry_run=False)
    click.echo(f"purged {plugin_id} in {org_slug}: {lifecycle.describe(counts)}")


@plugins.command("uninstall")
@click.argument("plugin_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_env
@clean_errors
@refusals
def plugins_uninstall(env: Env, plugin_id: str, yes: bool) -> None:
    """Drop a plugin's tables; refused while it holds data or a plugin needs it."""
    with env.db():
        refusal = lifecycle.uninstall_refusal(env.host, plugin_id)
        if refusal:
            raise lifecycle.LifecycleError(refusal)
        tables = ", ".join(lifecycle.tables_of(env.host, plugin_id)) or "no tables"
        if not yes:
            click.confirm(f"Drop {tables} and uninstall {plugin_id}?", abort=True)
        dropped = lifecycle.uninstall(env.host, plugin_id)
    click.echo(f"uninstalled {plugin_id}; dropped {', '.join(dropped) or 'no tables'}")
