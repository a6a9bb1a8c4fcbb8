"""One-time submission ids: a form sent twice changes things once.

Every ``{{ csrf_input }}`` writes a new random id beside the CSRF token. The
guard claims it inside the view's transaction, so a unique index, not any
process's memory, decides which of two identical POSTs runs the view; this
holds across app servers. The loser runs nothing and is sent where the winner
went (or back to the page it came from) with "This was already sent.". A
form without an id (an API client, a page rendered before this existed) is
not checked.
"""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import urlsplit

import peewee
from peewee import CharField, DateTimeField, TextField
from starlette.requests import Request
from starlette.responses import Response

from . import htmx
from .clock import utcnow
from .db import BaseModel

FIELD = "submission_id"
MESSAGE = "This was already sent."
# Long enough for a form left open all day and resubmitted with the Back button.
KEEP = dt.timedelta(days=7)
MAX_LENGTH = 64


class Submission(BaseModel):
    """A form submission that ran its view, and where its answer sent the browser."""

    nonce = CharField(max_length=MAX_LENGTH, unique=True)
    location = TextField(null=True)
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "accord_submission"


class AlreadySent(Exception):
    """The submission id was claimed by an earlier request."""


def new_id() -> str:
    return secrets.token_urlsafe(16)


def submitted_id(value: object) -> str | None:
    """The id a form carried, or None when it carried none worth checking."""
    if isinstance(value, str) and 0 < len(value) <= MAX_LENGTH:
        return value
    return None


def claim(nonce: str) -> None:
    """Record ``nonce`` in the current transaction; raises ``AlreadySent`` if it is taken.

    On PostgreSQL a concurrent twin waits here until the first transaction ends.
    """
    try:
        Submission.insert(nonce=nonce).execute()
    except peewee.IntegrityError:
        raise AlreadySent(nonce) from None
    Submission.delete().where(Submission.created_at < utcnow() - KEEP).execute()


def settle(nonce: str, response: Response) -> None:
    """Keep where the view's answer went; free the id when the view refused the form.

    A 4xx answer (a 422 with errors to correct) saved nothing, so sending the
    same form again after fixing it must run the view again.
    """
    if response.status_code >= 400:
        Submission.delete().where(Submission.nonce == nonce).execute()
        return
    location = response.headers.get("location") or response.headers.get(htmx.REDIRECT)
    if location:
        Submission.update(location=location).where(Submission.nonce == nonce).execute()


def previous_location(request: Request, nonce: str) -> str:
    """Where the first submission went; else the page the form was on; else the home page."""
    row = Submission.get_or_none(Submission.nonce == nonce)
    if row is not None and row.location:
        return str(row.location)
    for header in (htmx.CURRENT_URL, "referer"):
        page = urlsplit(request.headers.get(header, ""))
        # Only a page of this site: the header is the client's word.
        if page.netloc == request.url.netloc and page.path.startswith("/"):
            return page.path + (f"?{page.query}" if page.query else "")
    return "/"
