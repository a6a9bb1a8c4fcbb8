"""The catalogue's tables: categories, calendars and closures, services, components, levels."""

from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    # Frozen copies of the models as they were at this migration; the core's
    # tables appear only as far as the foreign keys need them.
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    def now():
        return datetime.now(UTC).replace(tzinfo=None)

    class Organisation(Base):
        class Meta:
            table_name = "accord_organisation"

    class User(Base):
        class Meta:
            table_name = "accord_user"

    class Tenant(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)

    class ServiceCategory(Tenant):
        name = CharField(max_length=100)
        description = TextField(default="")
        position = IntegerField(default=100)

        class Meta:
            table_name = "catalogue_category"
            indexes = ((("org", "name"), True),)

    class BusinessCalendar(Tenant):
        version = IntegerField(default=1)
        name = CharField(max_length=100)
        timezone = CharField(max_length=64, default="Europe/London")
        country = CharField(max_length=2, default="")
        subdivision = CharField(max_length=10, default="")
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

    class Closure(Tenant):
        calendar = ForeignKeyField(BusinessCalendar, on_delete="CASCADE")
        starts_on = DateField()
        ends_on = DateField()
        reason = CharField(max_length=200)

        class Meta:
            table_name = "catalogue_closure"
            indexes = ((("calendar", "ends_on"), False),)

    class Service(Tenant):
        version = IntegerField(default=1)
        name = CharField(max_length=200)
        code = CharField(max_length=30)
        summary = CharField(max_length=300, default="")
        description = TextField(default="")
        category = ForeignKeyField(ServiceCategory, null=True, on_delete="SET NULL")
        owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        status = CharField(max_length=20, default="planned")
        audience = TextField(default="")
        requestable = BooleanField(default=False)
        calendar = ForeignKeyField(BusinessCalendar, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "catalogue_service"
            indexes = (
                (("org", "code"), True),
                (("org", "name"), False),
                (("org", "status"), False),
            )

    class ServiceComponent(Tenant):
        version = IntegerField(default=1)
        name = CharField(max_length=200)
        kind = CharField(max_length=30, default="application")
        description = TextField(default="")
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "catalogue_component"
            indexes = ((("org", "name"), False), (("org", "kind"), False))

    class ServiceComponentLink(Tenant):
        service = ForeignKeyField(Service, on_delete="CASCADE")
        component = ForeignKeyField(ServiceComponent, on_delete="CASCADE")

        class Meta:
            table_name = "catalogue_service_component"
            indexes = ((("service", "component"), True),)

    class ServiceLevel(Tenant):
        service = ForeignKeyField(Service, on_delete="CASCADE")
        priority = IntegerField()
        response_minutes = IntegerField()
        resolution_minutes = IntegerField()
        warning_percent = IntegerField(default=75)

        class Meta:
            table_name = "catalogue_level"
            indexes = ((("service", "priority"), True),)

    db.create_tables(
        [
            ServiceCategory,
            BusinessCalendar,
            Closure,
            Service,
            ServiceComponent,
            ServiceComponentLink,
            ServiceLevel,
        ]
    )
