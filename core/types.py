"""Plain records that plugins hand to the core through hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Scope = Literal["org", "global", "public"]


@dataclass(frozen=True)
class Page:
    """A route a plugin serves.

    ``scope="org"`` (the default) mounts it at ``/o/<org>/<plugin><path>``:
    the user must be signed in, belong to the organisation, have the plugin
    enabled there and hold ``permission``. ``"global"`` mounts it at
    ``<path>`` for any signed-in user; ``"public"`` needs no sign-in.
    The endpoint is a plain function ``(request) -> Response``; the core runs
    it in a worker thread with a database connection open, inside a
    transaction when the method changes state. ``bare=True`` (public pages
    only: probes, metrics) serves the endpoint as it is, a Starlette endpoint
    with no session, no database connection and no CSRF check, so that it
    answers even when the database does not. ``once=False`` lets a form sent
    twice run twice (sign-in: the second must sign in too, or the browser that
    dropped the first answer ends up signed out); every other state-changing
    page runs once per submission id (``accord.submissions``). A form may carry
    files only when ``uploads=True`` (the body may then be as large as
    ``[http] max_upload_mb``; other forms stop at ``max_form_kb``).
    """

    path: str
    endpoint: Callable[..., Any]
    name: str
    methods: tuple[str, ...] = ("GET",)
    permission: str | None = None
    scope: Scope = "org"
    bare: bool = False
    once: bool = True
    uploads: bool = False


@dataclass(frozen=True)
class Permission:
    """A permission a plugin checks, and the roles that hold it by default."""

    name: str
    description: str
    roles: tuple[str, ...] = ("admin",)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    section: str = "Work"
    order: int = 100
    icon: str = ""


@dataclass(frozen=True)
class Widget:
    """A dashboard card: a title and its HTML (already rendered and escaped)."""

    title: str
    html: str
    order: int = 100
    width: Literal["normal", "wide"] = "normal"


@dataclass(frozen=True)
class SetupStep:
    """One thing a new organisation does before Accord is useful (the dashboard's card).

    ``done`` is computed from the organisation's data with a cheap query. ``url``
    is the page that does it, given only to users who may do it (else None);
    ``who`` names who can, for the others ("an administrator").
    """

    title: str
    why: str
    done: bool
    url: str | None = None
    who: str = "an administrator"
    order: int = 100


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    kind: str
    snippet: str = ""
    score: float = 0.0


@dataclass
class DemoContext:
    """What a demo-data hook gets: the organisation and helpers shared by all plugins."""

    org: Any
    users: dict[str, Any] = field(default_factory=dict)
