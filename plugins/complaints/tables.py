"""The complaints list: its columns, search, filters and the query behind it.

Every filter is a condition on ``complaints_complaint`` answered from an
index: status with the acknowledgement due time, service with cause, the
received time for the default sort.
"""

from __future__ import annotations

from typing import Any

import peewee
from peewee import JOIN

from accord import Column, DateRange, Filter, Organisation, Table, utcnow
from accord.plugins.contacts.models import Person

from . import related
from .choices import ACKNOWLEDGEMENT, CAUSES, CHANNELS, SEVERITIES, STATUSES
from .models import Complaint


def acknowledgement_where(value: str, now: Any = None) -> Any:
    """Complaints in acknowledgement state ``value``: the list's filter and the report's count."""
    now = now or utcnow()
    waiting = Complaint.acknowledged_at.is_null()
    if value == "overdue":
        return waiting & (Complaint.status == "received") & (Complaint.acknowledge_due < now)
    if value == "waiting":
        return waiting & (Complaint.status == "received") & (Complaint.acknowledge_due >= now)
    if value == "late":
        return Complaint.acknowledged_at > Complaint.acknowledge_due
    return Complaint.acknowledged_at <= Complaint.acknowledge_due


NO_SERVICE = "none"


def _services(request: Any) -> list[tuple[int | str, str]]:
    """Every service complaints may name (retired ones too: old complaints do), and none."""
    ctx = request.state.ctx
    named: list[tuple[int | str, str]] = []
    if related.has(ctx, "catalogue"):
        from accord.plugins.catalogue.models import Service

        named = [
            (s.id, str(s.name))
            for s in Service.in_org(ctx.org, Service.id, Service.name).order_by(Service.name)
        ]
    return [*named, (NO_SERVICE, "No service")]


def _service_where(value: str) -> Any:
    if value == NO_SERVICE:
        return Complaint.service_id.is_null()
    return Complaint.service_id == int(value)


def _person(row: Complaint) -> str:
    person = getattr(row, "complainant", None)
    return person.full_name if person is not None and person.id else ""


def _service(row: Complaint) -> str:
    service = getattr(row, "service_row", None)
    return str(service.name) if service is not None and service.id else ""


complaints_table = Table(
    Complaint,
    [
        Column(
            "Ref",
            "number",
            accessor=lambda c: c.reference,
            sortable=True,
            link=lambda url, c: url("complaints:detail", pk=c.id),
        ),
        Column("Complaint", accessor=lambda c: c.summary),
        Column("Complainant", accessor=_person),
        Column("Service", accessor=_service),
        Column("Cause", "cause", accessor=lambda c: c.cause_label),
        Column(
            "Status",
            "status",
            accessor=lambda c: c.status_label,
            template="complaints/_cell_status.html",
        ),
        Column("Received", "received_at", sortable=True),
        Column("Acknowledge by", "acknowledge_due", sortable=True),
    ],
    search=["reference", "description"],
    filters=[
        Filter("status", "Status", list(STATUSES.items())),
        Filter("cause", "Cause", list(CAUSES.items())),
        Filter(
            "service",
            "Service",
            _services,
            where=_service_where,
        ),
        Filter(
            "acknowledgement",
            "Acknowledgement",
            list(ACKNOWLEDGEMENT.items()),
            where=acknowledgement_where,
        ),
        Filter("severity", "Severity", list(SEVERITIES.items())),
        Filter("channel", "Received by", list(CHANNELS.items())),
        DateRange("received", "Received", "received_at"),
    ],
    sort="-received_at",
    filename="complaints",
    empty_message="No complaints. Long may it last.",
    search_label="Reference or words",
    id="complaints",
)


def list_query(org: Organisation) -> peewee.ModelSelect:
    """The organisation's complaints with the complainant and service each row shows."""
    query = (
        Complaint.in_org(org)
        .select_extend(Person.id, Person.first_name, Person.last_name)
        .join_from(
            Complaint,
            Person,
            JOIN.LEFT_OUTER,
            on=(Complaint.person == Person.id),
            attr="complainant",
        )
    )
    try:
        from accord.plugins.catalogue.models import Service
    except ImportError:  # without the catalogue the column stays empty
        return query
    return query.select_extend(Service.id, Service.name).join_from(
        Complaint,
        Service,
        JOIN.LEFT_OUTER,
        on=(Complaint.service_id == Service.id),
        attr="service_row",
    )
