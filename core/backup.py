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
Restoring checks every checksum before it changes anything.
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
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from playhouse.migrations import Migration

from .clock import utcnow
from .db import database, sqlite_file
from .file_storage import DatabaseFiles, LocalFiles, copy_files, store_name
from .host import PluginHost
from .models import Organisation, User
from .schema import MigrationRecord, sources
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


class _Writer:
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

    def _write(self, name: str, source: IO[bytes], size: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


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
        with _sqlite(source, timeout) as conn:
            conn.execute("VACUUM INTO ?", (str(target),))
        with _sqlite(target, timeout) as copy:
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy the SQLite database {source}: {exc}") from None
    if problems != ["ok"]:
        raise BackupError(f"the copy of {source} is damaged: {'; '.join(problems[:3])}")


@contextmanager
def _sqlite(path: Path, timeout: float) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


# ---- PostgreSQL: pg_dump and pg_restore --------------------------------------------------


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
    _run(dump_command(safe_url, str(target)), env, "pg_dump")


def _run(command: list[str], env: dict[str, str], name: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{name} failed: {lines[0] if lines else f'exit {done.returncode}'}")


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
    _run(["pg_restore", "--list", str(dump)], env, "pg_restore")
    with database.atomic():
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
    _run(
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
    for name, expected in files.items():
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
            with _sqlite(target, timeout) as target_conn:
                source_conn.backup(target_conn)
        finally:
            source_conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot write the database {target}: {exc}") from None


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
    for done, name in enumerate(names, 1):
        target = settings.home / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, target)
        if progress is not None:
            progress(done, len(names))
    return len(names)
