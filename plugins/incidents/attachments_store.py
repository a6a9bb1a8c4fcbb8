"""Files attached to incidents, kept under the instance folder, checked for size and type.

``$ACCORD_HOME/attachments/incidents/<org id>/<random name>``: the stored
name is random, so nothing a user typed reaches the file system, and files
are served only through the incident's download page, which checks the
member's organisation and permission. With several app servers the instance
folder must be shared storage. Limits come from ``[plugins.incidents]`` in the
configuration: ``max_attachment_mb`` (default 10).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from accord import Organisation, Request, Settings, User, utcnow
from accord.settings import load_settings

from .models import Attachment, Incident

CHUNK = 64 * 1024
DEFAULT_MAX_MB = 10
# Extension -> (the type we serve it as, how its content starts; None: UTF-8 text).
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
    ".zip": ("application/zip", (b"PK\x03\x04",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
}


class Rejected(ValueError):
    """The file cannot be attached; the message says why, for the person uploading it."""


def limits(request: Request) -> dict[str, Any]:
    config = request.app.state.accord.settings.plugin_config("incidents")
    megabytes = int(config.get("max_attachment_mb") or DEFAULT_MAX_MB)
    return {"max_bytes": megabytes * 1024 * 1024, "max_mb": megabytes, "extensions": sorted(TYPES)}


def folder(request: Request, org: Organisation | int) -> Path:
    home: Path = request.app.state.accord.settings.home
    org_id = org if isinstance(org, int) else org.id
    return home / "attachments" / "incidents" / str(int(org_id))


def path_of(request: Request, attachment: Attachment) -> Path:
    return folder(request, attachment.org_id) / str(attachment.stored_name)


def clean_name(name: str) -> str:
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


def store(request: Request, incident: Incident, upload: Any, user: User | None) -> Attachment:
    """Check ``upload`` (a Starlette ``UploadFile``), keep it, and record it on ``incident``."""
    name = clean_name(str(getattr(upload, "filename", "") or ""))
    extension = Path(name).suffix.lower()
    if extension not in TYPES:
        allowed = ", ".join(sorted(TYPES))
        raise Rejected(f"Files of this type cannot be attached. Allowed: {allowed}.")
    most = limits(request)["max_bytes"]
    target_dir = folder(request, incident.org_id)
    target_dir.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    partial = target_dir / f"{stored}.part"
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
        partial.replace(target_dir / stored)
    finally:
        partial.unlink(missing_ok=True)
    return Attachment.create(
        org=incident.org_id,
        incident=incident.id,
        filename=name,
        content_type=TYPES[extension][0],
        size=size,
        stored_name=stored,
        sha256=digest.hexdigest(),
        uploaded_by=user,
        uploaded_at=utcnow(),
    )


_home: dict[str, Path] = {}


def bind(settings: Settings) -> None:
    """Remember the instance folder for work outside requests (start-up; read-only after)."""
    _home["path"] = settings.home


def purge(org: Organisation, dry_run: bool) -> int:
    """Count, or delete, the organisation's stored files."""
    # The command line purges without start-up; its settings come from the same environment.
    home = _home.get("path") or load_settings().home
    path = home / "attachments" / "incidents" / str(int(org.id))
    count = sum(1 for p in path.glob("*") if p.is_file()) if path.is_dir() else 0
    if not dry_run and path.is_dir():
        shutil.rmtree(path)
    return count
