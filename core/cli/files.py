"""Commands for kept files: ``accord files migrate --to database|local``."""

from __future__ import annotations

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ..file_storage import DatabaseFiles, LocalFiles, copy_files
from ..schema import PendingMigrationsError, pending
from .base import Env, clean_errors, cli, console, pass_env


@cli.group()
def files() -> None:
    """Uploaded files (documents, attachments, imports) and where they are kept."""


@files.command("migrate")
@click.option(
    "--to",
    "target_name",
    type=click.Choice(["database", "local"]),
    required=True,
    help="The store to copy every kept file into.",
)
@pass_env
@clean_errors
def files_migrate(env: Env, target_name: str) -> None:
    """Copy every kept file into the other store; files already there are left alone."""
    folder = env.settings.home / "files"
    local, in_database = LocalFiles(folder), DatabaseFiles()
    source, target = (local, in_database) if target_name == "database" else (in_database, local)
    with env.db():
        todo = pending(env.host)
        if todo:
            raise PendingMigrationsError(todo)
        keys = list(source.keys())
        columns = (TextColumn("copying files"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("files", total=len(keys))
            result = copy_files(source, target, keys, lambda _: progress.advance(task))
    for left in result.left_out:
        click.echo(f"left out {left}: its organisation (or the file) no longer exists", err=True)
    where = "the database" if target_name == "database" else str(folder)
    click.echo(
        f"Copied {result.copied} file(s) ({result.size / 1024 / 1024:.1f} MB) into {where}; "
        f"{result.present} already there, {len(result.left_out)} left out."
    )
    click.echo(
        f'Now set ACCORD_FILE_STORE={target_name} (or [files] store = "{target_name}") on '
        "every app server and worker and restart them. The original copies are left in place."
    )
