"""Where kept files live: a folder under the instance, or chunk rows in the database.

Both backends address a file by ``FileKey`` (plugin, kind, organisation, stored
name), take its content as an iterator of byte chunks and give it back the same
way, so a file is never whole in memory. ``[files] store`` (``ACCORD_FILE_STORE``)
chooses one: ``local`` (the default, one machine or a shared folder) or
``database`` (every app server and worker that shares the database sees it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from peewee import (
    BigIntegerField,
    BlobField,
    CharField,
    DateTimeField,
    Expression,
    ForeignKeyField,
    IntegerField,
)

from .clock import utcnow
from .db import BaseModel, database
from .models import Organisation
from .settings import FILE_STORES, ConfigError, Settings

DATABASE_CHUNK = 256 * 1024
READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileKey:
    plugin: str
    kind: str
    org_id: int
    name: str


class Backend(Protocol):
    # True when deleting joins the caller's database transaction.
    transactional: bool

    def write(self, key: FileKey, chunks: Iterable[bytes]) -> None:
        """Keep the chunks under ``key``; if the iterator raises, nothing is kept."""

    def read(self, key: FileKey) -> Iterator[bytes] | None:
        """The file's chunks, or None when it is not kept (looked up before returning)."""

    def exists(self, key: FileKey) -> bool: ...

    def delete(self, key: FileKey) -> None: ...

    def names(self, plugin: str, kind: str, org_id: int) -> list[str]: ...

    def delete_all(self, plugin: str, kind: str, org_id: int) -> int: ...

    def keys(self) -> Iterator[FileKey]:
        """Every kept file, of every plugin and organisation."""


def backend_for(settings: Settings) -> Backend:
    name = store_name(settings)
    return DatabaseFiles() if name == "database" else LocalFiles(settings.home / "files")


def store_name(settings: Settings) -> str:
    name = str(settings.get("files", "store", "local") or "local").strip().lower()
    if name not in FILE_STORES:
        raise ConfigError(
            f"unknown file store {name!r} ([files] store, ACCORD_FILE_STORE): "
            f"use {' or '.join(FILE_STORES)}"
        )
    return name


class LocalFiles:
    """``<root>/<plugin>/[<kind>/]<org id>/<stored name>`` on this machine's disk."""

    transactional = False

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, plugin: str, kind: str, org_id: int) -> Path:
        base = self.root / plugin
        return (base / kind if kind else base) / str(int(org_id))

    def path(self, key: FileKey) -> Path:
        return self.folder(key.plugin, key.kind, key.org_id) / key.name

    def write(self, key: FileKey, chunks: Iterable[bytes]) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{key.name}.part")
        try:
            with partial.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)

    def read(self, key: FileKey) -> Iterator[bytes] | None:
        path = self.path(key)
        if not path.is_file():
            return None
        return _file_chunks(path)

    def exists(self, key: FileKey) -> bool:
        return self.path(key).is_file()

    def delete(self, key: FileKey) -> None:
        self.path(key).unlink(missing_ok=True)

    def names(self, plugin: str, kind: str, org_id: int) -> list[str]:
        folder = self.folder(plugin, kind, org_id)
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".part")

    def delete_all(self, plugin: str, kind: str, org_id: int) -> int:
        names = self.names(plugin, kind, org_id)
        for name in names:
            self.delete(FileKey(plugin, kind, org_id, name))
        return len(names)

    def keys(self) -> Iterator[FileKey]:
        if not self.root.is_dir():
            return
        for folder, _, files in sorted(os.walk(self.root)):
            parts = Path(folder).relative_to(self.root).parts
            # <plugin>/<org> or <plugin>/<kind>/<org>; anything else is not ours.
            if len(parts) not in (2, 3) or not parts[-1].isdigit():
                continue
            plugin, kind = parts[0], parts[1] if len(parts) == 3 else ""
            for name in sorted(files):
                if not name.endswith(".part"):
                    yield FileKey(plugin, kind, int(parts[-1]), name)


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(READ_CHUNK):
            yield chunk


class KeptFile(BaseModel):
    """One file kept in the database; its content is in ``FileChunk`` rows."""

    plugin = CharField(max_length=100)
    kind = CharField(max_length=50, default="")
    org = ForeignKeyField(Organisation, on_delete="CASCADE", backref="+")
    stored_name = CharField(max_length=64)
    size = BigIntegerField(default=0)
    chunks = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "accord_file"
        indexes = ((("plugin", "kind", "org", "stored_name"), True),)


class FileChunk(BaseModel):
    file = ForeignKeyField(KeptFile, on_delete="CASCADE", backref="+")
    seq = IntegerField()
    data = BlobField()

    class Meta:
        table_name = "accord_file_chunk"
        indexes = ((("file", "seq"), True),)


FILE_MODELS = (KeptFile, FileChunk)


@contextmanager
def _connected() -> Iterator[None]:
    """A connection for this thread: the caller's, or one of the pool's for the duration.

    A streamed download reads its chunks after the endpoint returned, from
    whichever thread the server picks, so each read takes its own connection.
    """
    opened = database.is_closed()
    if opened:
        database.connect()
    try:
        yield
    finally:
        if opened:
            database.close()


class DatabaseFiles:
    """``accord_file`` rows with ``accord_file_chunk`` rows of up to 256 KiB each."""

    transactional = True

    def _row(self, key: FileKey) -> KeptFile | None:
        return KeptFile.get_or_none(
            (KeptFile.plugin == key.plugin)
            & (KeptFile.kind == key.kind)
            & (KeptFile.org == key.org_id)
            & (KeptFile.stored_name == key.name)
        )

    def write(self, key: FileKey, chunks: Iterable[bytes]) -> None:
        with _connected(), database.atomic():
            row = KeptFile.create(
                plugin=key.plugin, kind=key.kind, org=key.org_id, stored_name=key.name
            )
            buffer, seq, size = bytearray(), 0, 0
            for chunk in chunks:
                buffer += chunk
                size += len(chunk)
                while len(buffer) >= DATABASE_CHUNK:
                    FileChunk.create(file=row.id, seq=seq, data=bytes(buffer[:DATABASE_CHUNK]))
                    del buffer[:DATABASE_CHUNK]
                    seq += 1
            if buffer:
                FileChunk.create(file=row.id, seq=seq, data=bytes(buffer))
                seq += 1
            KeptFile.update(size=size, chunks=seq).where(KeptFile.id == row.id).execute()

    def read(self, key: FileKey) -> Iterator[bytes] | None:
        with _connected():
            row = self._row(key)
        if row is None:
            return None
        return self._chunks(row.id, row.chunks)

    def _chunks(self, file_id: int, count: int) -> Iterator[bytes]:
        # One query per chunk: only one chunk is ever in memory, and no cursor is
        # held open across the threads a streamed response is sent from.
        for seq in range(count):
            with _connected():
                data = (
                    FileChunk.select(FileChunk.data)
                    .where((FileChunk.file == file_id) & (FileChunk.seq == seq))
                    .scalar()
                )
            if data is None:
                raise FileNotFoundError("the file was deleted while it was being read")
            yield bytes(data)

    def exists(self, key: FileKey) -> bool:
        with _connected():
            return self._row(key) is not None

    def delete(self, key: FileKey) -> None:
        with _connected():
            row = self._row(key)
            if row is not None:
                # The chunks go first: SQLite may run without enforced foreign keys.
                FileChunk.delete().where(FileChunk.file == row.id).execute()
                row.delete_instance()

    def _of(self, plugin: str, kind: str, org_id: int) -> Expression:
        return (KeptFile.plugin == plugin) & (KeptFile.kind == kind) & (KeptFile.org == org_id)

    def names(self, plugin: str, kind: str, org_id: int) -> list[str]:
        with _connected():
            query = KeptFile.select(KeptFile.stored_name).where(self._of(plugin, kind, org_id))
            return sorted(str(r.stored_name) for r in query)

    def delete_all(self, plugin: str, kind: str, org_id: int) -> int:
        with _connected():
            ids = KeptFile.select(KeptFile.id).where(self._of(plugin, kind, org_id))
            FileChunk.delete().where(FileChunk.file.in_(ids)).execute()
            return int(KeptFile.delete().where(self._of(plugin, kind, org_id)).execute())

    def keys(self) -> Iterator[FileKey]:
        with _connected():
            rows = list(
                KeptFile.select(
                    KeptFile.plugin, KeptFile.kind, KeptFile.org, KeptFile.stored_name
                ).tuples()
            )
        for plugin, kind, org_id, name in rows:
            yield FileKey(plugin, kind, org_id, name)


@dataclass
class Copied:
    """What ``copy_files`` did: files copied, already there, and left out (with why)."""

    copied: int = 0
    present: int = 0
    size: int = 0
    left_out: list[str] = field(default_factory=list)


def copy_files(
    source: Backend, target: Backend, keys: list[FileKey], done: Callable[[FileKey], None]
) -> Copied:
    """Copy each of ``keys`` from ``source`` to ``target``, streamed; a file there already stays.

    Run twice, the second run copies nothing. ``done`` is called after each key.
    """
    result = Copied()
    with _connected():
        orgs = {int(i) for (i,) in Organisation.select(Organisation.id).tuples()}
    for key in keys:
        if target.exists(key):
            result.present += 1
        elif key.org_id not in orgs:
            result.left_out.append(f"{key.plugin}/{key.kind or '-'}/{key.org_id}/{key.name}")
        else:
            chunks = source.read(key)
            if chunks is None:  # deleted since it was listed
                result.left_out.append(f"{key.plugin}/{key.kind or '-'}/{key.org_id}/{key.name}")
            else:
                target.write(key, _counted(chunks, result))
                result.copied += 1
        done(key)
    return result


def _counted(chunks: Iterator[bytes], result: Copied) -> Iterator[bytes]:
    for chunk in chunks:
        result.size += len(chunk)
        yield chunk
