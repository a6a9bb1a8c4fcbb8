"""Audit entries in words (``accord.history``): labels, values as forms show them, any shape."""

from __future__ import annotations

import pytest
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, TextField
from playhouse.test_utils import count_queries

from accord import TenantModel, User, history
from accord.audit import Actor, acting_as, record
from accord.db import database
from accord.models import AuditEntry


class Gadget(TenantModel):
    name = CharField()
    state = CharField(default="new", choices=[("new", "Brand new"), ("worn", "Worn out")])
    in_service = BooleanField(default=False)
    bought_at = DateTimeField(null=True)
    notes = TextField(default="")
    keeper = ForeignKeyField(User, null=True, verbose_name="Looked after by")

    class Meta:
        table_name = "gadgets_gadget"


@pytest.fixture
def gadgets(accord_db):
    database.create_tables([Gadget])


@pytest.fixture
def new_york(org):
    org.time_zone = "America/New_York"
    org.save()
    return org


def lines(org, changes, *, action="update", table="gadgets_gadget"):
    """The lines of one entry, as ``label: old → new`` (or ``label: value``) strings."""
    entry = record(org, action, "entry", table=table, changes=changes)
    [story] = history.describe([entry], org)
    return [
        f"{line.label}: {line.new.text}"
        if line.old is None
        else f"{line.label}: {line.old.text} → {line.new.text}"
        for line in story.lines
    ]


def test_a_change_reads_label_old_arrow_new(gadgets, org):
    assert lines(org, {"name": ["Laptop", "Tablet"]}) == ["Name: Laptop → Tablet"]


def test_a_field_is_labelled_by_its_verbose_name(gadgets, org, make_user):
    ana = make_user("ana@acme.test", org, name="Ana Ortiz")
    assert lines(org, {"keeper": [None, ana.id]}) == ["Looked after by: — → Ana Ortiz"]


def test_a_field_without_verbose_name_is_labelled_in_words(gadgets, org):
    assert lines(org, {"in_service": [False, True]}) == ["In service: No → Yes"]


def test_a_choice_shows_its_label(gadgets, org):
    assert lines(org, {"state": ["new", "worn"]}) == ["State: Brand new → Worn out"]


def test_a_time_shows_in_the_organisations_zone_with_the_zone(gadgets, new_york):
    changes = {"bought_at": [None, "2026-01-15 13:13:00.123456"]}
    assert lines(new_york, changes) == ["Bought at: — → 2026-01-15 08:13 EST"]


def test_a_related_record_that_is_gone_shows_as_its_number(gadgets, org):
    assert lines(org, {"keeper": [None, 999]}) == ["Looked after by: — → #999"]


def test_related_names_cost_one_query_for_a_whole_page(gadgets, org, make_user):
    people = [make_user(f"u{i}@acme.test", org) for i in range(5)]
    entries = [
        record(org, "update", "entry", table="gadgets_gadget", changes={"keeper": [None, p.id]})
        for p in people
    ]
    with count_queries() as counter:
        history.describe(entries, org)
    assert counter.count == 1


def test_another_organisations_record_never_lends_its_name(gadgets, org, make_org):
    other = Gadget.create(org=make_org("globex"), name="Secret prototype")

    class Part(TenantModel):
        gadget = ForeignKeyField(Gadget)

        class Meta:
            table_name = "gadgets_part"

    assert lines(org, {"gadget": [None, other.id]}, table="gadgets_part") == [
        f"Gadget: — → #{other.id}"
    ]


def test_long_text_is_shortened_with_the_whole_of_it_kept(gadgets, org):
    entry = record(
        org, "update", "entry", table="gadgets_gadget", changes={"notes": ["", "x" * 500]}
    )
    [line] = history.describe([entry], org)[0].lines
    assert len(line.new.text) <= history.SHORT
    assert line.new.text.endswith("…")
    assert line.new.full == "x" * 500


def test_bookkeeping_fields_are_not_shown(gadgets, org):
    assert lines(org, {"id": [None, 3], "org": [None, 1], "name": [None, "Laptop"]}) == [
        "Name: — → Laptop"
    ]


def test_a_merge_entry_reads_as_text(gadgets, org):
    # Contacts' merge writes this shape; the audit log page answered 500 on it.
    changes = {"merged": [12, 15], "moved": {}}
    assert lines(org, changes, action="merge") == ["Merged: 12, 15", "Moved: —"]


def test_a_nested_dict_reads_as_key_value_text(gadgets, org):
    changes = {"moved": {"interactions": 3, "incidents": 1}}
    assert lines(org, changes, action="merge") == ["Moved: Interactions: 3; Incidents: 1"]


def test_a_list_value_reads_as_a_list(org):
    assert lines(org, {"tags": ["vip", "board", "press"]}, table="") == ["Tags: vip, board, press"]


def test_entries_of_a_plugin_without_a_model_still_read_as_pairs(org):
    changes = {"reply_to": ["desk@acme.test", "help@acme.test"]}
    assert lines(org, changes, action="plugin.settings", table="") == [
        "Reply to: desk@acme.test → help@acme.test"
    ]


def test_changes_that_are_not_a_dict_read_as_one_line(org):
    assert lines(org, ["a", "b", "c"], action="import", table="") == ["Details: a, b, c"]


def test_a_scalar_value_reads_as_text(org):
    assert lines(org, {"count": 7, "done": True}, action="import", table="") == [
        "Count: 7",
        "Done: Yes",
    ]


@pytest.mark.parametrize(
    ("label", "shown"),
    [("cli", "Command line"), ("system", "Accord (automatic)"), ("ana@acme.test", "ana@acme.test")],
)
def test_actors_are_named_in_words(label, shown):
    assert history.actor_label(label) == shown


def test_a_story_sums_its_changes_up_in_one_line(gadgets, org):
    entry = record(
        org,
        "update",
        "entry",
        table="gadgets_gadget",
        changes={"name": ["a", "b"], "state": ["new", "worn"], "in_service": [False, True]},
    )
    [story] = history.describe([entry], org)
    assert story.summary == "3 fields changed: Name, State, In service"


def test_a_story_says_what_was_saved_without_the_verb_and_class_name(gadgets, org):
    gadget = Gadget.create(org=org, name="Laptop")
    gadget.name = "Tablet"
    gadget.save()
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).get()
    [story] = history.describe([entry], org)
    assert (story.action, story.what) == ("Changed", f"Gadget {gadget}")


def test_a_creation_lists_the_values_it_set_and_leaves_out_empty_ones(gadgets, org):
    changes = {"name": [None, "Laptop"], "notes": [None, ""], "in_service": [None, True]}
    assert lines(org, changes, action="create") == ["Name: Laptop", "In service: Yes"]


def test_a_deletion_lists_the_values_it_removed(gadgets, org):
    assert lines(org, {"name": ["Laptop", None]}, action="delete") == ["Name: Laptop"]


def test_a_creation_sums_up_as_fields_set(gadgets, org):
    entry = record(org, "create", "entry", table="gadgets_gadget", changes={"name": [None, "a"]})
    assert history.describe([entry], org)[0].summary == "1 field set: Name"


def test_two_long_texts_show_from_where_they_differ(gadgets, org):
    start = "The printer on the third floor jams whenever anyone prints a long report, " * 2
    changes = {"notes": [start + "and nobody came.", start + "and an engineer came on Monday."]}
    entry = record(org, "update", "entry", table="gadgets_gadget", changes=changes)
    [line] = history.describe([entry], org)[0].lines
    assert line.new.text.startswith("…") and line.new.text.endswith("came on Monday.")
    assert line.old.text.endswith("and nobody came.")
    assert line.new.full == changes["notes"][1]


def test_a_person_who_did_it_is_named(gadgets, org, make_user):
    ana = make_user("ana@acme.test", org, name="Ana Ortiz")
    with acting_as(Actor(ana, ana.email)):
        entry = record(org, "update", "entry", table="gadgets_gadget", changes={})
    assert history.describe([entry], org)[0].who == "Ana Ortiz"


def test_a_migrations_frozen_copy_of_a_model_is_never_taken_for_it(gadgets):
    import importlib.util
    import sys

    source = (
        "from peewee import Model\n"
        "class Gadget(Model):\n"
        "    class Meta:\n"
        "        table_name = 'gadgets_gadget'\n"
    )
    spec = importlib.util.spec_from_loader("0002_gadgets", loader=None)
    snapshot = importlib.util.module_from_spec(spec)
    exec(source, snapshot.__dict__)  # as the migration runner does: never in sys.modules
    assert "0002_gadgets" not in sys.modules
    history._models.pop("gadgets_gadget", None)
    assert history.model_for("gadgets_gadget") is Gadget
