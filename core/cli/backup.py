"""``accord backup DEST`` and ``accord restore SRC``: the whole instance, not just its database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ..backup import BackupError, create_backup
from ..backup import Progress as Advance
from ..db import refresh_statistics
from ..restore import check_compatible, has_data, opened, restore_backup, verify
from ..schema import pending
from .base import Env, clean_errors, cli, pass_env

# Progress goes to stderr, so stdout stays the summary a script can read.
progress_console = Console(stderr=True)


@contextmanager
def progress_bar(label: str) -> Iterator[Advance]:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=progress_console, transient=True) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


@contextmanager
def one_line_errors() -> Iterator[None]:
    try:
        yield
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:  # a folder not writable, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        raise click.ClickException(f"{where}{exc.strerror or exc}") from None


@cli.command()
@click.argument("dest", type=click.Path(path_type=Path))
@pass_env
@clean_errors
def backup(env: Env, dest: Path) -> None:
    """Back up the instance to DEST, a new folder, or one archive if DEST ends in .tar.gz.

    The backup holds the database (copied consistently while the server runs;
    on PostgreSQL with pg_dump), the kept files, the secret key, the
    configuration file and manifest.json (versions, migrations, checksums).
    It holds the secret key: keep it as safe as the key.
    """
    dest = dest.absolute()
    with one_line_errors(), env.db(), progress_bar("backing up files") as advance:
        result = create_backup(env.settings, env.host, dest, advance)
    kind = result.manifest["database"]["kind"]
    size = result.size / 1024 / 1024
    store = result.manifest["file_store"]
    files = (
        f"{result.kept_files} kept file(s)" if store == "local" else "kept files (in the database)"
    )
    click.echo(
        f"Backed up the {kind} database, {files} and the secret key to {dest} ({size:.1f} MB)."
    )
    click.echo("Check it with `accord restore` into an empty ACCORD_HOME (docs/operations.md).")


@cli.command()
@click.argument("source", metavar="SRC", type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace an instance that already has organisations, users or kept files.",
)
@pass_env
@clean_errors
def restore(env: Env, source: Path, force: bool) -> None:
    """Restore the backup SRC (a folder or .tar.gz) into this ACCORD_HOME and database.

    Every checksum is checked before anything changes. A backup newer than this
    code, or of the other database kind, is refused. Stop the servers and
    workers first; afterwards run `accord migrate` if it says so.
    """
    settings = env.settings
    with one_line_errors(), opened(source.absolute(), settings.home.parent) as root:
        manifest = verify(root)
        warnings = check_compatible(manifest, settings, env.host)
        with env.db(create=True, migrated=False):
            if has_data(settings) and not force:
                raise BackupError(
                    f"the instance at {settings.home} already has data (organisations, users "
                    "or kept files): restore into an empty ACCORD_HOME and database, or add "
                    "--force to replace it with the backup"
                )
            with progress_bar("restoring files") as advance:
                result = restore_backup(root, manifest, settings, progress=advance)
    with env.db():
        refresh_statistics()  # pg_restore brings the rows back, not the planner's statistics
        todo = pending(env.host)
    click.echo(
        f"Restored the backup of {manifest['created_at']} (Accord {manifest['accord_version']}): "
        f"the {manifest['database']['kind']} database and {result.files} kept file(s)."
    )
    for note in warnings + result.notes:
        click.echo(f"warning: {note}", err=True)
    if todo:
        labels = ", ".join(item.label for item in todo)
        click.echo(
            f"{len(todo)} migration(s) pending ({labels}): the backup is older than this code; "
            "run `accord migrate`."
        )
    click.echo("Restart the servers and workers.")
