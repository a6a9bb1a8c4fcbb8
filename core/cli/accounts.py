"""Commands for organisations and users."""

from __future__ import annotations

import json
import sys

import click

from .. import accounts
from ..db import database
from .base import Env, clean_errors, cli, pass_env


@cli.group()
def org() -> None:
    """Organisations (tenants)."""


@org.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--time-zone", default="UTC", show_default=True, help="Its time zone, like Europe/London."
)
@pass_env
@clean_errors
def org_create(env: Env, slug: str, name: str, time_zone: str) -> None:
    """Create an organisation."""
    with env.db(), database.atomic():
        created = accounts.create_org(slug, name, time_zone)
    click.echo(f"Created organisation {created.slug} ({created.name}).")


@org.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_env
@clean_errors
def org_list(env: Env, as_json: bool) -> None:
    """List organisations."""
    from ..models import Organisation

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
