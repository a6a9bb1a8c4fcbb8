"""Page components, used the way a plugin uses them: a throwaway "things" plugin."""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
import threading
from pathlib import Path

import pytest
from peewee import CharField, IntegerField
from playhouse.test_utils import count_queries

from accord import (
    Column,
    Filter,
    Form,
    Page,
    StaleEdit,
    Table,
    VersionedModel,
    audit_timeline,
    confirm_page,
    conflict_response,
    database,
    form_data,
    forms,
    get_or_404,
    hookimpl,
    redirect,
    render,
    render_form,
    render_table,
    save_versioned,
)
from accord.components import export
from accord.components import table as table_module
from accord.models import AuditEntry
from accord.testing import HTMX_HEADERS, csrf_from, manifest


class Thing(VersionedModel):
    name = CharField(max_length=50)
    size = IntegerField(null=True)
    colour = CharField(max_length=10, default="red")

    class Meta:
        table_name = "things_thing"

    def __str__(self) -> str:
        return self.name


THINGS = Table(
    Thing,
    [
        Column("Name", "name", sortable=True, link=lambda url, t: url("things:detail", pk=t.id)),
        Column("Size", "size", sortable=True, css="num"),
        Column("Colour", "colour"),
    ],
    search=["name"],
    filters=[Filter("colour", "Colour", [("red", "Red"), ("blue", "Blue")])],
    sort="name",
    page_size=3,
    empty_message="No things yet.",
)


class ThingForm(Form):
    name = forms.Text("Name", max_length=50)
    size = forms.Integer("Size", required=False, min_value=0)
    colour = forms.Choice("Colour", [("red", "Red"), ("blue", "Blue")])


def thing_list(request):
    ctx = request.state.ctx
    return render_table(
        request,
        THINGS,
        Thing.in_org(ctx.org),
        context={"title": "Things"},
        empty_action=("Add a thing", "/new"),
    )


def thing_detail(request):
    thing = get_or_404(Thing, request, request.path_params["pk"])
    details = [("Name", thing.name), ("Size", thing.size), ("Colour", thing.colour)]
    return render(
        request, "things/detail.html", {"details": details, "timeline": audit_timeline(thing)}
    )


def thing_edit(request):
    ctx = request.state.ctx
    thing = get_or_404(Thing, request, request.path_params["pk"])
    action = ctx.url("things:edit", pk=thing.id)
    if request.method == "GET":
        return render_form(
            request, ThingForm.from_instance(thing), title="Edit thing", action=action
        )
    form = ThingForm(form_data(request))
    if not form.is_valid():
        return render_form(request, form, title="Edit thing", action=action)
    try:
        save_versioned(thing, form.version, form.cleaned)
    except StaleEdit as stale:
        return conflict_response(
            request, stale, form, action=action, cancel_url=ctx.url("things:list")
        )
    return redirect(request, ctx.url("things:detail", pk=thing.id))


def thing_delete(request):
    ctx = request.state.ctx
    thing = get_or_404(Thing, request, request.path_params["pk"])
    if request.method == "GET":
        return confirm_page(
            request,
            f"Delete {thing.name}?",
            "It cannot be brought back.",
            ctx.url("things:delete", pk=thing.id),
            f"Delete {thing.name}",
            cancel_url=ctx.url("things:list"),
        )
    thing.delete_instance()
    return redirect(request, ctx.url("things:list"))


class ThingsPlugin:
    def __init__(self, templates: Path) -> None:
        self.templates = templates

    @hookimpl
    def register_models(self) -> list[type[Thing]]:
        return [Thing]

    @hookimpl
    def register_template_dir(self) -> Path:
        return self.templates

    @hookimpl
    def register_routes(self) -> list[Page]:
        return [
            Page("/", thing_list, name="list"),
            Page("/{pk:int}", thing_detail, name="detail"),
            Page("/{pk:int}/edit", thing_edit, name="edit", methods=("GET", "POST")),
            Page("/{pk:int}/delete", thing_delete, name="delete", methods=("GET", "POST")),
        ]


DETAIL = """{% extends "base.html" %}{% block content %}
{% include "components/_detail.html" %}{% include "components/_timeline.html" %}
{% endblock %}"""


@pytest.fixture
def accord_plugins(tmp_path):
    (tmp_path / "things").mkdir()
    (tmp_path / "things" / "detail.html").write_text(DETAIL)
    return [(ThingsPlugin(tmp_path), manifest("things", always_on=True))]


@pytest.fixture(autouse=True)
def thing_table(accord_db):
    with database.connection_context():
        database.create_tables([Thing])


@pytest.fixture
def make_things(org):
    def make(*specs):
        with database.connection_context():
            return [Thing.create(org=org, **spec) for spec in specs]

    return make


@pytest.fixture
def browser(signed_in):
    return signed_in("agent")


def names(page_html: str) -> list[str]:
    return re.findall(r'/things/\d+">([^<]*)</a>', page_html)


def link(page_html: str, rel: str) -> str | None:
    match = re.search(rf'<a href="([^"]+)"[^>]* rel="{rel}"', page_html)
    return html.unescape(match.group(1)) if match else None


def every_page(client, url: str) -> list[str]:
    seen = []
    while url:
        page = client.get(url).text
        seen += names(page)
        url = link(page, "next")
    return seen


# --- Table ------------------------------------------------------------------------------------


def test_search_narrows_rows_case_insensitively(browser, org, make_things):
    make_things({"name": "Alpha"}, {"name": "Beta"}, {"name": "alphabet"})
    page = browser.get(f"/o/{org.slug}/things/?q=ALPHA")
    assert names(page.text) == ["Alpha", "alphabet"]


def test_search_treats_like_wildcards_as_text(browser, org, make_things):
    make_things({"name": "100% cotton"}, {"name": "1000 pieces"})
    assert names(browser.get(f"/o/{org.slug}/things/?q=100%25").text) == ["100% cotton"]


def test_choice_filter_narrows_rows(browser, org, make_things):
    make_things({"name": "A", "colour": "red"}, {"name": "B", "colour": "blue"})
    assert names(browser.get(f"/o/{org.slug}/things/?colour=blue").text) == ["B"]


def test_unknown_filter_value_is_ignored(browser, org, make_things):
    make_things({"name": "A", "colour": "red"}, {"name": "B", "colour": "blue"})
    assert names(browser.get(f"/o/{org.slug}/things/?colour=green").text) == ["A", "B"]


def test_sort_ascending_marks_the_header(browser, org, make_things):
    make_things({"name": "B", "size": 2}, {"name": "A", "size": 3}, {"name": "C", "size": 1})
    page = browser.get(f"/o/{org.slug}/things/?sort=size").text
    assert names(page) == ["C", "B", "A"]
    assert re.search(r'aria-sort="ascending"><a [^>]*class="sort-asc">Size<', page)


def test_sort_descending_marks_the_header(browser, org, make_things):
    make_things({"name": "B", "size": 2}, {"name": "A", "size": 3}, {"name": "C", "size": 1})
    page = browser.get(f"/o/{org.slug}/things/?sort=-size").text
    assert names(page) == ["A", "B", "C"]
    assert 'aria-sort="descending"' in page


def test_sorting_by_an_unsortable_column_falls_back_to_the_default(browser, org, make_things):
    make_things({"name": "B", "colour": "red"}, {"name": "A", "colour": "blue"})
    assert names(browser.get(f"/o/{org.slug}/things/?sort=colour").text) == ["A", "B"]


@pytest.mark.parametrize("sort", ["size", "-size", "name", "-name"])
def test_keyset_pages_have_no_overlap_and_no_gaps(browser, org, make_things, sort):
    # Ties and NULLs in the sort column are where keyset pagination goes wrong.
    sizes = [3, 1, None, 3, 2, None, 3, 1, 3, None]
    things = make_things(*({"name": f"T{i:02}", "size": s} for i, s in enumerate(sizes)))
    seen = every_page(browser, f"/o/{org.slug}/things/?sort={sort}")
    field, reverse = sort.lstrip("-"), sort.startswith("-")
    present = sorted(
        (t for t in things if getattr(t, field) is not None),
        key=lambda t: (getattr(t, field), t.id),
    )
    if reverse:
        present.reverse()
    missing = [t for t in things if getattr(t, field) is None]  # NULLs last in both directions
    assert seen == [t.name for t in present + sorted(missing, key=lambda t: t.id, reverse=reverse)]


def test_previous_page_link_returns_the_page_before(browser, org, make_things):
    make_things(*({"name": f"T{i}"} for i in range(7)))
    second = browser.get(link(browser.get(f"/o/{org.slug}/things/").text, "next")).text
    third = browser.get(link(second, "next")).text
    assert names(browser.get(link(third, "prev")).text) == names(second)


def test_a_tampered_cursor_shows_the_first_page(browser, org, make_things):
    make_things({"name": "A"}, {"name": "B"})
    assert names(browser.get(f"/o/{org.slug}/things/?after=not-a-cursor").text) == ["A", "B"]


def test_page_view_counts_matches_only_up_to_a_bound(browser, org, make_things):
    make_things(*({"name": f"T{i}"} for i in range(5)))
    with count_queries() as counter:
        page = browser.get(f"/o/{org.slug}/things/?colour=red")
    sql = [(record.msg[0].upper(), record.msg[1]) for record in counter.get_queries()]
    counts = [(statement, params) for statement, params in sql if "COUNT(" in statement]
    assert len(counts) == 1
    statement, params = counts[0]
    assert ") LIMIT ?) AS" in statement.replace("%S", "?")  # the rows counted are limited
    assert table_module.COUNT_UP_TO + 1 in params
    assert link(page.text, "next")


def test_a_search_over_several_pages_says_many_without_counting(browser, org, make_things):
    make_things(*({"name": f"T{i}"} for i in range(5)))
    with count_queries() as counter:
        html = browser.get(f"/o/{org.slug}/things/?q=T").text
    assert "3 shown of many" in html
    assert not [r for r in counter.get_queries() if "COUNT(" in r.msg[0].upper()]


def test_htmx_request_gets_only_the_rows_fragment(browser, org, make_things):
    make_things({"name": "A"})
    page = browser.get(f"/o/{org.slug}/things/", headers=HTMX_HEADERS)
    assert "<html" not in page.text
    assert 'class="table-toolbar"' not in page.text
    assert names(page.text) == ["A"]
    assert "HX-Request-Type" in page.headers["vary"]


def test_plain_request_gets_the_full_page(browser, org, make_things):
    make_things({"name": "A"})
    page = browser.get(f"/o/{org.slug}/things/")
    assert "<html" in page.text
    assert 'hx-get="/o/acme/things/"' in page.text
    assert 'action="/o/acme/things/"' in page.text


def test_empty_table_offers_the_call_to_action(browser, org):
    page = browser.get(f"/o/{org.slug}/things/").text
    assert "No things yet." in page
    assert 'href="/new"' in page


def test_empty_search_offers_to_clear_it(browser, org, make_things):
    make_things({"name": "A"})
    page = browser.get(f"/o/{org.slug}/things/?q=zzz").text
    assert "No matches" in page
    assert 'href="/o/acme/things/">Clear search and filters' in page


def test_csv_export_contains_every_filtered_row_with_a_header(
    browser, org, make_things, monkeypatch
):
    monkeypatch.setattr(export, "CHUNK", 2)  # several keyset chunks for a few rows
    make_things(
        *({"name": f"T{i}", "size": i, "colour": "blue" if i % 2 else "red"} for i in range(9))
    )
    response = browser.get(f"/o/{org.slug}/things/?colour=blue&sort=-size&format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="things_thing-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["Name", "Size", "Colour"], *([f"T{i}", str(i), "blue"] for i in (7, 5, 3, 1))]


def test_csv_export_neutralises_spreadsheet_formulas(browser, org, make_things):
    make_things({"name": "=HYPERLINK(1)"})
    text = browser.get(f"/o/{org.slug}/things/?format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


@pytest.mark.parametrize("value", ["=1+2", "@SUM(A1)", "-2+3", "+1-cmd|' /C calc'!A0", "+44=1"])
def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe(value):
    assert export.csv_value(value) == "'" + value


@pytest.mark.parametrize("value", ["+442079460958", "+44 20 7946 0958", "-12.5", "+3", "-7"])
def test_csv_cells_holding_a_plain_number_or_phone_number_are_left_alone(value):
    assert export.csv_value(value) == value


def test_a_table_may_export_other_columns_than_it_shows():
    table = Table(Thing, THINGS.columns, export_columns=[Column("Thing", "name")], sort="name")
    assert [c.label for c in table.export_columns] == ["Thing"]
    assert table.export_columns[0].value(Thing(name="A")) == "A"
    assert [c.label for c in THINGS.export_columns] == ["Name", "Size", "Colour"]


def test_rows_of_other_organisations_never_show(browser, org, make_org, make_things):
    other = make_org("globex")
    make_things({"name": "Mine"})
    with database.connection_context():
        Thing.create(org=other, name="Theirs")
    assert names(browser.get(f"/o/{org.slug}/things/").text) == ["Mine"]
    assert "Theirs" not in browser.get(f"/o/{org.slug}/things/?format=csv").text


# --- Forms ------------------------------------------------------------------------------------


def post_edit(client, org, thing, data):
    token = csrf_from(client.get(f"/o/{org.slug}/things/{thing.id}/edit").text)
    url = f"/o/{org.slug}/things/{thing.id}/edit"
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_invalid_form_is_422_with_the_input_kept_and_errors_inline(browser, org, make_things):
    (thing,) = make_things({"name": "A"})
    response = post_edit(
        browser, org, thing, {"name": "", "size": "lots", "colour": "red", "version": "1"}
    )
    assert response.status_code == 422
    assert 'value="lots"' in response.text
    assert re.search(r'id="f-name"[^>]*aria-invalid="true"', response.text)
    assert re.search(
        r'id="f-size"[^>]*aria-describedby="f-size-error"[^>]*aria-invalid="true"', response.text
    )
    assert "Enter a whole number" in response.text
    assert "Enter name." in response.text


def test_edit_form_shows_stored_values_and_version(browser, org, make_things):
    (thing,) = make_things({"name": "A", "size": 4, "colour": "blue"})
    page = browser.get(f"/o/{org.slug}/things/{thing.id}/edit").text
    assert 'name="version" value="1"' in page
    assert 'value="4"' in page
    assert '<option value="blue" selected>' in page


def test_valid_edit_saves_bumps_the_version_and_is_audited(browser, org, make_things):
    (thing,) = make_things({"name": "A"})
    response = post_edit(browser, org, thing, {"name": "Renamed", "colour": "red", "version": "1"})
    assert response.status_code == 303
    with database.connection_context():
        stored = Thing.get_by_id(thing.id)
        entry = (
            AuditEntry.select()
            .where(AuditEntry.action == "update")
            .order_by(AuditEntry.id.desc())
            .get()
        )
    assert (stored.name, stored.version) == ("Renamed", 2)
    assert entry.changes["name"] == ["A", "Renamed"]
    assert entry.record_id == str(thing.id)


def test_a_stored_value_no_longer_offered_stays_chosen_rather_than_silently_replaced(
    browser, org, make_things
):
    (thing,) = make_things({"name": "Old", "colour": "green"})
    page = browser.get(f"/o/{org.slug}/things/{thing.id}/edit").text
    assert '<option value="green" selected>green (not one of the options)</option>' in page


def test_stale_edit_is_409_with_both_versions_and_nothing_overwritten(browser, org, make_things):
    (thing,) = make_things({"name": "Original"})
    with database.connection_context():
        save_versioned(Thing.get_by_id(thing.id), 1, {"name": "Theirs"})  # someone else, meanwhile
    response = post_edit(browser, org, thing, {"name": "Mine", "colour": "blue", "version": "1"})
    assert response.status_code == 409
    assert re.search(r"diff-old.*Theirs", response.text)
    assert re.search(r"diff-new.*Mine", response.text)
    assert "Saved by someone else" in response.text and "<del>" not in response.text
    assert 'value="Mine"' in response.text  # kept, ready to save again
    assert 'name="version" value="2"' in response.text
    with database.connection_context():
        assert Thing.get_by_id(thing.id).name == "Theirs"


def test_saving_again_from_the_conflict_page_applies_the_users_version(browser, org, make_things):
    (thing,) = make_things({"name": "Original"})
    with database.connection_context():
        save_versioned(Thing.get_by_id(thing.id), 1, {"name": "Theirs"})
    conflict = post_edit(browser, org, thing, {"name": "Mine", "colour": "red", "version": "1"})
    version = re.search(r'name="version" value="(\d+)"', conflict.text).group(1)
    response = post_edit(browser, org, thing, {"name": "Mine", "colour": "red", "version": version})
    assert response.status_code == 303
    with database.connection_context():
        assert Thing.get_by_id(thing.id).name == "Mine"


def test_any_plain_save_also_makes_open_forms_stale(org, make_things):
    (thing,) = make_things({"name": "A"})
    with database.connection_context():
        thing.name = "B"
        thing.save()
        with pytest.raises(StaleEdit):
            save_versioned(Thing.get_by_id(thing.id), 1, {"name": "C"})


def test_a_plain_save_of_an_out_of_date_copy_is_refused(org, make_things):
    (thing,) = make_things({"name": "A"})
    with database.connection_context():
        fresh = Thing.get_by_id(thing.id)
        fresh.name = "B"
        fresh.save()
        thing.name = "C"  # still at version 1
        with pytest.raises(StaleEdit):
            thing.save()
        assert Thing.get_by_id(thing.id).name == "B"


def test_editing_a_deleted_record_is_stale_with_nothing_current(org, make_things):
    (thing,) = make_things({"name": "A"})
    with database.connection_context():
        Thing.delete().where(Thing.id == thing.id).execute()
        with pytest.raises(StaleEdit) as caught:
            save_versioned(thing, 1, {"name": "B"})
    assert caught.value.current is None


def test_save_versioned_refuses_to_move_a_row_to_another_organisation(org, make_things):
    (thing,) = make_things({"name": "A"})
    with database.connection_context(), pytest.raises(ValueError, match="org"):
        save_versioned(thing, 1, {"org": 99})


def test_form_keeps_the_raw_input_of_a_bad_date():
    class Due(Form):
        due = forms.Date("Due")

    form = Due({"due": "next tuesday"})
    assert not form.is_valid()
    assert form["due"].value == "next tuesday"
    assert form.status_code == 422


def test_form_rejects_a_choice_that_was_not_offered():
    class Pick(Form):
        colour = forms.Choice("Colour", [("red", "Red")])

    form = Pick({"colour": "green"})
    assert not form.is_valid()
    assert "colour" in form.errors


@pytest.mark.parametrize(
    "label, message",
    [
        ("Service", "Choose a service."),
        ("Owner", "Choose an owner."),
        ("Who sees it", "Choose who sees it."),
        ("Business hours", "Choose business hours."),
        ("Received by", "Choose an option for “Received by”."),
        ("SLA level", "Choose an SLA level."),
    ],
)
def test_a_required_choice_left_empty_asks_to_choose(label, message):
    class Pick(Form):
        picked = forms.Choice(label, [("a", "A")])

    form = Pick({"picked": ""})
    assert not form.is_valid()
    assert form.errors["picked"] == message


def test_an_empty_required_text_keeps_an_acronym_in_its_message():
    class Named(Form):
        api = forms.Text("API token")

    form = Named({"api": ""})
    assert not form.is_valid() and form.errors["api"] == "Enter API token."


def test_choice_values_may_be_numbers_and_are_coerced():
    class Assign(Form):
        owner = forms.Choice("Owner", [(7, "Ana"), (9, "Bo")], coerce=int)

    form = Assign({"owner": "9"})
    assert form.is_valid()
    assert form.cleaned["owner"] == 9


def test_form_enforces_max_length():
    class Short(Form):
        code = forms.Text("Code", max_length=3)

    assert Short({"code": "abcd"}).is_valid() is False


def test_form_cleans_typed_values():
    class Typed(Form):
        size = forms.Integer("Size")
        agree = forms.Checkbox("Agree")
        email = forms.Email("Email")
        note = forms.TextArea("Note", required=False)

    form = Typed({"size": " 12 ", "agree": "on", "email": "ana@example.org", "note": ""})
    assert form.is_valid()
    assert form.cleaned == {"size": 12, "agree": True, "email": "ana@example.org", "note": None}


def test_unbound_form_is_not_valid_and_has_no_errors():
    class Named(Form):
        name = forms.Text("Name")

    form = Named(initial={"name": "A"})
    assert not form.is_valid()
    assert form.errors == {}
    assert form["name"].value == "A"


# --- Confirmation, detail, timeline -----------------------------------------------------------


def test_destructive_action_asks_for_confirmation_first(browser, org, make_things):
    (thing,) = make_things({"name": "A"})
    page = browser.get(f"/o/{org.slug}/things/{thing.id}/delete")
    assert page.status_code == 200
    assert f'action="/o/acme/things/{thing.id}/delete"' in page.text
    assert 'class="btn btn-danger" type="submit">Delete A</button>' in page.text
    with database.connection_context():
        assert Thing.select().count() == 1


def test_confirmed_delete_removes_the_record(browser, org, make_things):
    (thing,) = make_things({"name": "A"})
    token = csrf_from(browser.get(f"/o/{org.slug}/things/{thing.id}/delete").text)
    response = browser.post(
        f"/o/{org.slug}/things/{thing.id}/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with database.connection_context():
        assert Thing.select().count() == 0


def test_detail_page_shows_fields_and_the_activity_timeline(browser, org, make_things):
    (thing,) = make_things({"name": "A", "size": None})
    post_edit(browser, org, thing, {"name": "B", "colour": "red", "version": "1"})
    page = browser.get(f"/o/{org.slug}/things/{thing.id}").text
    assert re.search(r"<dt>Size</dt>\s*<dd>—</dd>", page)
    changed, created = (
        f'<span class="badge badge-muted">{kind}</span>' for kind in ("Changed", "Created")
    )
    assert page.index(changed) < page.index(created)
    assert '<span class="changes-label">Name:</span>' in page
    assert '<ol class="timeline">' in page


def test_the_menu_marks_only_the_entry_the_page_belongs_to():
    from accord import MenuItem
    from accord.templating import current_menu_url

    menu = [
        ("Desk", [MenuItem("Complaints", "/o/a/complaints/", section="Desk")]),
        ("Reports", [MenuItem("Complaints report", "/o/a/complaints/report", section="Reports")]),
    ]
    assert current_menu_url(menu, "/o/a/complaints/report") == "/o/a/complaints/report"
    assert current_menu_url(menu, "/o/a/complaints/12") == "/o/a/complaints/"
    assert current_menu_url(menu, "/o/a/people/") is None


def test_a_moment_is_typed_and_shown_in_the_organisations_time_zone():
    from zoneinfo import ZoneInfo

    class When(Form):
        at = forms.DateTime("When")

    london = ZoneInfo("Europe/London")
    summer = datetime.datetime(2026, 7, 1, 8, 30)  # stored as UTC
    assert When(initial={"at": summer}, zone=london).values["at"] == "2026-07-01T09:30"
    typed = When({"at": "2026-07-01T09:30"}, zone=london)
    assert typed.is_valid() and typed.cleaned["at"] == summer


def test_a_secondary_column_is_marked_for_small_screens_to_hide():
    assert Column("Opened", "created_at", css="num", secondary=True).classes == "num col-secondary"
    assert Column("Name", "name").classes == ""


def test_a_table_page_says_how_many_rows_match(browser, org, make_things):
    make_things(
        {"name": "Alpha", "colour": "red", "size": 1},
        {"name": "Beta", "colour": "blue", "size": 2},
        {"name": "Gamma", "colour": "blue", "size": 3},
    )
    html = browser.get(f"/o/{org.slug}/things/?colour=blue").text
    assert "2 shown of 2" in html


def test_a_table_page_counts_no_further_than_its_bound(browser, org, make_things, monkeypatch):
    monkeypatch.setattr(table_module, "COUNT_UP_TO", 2)
    make_things(*({"name": f"Thing {n}", "colour": "red", "size": n} for n in range(4)))
    html = browser.get(f"/o/{org.slug}/things/").text
    assert "3 shown of more than 2" in html  # a page holds three


def test_streamed_rows_come_a_chunk_at_a_time_from_one_run_of_the_query(org, make_things):
    make_things(*({"name": f"T{n}", "size": n} for n in range(5)))
    query = Thing.select().where(Thing.org == org).order_by(Thing.size)
    with count_queries() as counter:
        chunks = list(export.streamed(query, 2))
    assert [[thing.name for thing in chunk] for chunk in chunks] == [
        ["T0", "T1"],
        ["T2", "T3"],
        ["T4"],
    ]
    selects = [r.msg[0] for r in counter.get_queries() if "things_thing" in r.msg[0]]
    assert len(selects) == 1


def test_an_abandoned_stream_ends_its_reading_thread(org, make_things):
    make_things(*({"name": f"T{n}", "size": n} for n in range(20)))
    rows = export.streamed(Thing.select().where(Thing.org == org), 1)
    next(rows)
    rows.close()  # what a client hanging up comes to
    readers = [t for t in threading.enumerate() if t.name == "accord-export"]
    for reader in readers:
        reader.join(timeout=5)
    assert not any(reader.is_alive() for reader in readers)


def test_a_list_on_one_page_is_counted_without_another_query(browser, org, make_things):
    make_things({"name": "Alpha", "colour": "blue"}, {"name": "Beta", "colour": "blue"})
    with count_queries() as counter:
        html = browser.get(f"/o/{org.slug}/things/?colour=blue").text
    assert "2 shown of 2" in html
    assert not [r for r in counter.get_queries() if "COUNT(" in r.msg[0].upper()]
