"""Accord's public API for plugins: everything a plugin imports comes from here."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from . import audit, history, mail, notifications, plugin_settings
from .accounts import members_of
from .clock import local_time, utcnow
from .context import RequestContext
from .db import BaseModel, database, refresh_statistics
from .events import emit
from .hookspecs import hookspec
from .host import hookimpl
from .htmx import redirect, wants_fragment
from .jobs import QueueUnavailable
from .mail import send_system_email
from .models import JSONField, Organisation, TenantModel, User
from .notifications import notify
from .routing import form_data
from .settings import Settings
from .templating import flash, render, render_to_string
from .types import DemoContext, MenuItem, Page, Permission, SearchResult, SetupStep, Widget
from .version import CORE_API, __version__


def get_or_404(model: type[TenantModel], request: Request, pk: Any) -> Any:
    """The record ``pk`` of the request's organisation, or a 404 page."""
    try:
        return model.get_in_org(request.state.ctx.org, pk)
    except model.DoesNotExist:
        raise HTTPException(404) from None


__all__ = [
    "CORE_API",
    "BaseModel",
    "DemoContext",
    "HTTPException",
    "JSONField",
    "MenuItem",
    "Organisation",
    "Page",
    "Permission",
    "QueueUnavailable",
    "Request",
    "RequestContext",
    "Response",
    "SearchResult",
    "Settings",
    "SetupStep",
    "TenantModel",
    "User",
    "Widget",
    "__version__",
    "audit",
    "history",
    "local_time",
    "mail",
    "plugin_settings",
    "emit",
    "hookspec",
    "database",
    "refresh_statistics",
    "flash",
    "form_data",
    "get_or_404",
    "hookimpl",
    "members_of",
    "notifications",
    "notify",
    "redirect",
    "render",
    "render_to_string",
    "send_system_email",
    "utcnow",
    "wants_fragment",
]

# Page components: list tables, forms, optimistic locking, confirmations, timelines,
# charts and report pages.
from .components import (  # noqa: E402 - appended so the exports above stay as they were
    Chart,
    Column,
    DateRange,
    Filter,
    Form,
    Period,
    ReportFilter,
    ReportTable,
    Section,
    StaleEdit,
    Table,
    TablePage,
    TimelineEntry,
    ValidationError,
    VersionedModel,
    audit_timeline,
    confirm_page,
    conflict_response,
    forms,
    merge_timelines,
    render_form,
    render_report,
    render_table,
    save_versioned,
    streamed,
)

__all__ += [
    "Chart",
    "Column",
    "DateRange",
    "Filter",
    "Form",
    "Period",
    "ReportFilter",
    "ReportTable",
    "Section",
    "StaleEdit",
    "Table",
    "TablePage",
    "TimelineEntry",
    "ValidationError",
    "VersionedModel",
    "audit_timeline",
    "confirm_page",
    "conflict_response",
    "forms",
    "merge_timelines",
    "render_form",
    "render_report",
    "render_table",
    "save_versioned",
    "streamed",
]
