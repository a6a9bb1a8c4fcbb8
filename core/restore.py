"""Restoring a backup (``backup.py`` writes them): checked whole before anything changes.

Every file's checksum is compared first; a backup of the other database kind,
or one whose migrations this code does not know, is refused. Then the database,
the secret key, the configuration file and the kept files are put in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playhouse.migrations import Migration

from .backup import (
    CONFIG_NAME,
    COPY_CHUNK,
    FILES,
    FORMAT,
    KEY_NAME,
    MANIFEST,
    BackupError,
    Progress,
    config_file,
    is_archive,
    libpq,
    run_tool,
    sqlite_connection,
)
from .db import database, sqlite_file
from .file_storage import DatabaseFiles, LocalFiles, copy_files, store_name
from .host import PluginHost
from .models import Organisation, User
from .schema import sources
from .settings import Settings

# ---- reading and checking a backup --------------------------------------------------------


@contextmanager
def opened(source: Path, scratch: Path) -> Iterator[Path]:
    """The backup's folder: ``source`` itself, or an archive unpacked under ``scratch``."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if source.is_dir():
        yield source
        return
    if not is_archive(source):
        raise BackupError(f"{source} is neither a backup folder nor a .tar.gz archive")
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".accord-restore-", dir=scratch) as tmp:
        _unpack(source, Path(tmp))
        yield Path(tmp)


def _unpack(archive: Path, into: Path) -> None:
    member = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                # The "data" filter refuses links and paths outside the folder.
                tar.extract(member, into, filter="data")
            # A damaged header can end the listing early without an error: reading to
            # the end makes gzip check its length and CRC.
            assert tar.fileobj is not None
            while tar.fileobj.read(COPY_CHUNK):
                pass
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        where = f" (after {member.name})" if member is not None else ""
        raise BackupError(f"the archive {archive} is damaged{where}: {exc}; not restored") from None
    if not (into / MANIFEST).is_file():
        raise BackupError(f"the archive {archive} has no {MANIFEST}: damaged, or not a backup")


def verify(root: Path) -> dict[str, Any]:
    """The backup's manifest, once every file it lists has its size and checksum."""
    try:
        manifest = json.loads((root / MANIFEST).read_text())
        files = manifest["files"]
        kind = manifest["database"]["kind"]
    except FileNotFoundError:
        raise BackupError(f"{root} has no {MANIFEST}: it is not an Accord backup") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{MANIFEST} is damaged ({exc}); not restored") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"{MANIFEST} names an unknown database kind {kind!r}")
    if manifest["database"].get("file") not in files:
        raise BackupError(f"{MANIFEST} lists no database file; not restored")
    for name, expected in files.items():
        # Names are copied under ACCORD_HOME: none may lead out of it.
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise BackupError(f"{MANIFEST} names a file outside the backup ({name}); not restored")
        path = root / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup; not restored")
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(COPY_CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    return manifest


def code_migrations(host: PluginHost) -> dict[str, set[str]]:
    return {
        source: {m.name for m in Migration.load_directory(str(folder))}
        for source, folder in sources(host)
    }


def check_compatible(manifest: dict[str, Any], settings: Settings, host: PluginHost) -> list[str]:
    """Refuse a backup this code cannot run; return warnings for what it can."""
    kind = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest["database"]["kind"] != kind:
        raise BackupError(
            f"the backup holds a {manifest['database']['kind']} database and this instance uses "
            f"{kind}: restore it into an instance on {manifest['database']['kind']}"
        )
    known = code_migrations(host)
    newer: list[str] = []
    warnings: list[str] = []
    for source, names in manifest.get("migrations", {}).items():
        if source not in known:
            versions = [f"{p} {manifest['plugins'].get(p, '?')}" for p in source.split("+")]
            warnings.append(
                f"the backup has data of {', '.join(versions)}, not installed here: it is "
                "restored and unused until that plugin is installed"
            )
            continue
        newer += [f"{source}:{name}" for name in names if name not in known[source]]
    if newer:
        plugins = sorted({label.split(":")[0] for label in newer} - {"core"})
        needed = [f"Accord {manifest.get('accord_version', '?')}"]
        needed += [f"{p} {manifest['plugins'].get(p, '?')}" for p in plugins if "+" not in p]
        raise BackupError(
            f"the backup is newer than this code: it has migration(s) {', '.join(newer)}, "
            f"unknown here; install {', '.join(needed)} (or newer) and restore again"
        )
    return warnings


def has_data(settings: Settings) -> bool:
    """Whether restoring would overwrite something: organisations, users or kept files."""
    local = LocalFiles(settings.home / FILES)
    if next(local.keys(), None) is not None:
        return True
    if settings.is_sqlite:
        path = sqlite_file(settings)
        if path is None or not path.exists():
            return False
    if not Organisation.table_exists():
        return False
    return Organisation.select().exists() or User.select().exists()


# ---- restoring ---------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    files: int = 0
    notes: list[str] = field(default_factory=list)


def restore_backup(
    root: Path,
    manifest: dict[str, Any],
    settings: Settings,
    progress: Progress | None = None,
) -> RestoreResult:
    """Put a verified backup in place: database, secret key, config, files.

    The database connection must be open: on PostgreSQL it empties the
    database before pg_restore fills it.
    """
    result = RestoreResult(manifest)
    database_file = root / manifest["database"]["file"]
    if settings.is_sqlite:
        target = sqlite_file(settings)
        assert target is not None
        restore_sqlite(database_file, target, settings)
    else:
        restore_postgres(settings.database_url, database_file)
    result.notes += _restore_key(root, manifest, settings)
    result.notes += _restore_config(root, manifest, settings)
    result.files = _restore_files(root, manifest, settings, result.notes, progress)
    return result


def restore_sqlite(source: Path, target: Path, settings: Settings) -> None:
    """Replace the database at ``target`` with ``source``, through SQLite's own locking.

    SQLite's backup API writes the pages in one transaction: a server that
    still has the database open sees the old content or the new, never a mix.
    """
    timeout = int(settings.get("database", "sqlite_busy_timeout_ms", 5000)) / 1000
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        source_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            with sqlite_connection(target, timeout) as target_conn:
                source_conn.backup(target_conn)
        finally:
            source_conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot write the database {target}: {exc}") from None


def restore_postgres(url: str, dump: Path) -> None:
    """Load ``dump`` into the connected database at ``url``, in place of its tables."""
    safe_url, env = libpq(url)
    if shutil.which("pg_restore") is None:
        raise BackupError(
            "pg_restore is not on PATH: install PostgreSQL's client tools (e.g. apt-get install "
            "postgresql-client), the same major version as the server or newer"
        )
    # Reading the dump's table of contents fails on a dump this pg_restore cannot read,
    # before anything in the database is dropped.
    run_tool(["pg_restore", "--list", str(dump)], env, "pg_restore")
    with database.atomic():
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
    run_tool(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            safe_url,
            str(dump),
        ],
        env,
        "pg_restore",
    )


def _restore_key(root: Path, manifest: dict[str, Any], settings: Settings) -> list[str]:
    if KEY_NAME not in manifest["files"]:
        return [
            "the backup has no secret key: sessions and signed links made before it "
            "no longer work, and secret plugin settings must be entered again"
        ]
    key = (root / KEY_NAME).read_text().strip()
    if settings.secret_key_shared:
        if key == settings.secret_key:
            return []
        return [
            "this instance's secret key comes from ACCORD_SECRET_KEY or a key file and differs "
            f"from the backup's: to keep sessions, signed links and secret plugin settings, "
            f"put the key in the backup's {KEY_NAME} there"
        ]
    path = settings.home / KEY_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{KEY_NAME}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    partial.replace(path)
    return []


def _restore_config(root: Path, manifest: dict[str, Any], settings: Settings) -> list[str]:
    if CONFIG_NAME not in manifest["files"]:
        return []
    current = config_file(settings)
    backed_up = (root / CONFIG_NAME).read_bytes()
    if current is None:
        (settings.home / CONFIG_NAME).write_bytes(backed_up)
        return []
    if current.read_bytes() == backed_up:
        return []
    aside = settings.home / f"{CONFIG_NAME}.from-backup"
    aside.write_bytes(backed_up)
    return [f"{current} was kept; the backup's configuration differs and is in {aside}"]


def _restore_files(
    root: Path,
    manifest: dict[str, Any],
    settings: Settings,
    notes: list[str],
    progress: Progress | None,
) -> int:
    names = [name for name in manifest["files"] if name.startswith(f"{FILES}/")]
    store = store_name(settings)
    if manifest.get("file_store") == "database" and store == "local":
        notes.append(
            "the backup kept its files in the database, where they are now: set "
            "ACCORD_FILE_STORE=database, or run `accord files migrate --to local`"
        )
    if store == "database":
        if not names:
            return 0
        backup_store = LocalFiles(root / FILES)
        keys = list(backup_store.keys())
        counted = iter(range(1, len(keys) + 1))

        def done(_: object) -> None:
            if progress is not None:
                progress(next(counted), len(keys))

        copied = copy_files(backup_store, DatabaseFiles(), keys, done)
        return copied.copied
    folder = settings.home / FILES
    if folder.exists():
        shutil.rmtree(folder)
    for count, name in enumerate(names, 1):
        target = settings.home / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, target)
        if progress is not None:
            progress(count, len(names))
    return len(names)
