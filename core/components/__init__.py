"""Reusable page components: list tables, forms, optimistic locking, confirmations,
timelines, charts and report pages.

Plugins reach them through ``accord`` (``from accord import Table, Column, render_table``);
their templates live in ``web/templates/components/``.
"""

from __future__ import annotations

from . import forms
from .charts import Chart
from .columns import Column, DateRange, Filter
from .confirm import confirm_page
from .export import streamed
from .forms import Form, ValidationError, render_form
from .locking import StaleEdit, VersionedModel, conflict_response, save_versioned
from .report import Period, ReportFilter, ReportTable, Section, render_report
from .table import Table, TablePage, render_table
from .timeline import TimelineEntry, audit_timeline
from .timeline import merge as merge_timelines

__all__ = [
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
