"""Backups of an instance: its database, kept files, secret key and config, with a manifest.

A backup is a folder, or the same content as one ``.tar.gz`` archive::

    manifest.json         versions, plugins, migrations, database kind, checksums
    database.sqlite3      SQLite: a consistent copy taken with VACUUM INTO
    database.pgdump       PostgreSQL: pg_dump's custom format
    secret_key            signs sessions and links, encrypts secret plugin settings
    accord.toml           the instance's configuration file, if it has one
    files/...             the local file store (with the database store, files are in the database)

The database is copied before the files: a document uploaded meanwhile leaves
an unused file in the backup, never a document without its file.
``restore.py`` reads a backup back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from .clock import utcnow
from .db import sqlite_file
from .file_storage import LocalFiles, store_name
from .host import PluginHost
from .schema import MigrationRecord
from .settings import Settings
from .version import CORE_API, __version__

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_NAME = "database.sqlite3"
POSTGRES_NAME = "database.pgdump"
KEY_NAME = "secret_key"
CONFIG_NAME = "accord.toml"
FILES = "files"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
COPY_CHUNK = 1024 * 1024

# Called after each kept file is copied: (files done, files in all).
Progress = Callable[[int, int], None]


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


def is_archive(path: Path) -> bool:
    return path.name.endswith(ARCHIVE_SUFFIXES)


# ---- writing a backup -----------------------------------------------------------------


class _Writer(ABC):
    """Adds files to a backup folder or archive, checksumming what it writes."""

    def __init__(self) -> None:
        self.checksums: dict[str, dict[str, Any]] = {}

    def add(self, name: str, source: Path) -> None:
        with source.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            digest = hashlib.sha256()
            self._write(name, _Hashing(handle, digest), size)
        self.checksums[name] = {"sha256": digest.hexdigest(), "size": size}

    def add_bytes(self, name: str, data: bytes, *, listed: bool = True) -> None:
        with tempfile.SpooledTemporaryFile() as buffer:
            buffer.write(data)
            buffer.seek(0)
            self._write(name, buffer, len(data))
        if listed:
            self.checksums[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    @abstractmethod
    def _write(self, name: str, source: IO[bytes], size: int) -> None:
        """Store ``size`` bytes of ``source`` as ``name`` (a folder's file, an archive's member)."""

    def close(self) -> None:  # noqa: B027 - only an archive has something to close
        return None


class _Hashing:
    """A file read through a hash, so a file is read once to copy and checksum it."""

    def __init__(self, handle: IO[bytes], digest: Any) -> None:
        self.handle, self.digest = handle, digest

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


class _FolderWriter(_Writer):
    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def _write(self, name: str, source: IO[bytes], size: int) -> None:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # Only its owner may read it: the backup holds the secret key.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out, COPY_CHUNK)  # type: ignore[misc]


class _ArchiveWriter(_Writer):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.tar = tarfile.open(path, "w:gz")  # noqa: SIM115 - closed by close()

    def _write(self, name: str, source: IO[bytes], size: int) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(utcnow().timestamp())
        self.tar.addfile(info, source)  # type: ignore[arg-type]

    def close(self) -> None:
        self.tar.close()


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]

    @property
    def kept_files(self) -> int:
        return sum(1 for name in self.manifest["files"] if name.startswith(f"{FILES}/"))

    @property
    def size(self) -> int:
        return sum(entry["size"] for entry in self.manifest["files"].values())


def check_destination(dest: Path) -> None:
    """Refuse a destination that would overwrite something."""
    if is_archive(dest):
        if dest.exists():
            raise BackupError(f"{dest} already exists: choose a new name")
        if not dest.parent.is_dir():
            raise BackupError(f"the folder {dest.parent} does not exist")
    elif dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} is not an empty folder: choose a new one")


def create_backup(
    settings: Settings, host: PluginHost, dest: Path, progress: Progress | None = None
) -> BackupResult:
    """Write a backup of the connected instance to ``dest`` (a folder, or ``*.tar.gz``).

    The database connection must be open. On failure nothing is left at ``dest``.
    """
    check_destination(dest)
    made_folder = not dest.exists() and not is_archive(dest)
    if is_archive(dest):
        # Only its owner may read it: the backup holds the secret key.
        dest.touch(mode=0o600)
        writer: _Writer = _ArchiveWriter(dest)
    else:
        dest.mkdir(mode=0o700, parents=True, exist_ok=True)
        writer = _FolderWriter(dest)
    try:
        manifest = _write_backup(settings, host, dest, writer, progress)
    except BaseException:
        writer.close()
        if is_archive(dest):
            dest.unlink(missing_ok=True)
        elif made_folder:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for child in dest.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    writer.close()
    return BackupResult(dest, manifest)


def _write_backup(
    settings: Settings, host: PluginHost, dest: Path, writer: _Writer, progress: Progress | None
) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "accord_version": __version__,
        "core_api": CORE_API,
        "created_at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "plugins": {info.id: info.manifest.version for info in host.loaded() if info.manifest},
        "migrations": applied_migrations(),
        "file_store": store_name(settings),
    }
    # The database copy waits beside the destination, where the operator made room.
    with tempfile.TemporaryDirectory(prefix=".accord-backup-", dir=dest.parent) as tmp:
        if settings.is_sqlite:
            path = sqlite_file(settings)
            if path is None:
                raise BackupError("an in-memory SQLite database cannot be backed up")
            copy = Path(tmp) / SQLITE_NAME
            snapshot_sqlite(path, copy, settings)
            writer.add(SQLITE_NAME, copy)
            manifest["database"] = {"kind": "sqlite", "file": SQLITE_NAME}
        else:
            dump = Path(tmp) / POSTGRES_NAME
            dump_postgres(settings.database_url, dump)
            writer.add(POSTGRES_NAME, dump)
            manifest["database"] = {"kind": "postgresql", "file": POSTGRES_NAME}
    if settings.secret_key:
        writer.add_bytes(KEY_NAME, (settings.secret_key + "\n").encode())
    config = config_file(settings)
    if config is not None:
        writer.add(CONFIG_NAME, config)
    if manifest["file_store"] == "local":
        store = LocalFiles(settings.home / FILES)
        keys = list(store.keys())
        for done, key_ in enumerate(keys, 1):
            path = store.path(key_)
            if path.is_file():  # not deleted since it was listed
                writer.add(path.relative_to(settings.home).as_posix(), path)
            if progress is not None:
                progress(done, len(keys))
    manifest["files"] = dict(writer.checksums)
    writer.add_bytes(MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode(), listed=False)
    return manifest


def applied_migrations() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if not MigrationRecord.table_exists():
        return found
    for row in MigrationRecord.select().order_by(MigrationRecord.plugin, MigrationRecord.name):
        found.setdefault(row.plugin, []).append(row.name)
    return found


def config_file(settings: Settings) -> Path | None:
    named = os.environ.get("ACCORD_CONFIG")
    path = Path(named) if named else settings.home / CONFIG_NAME
    return path if path.is_file() else None


def snapshot_sqlite(source: Path, target: Path, settings: Settings) -> None:
    """Copy the database as of one moment while the server keeps writing.

    ``VACUUM INTO`` reads in one transaction (in WAL mode writers go on), unlike
    a file copy, which can catch a page half written or miss the WAL's pages.
    """
    timeout = int(settings.get("database", "sqlite_busy_timeout_ms", 5000)) / 1000
    try:
        with sqlite_connection(source, timeout) as conn:
            conn.execute("VACUUM INTO ?", (str(target),))
        with sqlite_connection(target, timeout) as copy:
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy the SQLite database {source}: {exc}") from None
    if problems != ["ok"]:
        raise BackupError(f"the copy of {source} is damaged: {'; '.join(problems[:3])}")


@contextmanager
def sqlite_connection(path: Path, timeout: float) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


# ---- PostgreSQL: pg_dump (pg_restore in restore.py) ------------------------------------


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment with the password in PGPASSWORD.

    Passed on the command line, a password would show in every ``ps`` listing.
    """
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = parts.netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}@{netloc[1]}")
    return parts._replace(scheme="postgresql").geturl(), env


def dump_command(url: str, target: str) -> list[str]:
    return ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", target, url]


def dump_postgres(url: str, target: Path) -> None:
    safe_url, env = libpq(url)
    if shutil.which("pg_dump") is None:
        shown = " ".join(dump_command(f"'{safe_url}'", "accord.pgdump"))
        raise BackupError(
            "pg_dump is not on PATH (install PostgreSQL's client tools, e.g. apt-get install "
            f"postgresql-client); or dump the database yourself with `{shown}` and copy the "
            "file store and secret key as docs/operations.md (Backups) says"
        )
    run_tool(dump_command(safe_url, str(target)), env, "pg_dump")


def run_tool(command: list[str], env: dict[str, str], name: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{name} failed: {lines[0] if lines else f'exit {done.returncode}'}")
