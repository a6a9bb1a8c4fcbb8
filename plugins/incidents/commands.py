"""``accord incidents rebuild-summaries [--org SLUG]``: recount the report's daily summaries."""

from __future__ import annotations

from typing import Any


def add_commands(cli: Any) -> None:
    import click

    from accord import accounts
    from accord.cli.base import Env, clean_errors, console, pass_env

    from . import summaries, tasks

    @cli.group("incidents")
    def incidents() -> None:
        """Incidents and the service desk."""

    @incidents.command("rebuild-summaries")
    @click.option("--org", "org_slug", help="Only this organisation (default: every one).")
    @pass_env
    @clean_errors
    def rebuild_summaries(env: Env, org_slug: str | None) -> None:
        """Recount the service desk report's daily summaries from the incidents.

        After loading incidents in bulk, or if a report ever disagrees with its list.
        """
        with env.db():
            orgs = [accounts.get_org(org_slug)] if org_slug else tasks.organisations()
            for org in orgs:
                done = summaries.rebuild(org)
                console.print(
                    f"{org.slug}: {done.incidents:,} incidents, {done.rows:,} summary rows "
                    f"in {done.seconds:.1f} s"
                )
