"""What a request may carry, checked once before any view reads it.

Bodies: a form is refused by its declared length and cut off while it streams
(small for forms, the upload limit for pages that take files), with a bound on
its fields; a page that takes no files refuses file parts. Text: NUL
characters, which no database column holds, are dropped from forms and query
strings. Numbers: ``integer()`` reads only ASCII digits that fit a database
integer, so "١٢", "²" or a 30-digit id is "no number", never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message

from .settings import Settings

MAX_FIELDS = 1000
# The largest value a BIGINT column (and SQLite's INTEGER) holds.
LARGEST_INTEGER = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]{1,19}")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"What was sent is larger than Accord accepts here ({_size(limit)}).")


def _size(limit: int) -> str:
    mib = limit / (1024 * 1024)
    return f"at most {mib:g} MB" if mib >= 1 else f"at most {limit // 1024} KB"


def integer(raw: Any, default: int | None = None) -> int | None:
    """``raw`` (text from a form, query or path) as an int a database can hold, else ``default``."""
    text = str(raw).strip() if raw is not None else ""
    if not _INTEGER.fullmatch(text):
        return default
    value = int(text)
    return value if -LARGEST_INTEGER <= value <= LARGEST_INTEGER else default


def body_limit(settings: Settings, *, uploads: bool) -> int:
    http = settings.section("http")
    if uploads:
        return int(http.get("max_upload_mb", 100)) * 1024 * 1024
    return int(http.get("max_form_kb", 1024)) * 1024


async def read_form(request: Request, limit: int, *, uploads: bool) -> FormData:
    """The request's form, within ``limit`` bytes and ``MAX_FIELDS`` fields, NUL-free."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isascii() or not declared.isdigit()):
        raise HTTPException(400, "The request's length is not a number.")
    if declared is not None and int(declared) > limit:
        raise BodyTooLarge(limit)
    bounded = Request(request.scope, _bounded(request.receive, limit))
    form = await bounded.form(max_files=1 if uploads else 0, max_fields=MAX_FIELDS)
    return FormData(
        [
            (key, value if isinstance(value, UploadFile) else _text(value))
            for key, value in form.multi_items()
        ]
    )


def _text(value: str) -> str:
    return value.replace("\x00", "") if "\x00" in value else value


def clean_query(scope: dict[str, Any]) -> None:
    """Drop NUL characters from the query string before anything parses it."""
    raw: bytes = scope.get("query_string", b"")
    if b"%00" in raw or b"%00".upper() in raw:
        scope["query_string"] = re.sub(rb"%00", b"", raw, flags=re.IGNORECASE)


def _bounded(
    receive: Callable[[], Awaitable[Message]], limit: int
) -> Callable[[], Awaitable[Message]]:
    """``receive`` that refuses the body once more than ``limit`` bytes have come."""
    received = 0

    async def bounded() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return bounded
