"""``accord contacts import``: the browser's import, run from the command line.

The file is read where it lies, through the same job and steps as the
background worker's (``import_jobs.process``): checked and staged in batches,
then written in short batches and shown at once; all of it, or nothing.
"""

from __future__ import annotations

import os
from typing import Any

import click

from . import importing
from .import_jobs import ImportJob, claim, process


def add_commands(cli: Any) -> None:
    """``accord contacts import FILE --org SLUG [--dry-run] [--on-match …] [--map col=field …]``."""
    from rich.progress import Progress

    from accord import accounts
    from accord.cli.base import Env, clean_errors, console, pass_env
    from accord.enablement import PluginEnablement

    @cli.group("contacts")
    def contacts() -> None:
        """People and customer organisations."""

    @contacts.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--org", "org_slug", required=True, help="The organisation to import into.")
    @click.option("--dry-run", is_flag=True, help="Check every row; save nothing.")
    @click.option(
        "--on-match",
        type=click.Choice(importing.ON_MATCH),
        default="skip",
        show_default=True,
        help="What to do with a row whose email or phone is already a person's.",
    )
    @click.option(
        "--map",
        "pairs",
        multiple=True,
        metavar="COLUMN=FIELD",
        help=f"Fields: {', '.join(importing.FIELDS)}.",
    )
    @pass_env
    @clean_errors
    def import_people(
        env: Env, file: str, org_slug: str, dry_run: bool, on_match: str, pairs: tuple[str, ...]
    ) -> None:
        """Import people from a CSV file: all of them, or none if any row is wrong."""
        with env.db():
            org = accounts.get_org(org_slug)
            on = (
                PluginEnablement.select()
                .where(
                    (PluginEnablement.org == org)
                    & (PluginEnablement.plugin == "contacts")
                    & (PluginEnablement.enabled == True)  # noqa: E712
                )
                .exists()
            )
            if not on:
                raise click.ClickException(f"contacts is not enabled in {org_slug}")
            try:
                with open(file, "rb") as source:
                    headers = importing.open_csv(source).headers
                mapping = importing.parse_mapping(list(pairs), headers)
                importing.check_mapping(mapping)
            except importing.ImportError_ as exc:
                raise click.ClickException(str(exc)) from None
            job = ImportJob.create(
                org=org,
                filename=os.path.basename(file)[:200],
                stored_name="",  # read where it lies: nothing kept
                size=os.path.getsize(file),
                headers=headers,
                mapping=mapping,
                on_match=on_match,
                status="queued",
            )
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task("Checking", total=None)

                def phase(status: str, *, was: str) -> bool:
                    bar.reset(task, description=status.capitalize(), total=job.rows or None)
                    return claim(job, status, was=was)

                outcome = process(
                    job,
                    lambda: open(file, "rb"),  # noqa: SIM115 (process closes it)
                    dry_run,
                    tick=lambda rows=1: bar.advance(task, rows),
                    phase=phase,
                )
            job = ImportJob.get_by_id(job.id)
        for line, errors in job.errors:
            click.echo(f"line {line}: {' '.join(errors)}", err=True)
        if outcome == "invalid":
            raise click.ClickException(
                f"{job.error_count} of {job.rows} rows have errors; nothing was imported"
            )
        if outcome != "done" and outcome != "checked":
            raise click.ClickException(f"{job.message} Nothing was imported.")
        if dry_run:
            new = job.rows - job.matched
            verb = "updated" if on_match == "update" else "skipped"
            click.echo(
                f"dry run: {job.rows} rows are valid; {new} would be added, "
                f"{job.matched} {verb}; nothing was saved"
            )
            if job.new_organisation_count:
                click.echo(job.new_organisations_words)
            return
        click.echo(f"{job.created} added, {job.updated} updated, {job.skipped} skipped")
