"""Files people upload (attachments, documents), kept by the configured backend.

A file is addressed by plugin, kind, organisation and a random stored name, so
nothing a user typed reaches the storage; its type is checked against its
first bytes, not only its name; and files are served only as downloads,
through a plugin's page that checks the member's organisation and permission
first. ``[files] store`` (``ACCORD_FILE_STORE``) keeps them in the instance
folder (``local``, the default) or in the database (``database``: every app
server sees every file); see ``file_storage.py``. The size limit comes from
``max_file_mb`` in the plugin's ``[plugins.<id>]`` configuration (default 10).

    store = FileStore("contacts")
    kept = store.save(settings, org, upload)        # raises Rejected with a message
    Document.create(org=org, **kept.fields(), ...)
    return store.download(settings, document)       # a streamed download, or 404
    with store.open(settings, document) as source:  # a binary file object
        ...
    store.delete(settings, document)                # the record and its file, at once
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from peewee import Model
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response, StreamingResponse

from .db import database
from .file_storage import Backend, FileKey, LocalFiles, backend_for
from .models import Organisation
from .settings import Settings, load_settings

CHUNK = 64 * 1024
DEFAULT_MAX_MB = 10
ZIP = (b"PK\x03\x04",)
# Extension -> (the type it is served as, how its content starts; None: UTF-8 text).
TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".txt": ("text/plain; charset=utf-8", None),
    ".log": ("text/plain; charset=utf-8", None),
    ".csv": ("text/csv; charset=utf-8", None),
    ".eml": ("message/rfc822", None),
    ".zip": ("application/zip", ZIP),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
}


class Rejected(ValueError):
    """The file is refused; the message says why, for the person uploading it."""


@dataclass(frozen=True)
class StoredFile:
    """What to record about a kept file (the columns of a plugin's file model).

    It also stands for the file itself (``org_id`` and ``stored_name``), so a
    file can be read or removed before any record of it exists.
    """

    filename: str
    content_type: str
    size: int
    stored_name: str
    sha256: str
    org_id: int = field(default=0, compare=False)

    def fields(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "stored_name": self.stored_name,
            "sha256": self.sha256,
        }


def clean_name(name: str) -> str:
    """The file name to show and to offer on download: no folders, no odd characters."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.() -]+", "_", base).strip(" .") or "file"
    return base[-200:]


def _check_content(extension: str, head: bytes) -> None:
    _, starts = TYPES[extension]
    if starts is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # The head may end inside a character; only an error before that is real.
            if exc.start < len(head) - 4:
                raise Rejected("This file is not text, whatever its name says.") from None
        if b"\x00" in head:
            raise Rejected("This file is not text, whatever its name says.")
    elif not any(head.startswith(start) for start in starts):
        raise Rejected(f"This file is not a real {extension} file.")


class FileStore:
    """One plugin's files (of one kind), kept apart per organisation.

    ``record`` below is anything with ``org_id`` and ``stored_name``: a plugin's
    row, or the ``StoredFile`` that ``save`` returned.
    """

    def __init__(
        self,
        plugin: str,
        kind: str = "",
        *,
        size_setting: str = "max_file_mb",
        default_mb: int = DEFAULT_MAX_MB,
        extensions: tuple[str, ...] | None = None,
    ) -> None:
        self.plugin = plugin
        self.kind = kind  # a plugin's imports apart from its documents
        self.size_setting = size_setting
        self.default_mb = default_mb
        self.types = {e: TYPES[e] for e in extensions} if extensions else TYPES
        self._settings: Settings | None = None

    def bind(self, settings: Settings) -> None:
        """Remember the server's settings for work outside requests (call from ``startup``)."""
        self._settings = settings

    def settings(self) -> Settings:
        """The bound settings, or this process's environment's (a worker, the command line)."""
        return self._settings or load_settings()

    def limits(self, settings: Settings) -> dict[str, Any]:
        config = settings.plugin_config(self.plugin)
        megabytes = int(config.get(self.size_setting) or self.default_mb)
        return {
            "max_bytes": megabytes * 1024 * 1024,
            "max_mb": megabytes,
            "extensions": sorted(self.types),
        }

    def _key(self, record: Any) -> FileKey:
        return FileKey(self.plugin, self.kind, int(record.org_id), str(record.stored_name))

    def save(self, settings: Settings, org: Organisation | int, upload: Any) -> StoredFile:
        """Check ``upload`` (a Starlette ``UploadFile``) and keep it; ``Rejected`` says why not.

        The backend writes each chunk as it is read and checked; a file refused
        half-way leaves nothing behind.
        """
        name = clean_name(str(getattr(upload, "filename", "") or ""))
        extension = Path(name).suffix.lower()
        if extension not in self.types:
            allowed = ", ".join(sorted(self.types))
            raise Rejected(f"Files of this type are not accepted. Allowed: {allowed}.")
        most = self.limits(settings)["max_bytes"]
        org_id = org if isinstance(org, int) else int(org.id)
        stored = secrets.token_hex(16)
        digest = hashlib.sha256()
        size = 0

        def checked(source: IO[bytes]) -> Iterator[bytes]:
            nonlocal size
            head = source.read(CHUNK)
            if not head:
                raise Rejected("The file is empty.")
            _check_content(extension, head)
            chunk = head
            while chunk:
                size += len(chunk)
                if size > most:
                    raise Rejected(f"The file is larger than {most // (1024 * 1024)} MB.")
                digest.update(chunk)
                yield chunk
                chunk = source.read(CHUNK)

        upload.file.seek(0)
        key = FileKey(self.plugin, self.kind, org_id, stored)
        backend_for(settings).write(key, checked(upload.file))
        return StoredFile(
            name, self.types[extension][0], size, stored, digest.hexdigest(), org_id=org_id
        )

    def exists(self, settings: Settings, record: Any) -> bool:
        return backend_for(settings).exists(self._key(record))

    def chunks(self, settings: Settings, record: Any) -> Iterator[bytes]:
        """The kept file as byte chunks; ``FileNotFoundError`` when it is not kept."""
        found = backend_for(settings).read(self._key(record))
        if found is None:
            raise FileNotFoundError("The file is missing from the server's storage.")
        return found

    def open(self, settings: Settings, record: Any) -> IO[bytes]:
        """The kept file as a binary file object to read (and close, or use in ``with``)."""
        return io.BufferedReader(_ChunkReader(self.chunks(settings, record)), CHUNK)

    def download(self, settings: Settings, record: Any) -> Response:
        """The file of ``record`` as a download (never shown inline in our origin), or 404."""
        backend = backend_for(settings)
        key = self._key(record)
        headers = {"Cache-Control": "private, no-store"}
        if isinstance(backend, LocalFiles):
            path = backend.path(key)
            if not path.is_file():
                raise HTTPException(404, "The file is missing from the server's storage.")
            return FileResponse(
                path,
                media_type=str(record.content_type),
                filename=str(record.filename),
                content_disposition_type="attachment",
                headers=headers,
            )
        found = backend.read(key)
        if found is None:
            raise HTTPException(404, "The file is missing from the server's storage.")
        headers["Content-Disposition"] = _attachment(str(record.filename))
        return StreamingResponse(found, media_type=str(record.content_type), headers=headers)

    def remove(self, settings: Settings, record: Any) -> None:
        """Delete the kept file only (in the caller's transaction, with the database store)."""
        backend_for(settings).delete(self._key(record))

    def delete(self, settings: Settings, record: Model) -> None:
        """Delete ``record`` and its file together: one transaction with the database store."""
        backend = backend_for(settings)
        key = self._key(record)
        with database.atomic():
            record.delete_instance()
            if backend.transactional:
                backend.delete(key)
        if not backend.transactional:
            backend.delete(key)  # after the commit: a failed delete keeps a record's file

    def purge(self, org: Organisation, dry_run: bool, settings: Settings | None = None) -> int:
        """Count, or delete, the organisation's kept files (for ``purge_org_data``).

        Without ``settings``, the bound ones, or else this process's environment's: the
        command line purges without the server's start-up.
        """
        backend: Backend = backend_for(settings or self.settings())
        if dry_run:
            return len(backend.names(self.plugin, self.kind, int(org.id)))
        return backend.delete_all(self.plugin, self.kind, int(org.id))


def _attachment(filename: str) -> str:
    """The Content-Disposition that ``FileResponse`` sends, so both backends answer alike."""
    quoted = quote(filename)
    if quoted != filename:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{filename}"'


class _ChunkReader(io.RawIOBase):
    """A read-only raw stream over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()  # a generator reading a local file closes it now
        super().close()
