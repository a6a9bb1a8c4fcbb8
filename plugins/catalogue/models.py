"""The catalogue's records: services, their categories, components, calendars and levels."""

from __future__ import annotations

from typing import Any

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from accord import TenantModel, User, VersionedModel, utcnow

from . import hours

STATUSES = {"planned": "Planned", "live": "Live", "retired": "Retired"}
STATUS_BADGES = {"planned": "badge-info", "live": "badge-success", "retired": "badge-muted"}
PRIORITIES = {1: "Critical", 2: "High", 3: "Medium", 4: "Low"}
COMPONENT_KINDS = {
    "application": "Application",
    "server": "Server",
    "network": "Network",
    "storage": "Storage",
    "licence_pool": "Licence pool",
    "device_fleet": "Device fleet",
    "supplier_service": "Supplier service",
    "other": "Other",
}
DAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ServiceCategory(TenantModel):
    name = CharField(max_length=100)
    description = TextField(default="")
    position = IntegerField(default=100)  # order on the customer's catalogue

    class Meta:
        table_name = "catalogue_category"
        indexes = ((("org", "name"), True),)

    def __str__(self) -> str:
        return str(self.name)


class BusinessCalendar(VersionedModel):
    """Working hours per weekday in a time zone, public holidays of a country, own closures."""

    name = CharField(max_length=100)
    timezone = CharField(max_length=64, default="Europe/London")
    country = CharField(max_length=2, default="")  # "" means no public holidays
    subdivision = CharField(max_length=10, default="")
    # One text per weekday, "08:00-12:00, 13:00-17:30"; empty when closed all day.
    mon = CharField(max_length=100, default="")
    tue = CharField(max_length=100, default="")
    wed = CharField(max_length=100, default="")
    thu = CharField(max_length=100, default="")
    fri = CharField(max_length=100, default="")
    sat = CharField(max_length=100, default="")
    sun = CharField(max_length=100, default="")

    class Meta:
        table_name = "catalogue_calendar"
        indexes = ((("org", "name"), False),)

    def __str__(self) -> str:
        return str(self.name)

    @property
    def week(self) -> hours.Week:
        return hours.parse_week([getattr(self, name) for name in DAY_FIELDS])


class Closure(TenantModel):
    """Days the organisation itself is closed (a shutdown, an office move)."""

    calendar = ForeignKeyField(BusinessCalendar, on_delete="CASCADE", backref="closures")
    starts_on = DateField()
    ends_on = DateField()
    reason = CharField(max_length=200)

    class Meta:
        table_name = "catalogue_closure"
        indexes = ((("calendar", "ends_on"), False),)

    def __str__(self) -> str:
        return str(self.reason)


class Service(VersionedModel):
    name = CharField(max_length=200)
    code = CharField(max_length=30)
    summary = CharField(max_length=300, default="")
    description = TextField(default="")
    category = ForeignKeyField(ServiceCategory, null=True, on_delete="SET NULL", backref="services")
    owner = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    status = CharField(max_length=20, default="planned")
    audience = TextField(default="")  # who may request it, in words
    requestable = BooleanField(default=False)
    calendar = ForeignKeyField(
        BusinessCalendar, null=True, on_delete="SET NULL", backref="services"
    )
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "catalogue_service"
        indexes = (
            (("org", "code"), True),
            (("org", "name"), False),
            (("org", "status"), False),
        )

    def __str__(self) -> str:
        return str(self.name)

    @property
    def status_label(self) -> str:
        return STATUSES.get(str(self.status), str(self.status))

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(str(self.status), "badge-muted")


class ServiceComponent(VersionedModel):
    """Something services rely on: an application, servers, a network, a licence pool."""

    name = CharField(max_length=200)
    kind = CharField(max_length=30, default="application")
    description = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "catalogue_component"
        indexes = ((("org", "name"), False), (("org", "kind"), False))

    def __str__(self) -> str:
        return str(self.name)

    @property
    def kind_label(self) -> str:
        return COMPONENT_KINDS.get(str(self.kind), str(self.kind))


class ServiceComponentLink(TenantModel):
    """A component supporting a service; one component may support several services."""

    service = ForeignKeyField(Service, on_delete="CASCADE", backref="component_links")
    component = ForeignKeyField(ServiceComponent, on_delete="CASCADE", backref="service_links")

    class Meta:
        table_name = "catalogue_service_component"
        indexes = ((("service", "component"), True),)


class ServiceLevel(TenantModel):
    """The agreed targets for one priority of one service, in business minutes."""

    service = ForeignKeyField(Service, on_delete="CASCADE", backref="levels")
    priority = IntegerField()
    response_minutes = IntegerField()
    resolution_minutes = IntegerField()
    warning_percent = IntegerField(default=75)

    class Meta:
        table_name = "catalogue_level"
        indexes = ((("service", "priority"), True),)

    @property
    def priority_label(self) -> str:
        return f"P{self.priority} {PRIORITIES.get(int(self.priority), '')}".strip()


MODELS: list[type[Any]] = [
    ServiceCategory,
    BusinessCalendar,
    Closure,
    Service,
    ServiceComponent,
    ServiceComponentLink,
    ServiceLevel,
]
