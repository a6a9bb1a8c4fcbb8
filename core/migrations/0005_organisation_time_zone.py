"""Each organisation's time zone: its reports, quiet hours and dates are in it."""

from peewee import CharField
from playhouse.migrate import migrate


def up(migrator, db):
    migrate(
        migrator.add_column(
            "accord_organisation", "time_zone", CharField(max_length=64, default="UTC")
        )
    )
