"""Commands for plugins: list, enable, disable."""

from __future__ import annotations

import json

import click
from rich.table import Table

from .. import accounts, enablement
from .base import Env, clean_errors, cli, console, pass_env


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


