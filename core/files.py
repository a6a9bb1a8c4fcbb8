"""Files people upload (attachments, documents), kept under the instance folder.

``$ACCORD_HOME/files/<plugin>/<org id>/<random name>``: the stored name is
random, so nothing a user typed reaches the file system; a file's type is
checked against its first bytes, not only its name; and files are served only
as downloads, through a plugin's page that checks the member's organisation
and permission first. With several app servers, the instance folder must be
shared storage. The size limit comes from ``max_file_mb`` in the plugin's
``[plugins.<id>]`` configuration (default 10).

    store = FileStore("contacts")
    kept = store.save(settings, org, upload)        # raises Rejected with a message
    Document.create(org=org, **kept.fields(), ...)
    return store.download(settings, document)       # a FileResponse, or 404
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse

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
    """What to record about a kept file (the columns of a plugin's file model)."""

    filename: str
    content_type: str
    size: int
    stored_name: str
    sha256: str

    def fields(self) -> dict[str, Any]:
        return asdict(self)


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
    """One plugin's files, a folder per organisation."""

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
        self.kind = kind  # a subfolder: a plugin's imports apart from its documents
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

    def folder(self, settings: Settings, org: Organisation | int) -> Path:
        org_id = org if isinstance(org, int) else org.id
        base = settings.home / "files" / self.plugin
        return (base / self.kind if self.kind else base) / str(int(org_id))

    def path(self, settings: Settings, record: Any) -> Path:
        """Where the file of ``record`` (a row with ``org_id`` and ``stored_name``) is kept."""
        return self.folder(settings, record.org_id) / str(record.stored_name)

    def save(self, settings: Settings, org: Organisation | int, upload: Any) -> StoredFile:
        """Check ``upload`` (a Starlette ``UploadFile``) and keep it; ``Rejected`` says why not."""
        name = clean_name(str(getattr(upload, "filename", "") or ""))
        extension = Path(name).suffix.lower()
        if extension not in self.types:
            allowed = ", ".join(sorted(self.types))
            raise Rejected(f"Files of this type are not accepted. Allowed: {allowed}.")
        most = self.limits(settings)["max_bytes"]
        target = self.folder(settings, org)
        target.mkdir(parents=True, exist_ok=True)
        stored = secrets.token_hex(16)
        partial = target / f"{stored}.part"
        digest, size = hashlib.sha256(), 0
        source = upload.file
        source.seek(0)
        try:
            with partial.open("wb") as out:
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
                    out.write(chunk)
                    chunk = source.read(CHUNK)
            partial.replace(target / stored)
        finally:
            partial.unlink(missing_ok=True)
        return StoredFile(name, self.types[extension][0], size, stored, digest.hexdigest())

    def download(self, settings: Settings, record: Any) -> FileResponse:
        """The file of ``record`` as a download (never shown inline in our origin)."""
        path = self.path(settings, record)
        if not path.is_file():
            raise HTTPException(404, "The file is missing from the server's storage.")
        return FileResponse(
            path,
            media_type=str(record.content_type),
            filename=str(record.filename),
            content_disposition_type="attachment",
            headers={"Cache-Control": "private, no-store"},
        )

    def remove(self, settings: Settings, record: Any) -> None:
        self.path(settings, record).unlink(missing_ok=True)

    def purge(self, org: Organisation, dry_run: bool, settings: Settings | None = None) -> int:
        """Count, or delete, the organisation's kept files (for ``purge_org_data``).

        Without ``settings``, the bound ones, or else this process's environment's: the
        command line purges without the server's start-up.
        """
        folder = self.folder(settings or self.settings(), org)
        count = sum(1 for p in folder.glob("*") if p.is_file()) if folder.is_dir() else 0
        if not dry_run and folder.is_dir():
            shutil.rmtree(folder)
        return count
