"""Interactions may be planned, then held or cancelled; those already logged were held."""

from peewee import SQL, CharField
from playhouse.migrate import migrate


def up(migrator, db):
    # A default in the database too: bulk loaders that name their columns (bench/) still work.
    status = CharField(max_length=10, default="held", constraints=[SQL("DEFAULT 'held'")])
    migrate(migrator.add_column("contacts_interaction", "status", status))
