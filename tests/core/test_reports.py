"""Report pages and charts, used the way a plugin uses them: a throwaway "tally" plugin."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from peewee import CharField, DateTimeField, Value, fn

from accord import (
    Chart,
    Page,
    Period,
    ReportFilter,
    ReportTable,
    Section,
    TenantModel,
    database,
    hookimpl,
    render_report,
)
from accord.components.report import minutes_between, percentiles
from accord.testing import manifest

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 11, 23)


class Tally(TenantModel):
    channel = CharField(max_length=20)
    at = DateTimeField()

    class Meta:
        table_name = "tally_tally"


def tally_report(request):
    channel = request.query_params.get("channel", "")

    def build(period: Period) -> list[Section]:
        query = Tally.in_org(request.state.ctx.org).where(period.where(Tally.at))
        if channel:
            query = query.where(Tally.channel == channel)
        bucket = period.bucket_sql(Tally.at)
        per_bucket = dict(
            query.select(bucket.alias("b"), fn.COUNT(Tally.id)).group_by(bucket).tuples()
        )
        buckets = period.buckets()
        counts = [per_bucket.get(key, 0) for key, _ in buckets]
        return [
            Section(
                "daily",
                "Tallies per day",
                chart=Chart("Tallies", [label for _, label in buckets], {"Tallies": counts}),
                table=ReportTable(
                    ["Day", "Tallies"], [(k, n) for (k, _), n in zip(buckets, counts, strict=False)]
                ),
                figures=[("tallies", str(sum(counts)))],
            )
        ]

    filters = [
        ReportFilter("channel", "Channel", [("phone", "Phone"), ("email", "Email")], channel)
    ]
    return render_report(request, "Tallies", build, filters=filters)


class TallyPlugin:
    @hookimpl
    def register_models(self):
        return [Tally]

    @hookimpl
    def register_routes(self):
        return [Page("/report", tally_report, name="report")]


@pytest.fixture
def accord_plugins():
    return [(TallyPlugin(), manifest("tally", always_on=True))]


@pytest.fixture(autouse=True)
def tally_table(accord_db):
    with database.connection_context():
        database.create_tables([Tally])


@pytest.fixture
def london_org(org):
    org.time_zone = "Europe/London"
    org.save()
    return org


def tally(org, channel: str, at: dt.datetime) -> None:
    with database.connection_context():
        Tally.create(org=org, channel=channel, at=at)


# --- The period ------------------------------------------------------------------------


def test_the_default_period_is_the_last_thirty_days_including_today():
    period, errors = Period.from_params({}, LONDON, today=TODAY)
    assert errors == {}
    assert (period.start, period.end, period.days) == (dt.date(2026, 10, 25), TODAY, 30)


def test_last_twelve_months_are_the_whole_months_before_this_one_and_this_month_so_far():
    period, _ = Period.from_params({"period": "12m"}, LONDON, today=TODAY)
    assert period.start == dt.date(2025, 11, 1) and period.granularity == "month"
    assert period.buckets()[0] == ("2025-11", "Nov 2025")
    assert len(period.buckets()) == 13


@pytest.mark.parametrize(
    "today, preset, start",
    [
        (dt.date(2026, 12, 7), "7d", dt.date(2026, 12, 1)),
        (dt.date(2026, 12, 7), "30d", dt.date(2026, 11, 8)),
        (dt.date(2026, 12, 7), "90d", dt.date(2026, 9, 9)),
        (dt.date(2026, 12, 7), "12m", dt.date(2025, 12, 1)),
        (dt.date(2026, 12, 7), "ytd", dt.date(2026, 1, 1)),
        (dt.date(2026, 1, 15), "12m", dt.date(2025, 1, 1)),
        (dt.date(2026, 1, 15), "ytd", dt.date(2026, 1, 1)),
        (dt.date(2024, 2, 29), "12m", dt.date(2023, 2, 1)),
        (dt.date(2024, 2, 29), "90d", dt.date(2023, 12, 2)),
    ],
)
def test_each_preset_covers_its_days_up_to_today(today, preset, start):
    period, errors = Period.from_params({"period": preset}, LONDON, today=today)
    assert errors == {} and (period.start, period.end, period.preset) == (start, today, preset)


def test_last_twelve_months_in_december_is_not_the_same_as_this_year_so_far():
    december = dt.date(2026, 12, 7)
    last_year, _ = Period.from_params({"period": "12m"}, LONDON, today=december)
    this_year, _ = Period.from_params({"period": "ytd"}, LONDON, today=december)
    assert last_year.start < this_year.start


def test_a_custom_period_counts_whole_local_days_in_utc():
    period, _ = Period.from_params(
        {"period": "custom", "from": "2026-07-01", "to": "2026-07-02"}, LONDON, today=TODAY
    )
    # London is UTC+1 in summer: its 1 July starts at 23:00 UTC on 30 June.
    assert period.start_utc == dt.datetime(2026, 6, 30, 23)
    assert period.end_utc == dt.datetime(2026, 7, 2, 23)


def test_a_period_ending_before_it_starts_is_refused():
    _, errors = Period.from_params(
        {"period": "custom", "from": "2026-07-02", "to": "2026-07-01"}, LONDON, today=TODAY
    )
    assert errors == {"to": "The last day must not be before the first."}


def test_a_malformed_date_is_refused_with_an_example():
    _, errors = Period.from_params(
        {"period": "custom", "from": "yesterday", "to": "2026-07-01"}, LONDON, today=TODAY
    )
    assert "like 2026-11-23" in errors["from"]


def test_long_periods_are_counted_by_week_then_by_month():
    def granularity(days: int) -> str:
        return Period(TODAY - dt.timedelta(days=days - 1), TODAY, LONDON).granularity

    assert (granularity(62), granularity(63), granularity(190), granularity(191)) == (
        "day",
        "week",
        "week",
        "month",
    )


def test_weeks_start_on_monday():
    period = Period(dt.date(2026, 9, 2), dt.date(2026, 11, 23), LONDON)
    assert period.granularity == "week"
    assert period.buckets()[0] == ("2026-08-31", "w/c 31 Aug")
    assert period.bucket_of(dt.datetime(2026, 9, 6, 12)) == "2026-08-31"


@pytest.mark.parametrize(
    ("days", "moment", "key"),
    [
        (30, dt.datetime(2026, 11, 20, 23, 30), "2026-11-20"),  # winter: London is UTC
        (60, dt.datetime(2026, 9, 30, 23, 30), "2026-10-01"),  # summer time: UTC+1
        (100, dt.datetime(2026, 9, 30, 12), "2026-09-28"),  # a week's Monday
        (300, dt.datetime(2026, 3, 31, 23, 30), "2026-04"),  # 00:30 on 1 April in London
    ],
)
def test_the_database_puts_a_moment_in_the_same_bucket_as_python(org, days, moment, key):
    period = Period(TODAY - dt.timedelta(days=days), TODAY, LONDON)
    tally(org, "phone", moment)
    with database.connection_context():
        in_sql = Tally.select(period.bucket_sql(Tally.at)).scalar()
    assert in_sql == period.bucket_of(moment) == key


def test_percentiles_are_the_nearest_rank_of_the_sorted_values(org):
    start = dt.datetime(2026, 11, 2, 9)
    for minutes in (70, 10, 100, 40, 20, 90, 30, 60, 50, 80):  # 10 rows, out of order
        tally(org, "phone", start + dt.timedelta(minutes=minutes))
    with database.connection_context():
        waited = minutes_between(Value(start), Tally.at)
        found = percentiles(Tally.in_org(org), waited, (0, 0.5, 0.9, 0.95, 1))
    assert [round(v) for v in found] == [10, 50, 90, 100, 100]


def test_percentiles_of_no_rows_are_unknown(org, make_org):
    tally(make_org("other"), "phone", dt.datetime(2026, 11, 2, 9))
    with database.connection_context():
        assert percentiles(Tally.in_org(org), Tally.id, (0.5, 0.9)) == [None, None]


# --- The page ---------------------------------------------------------------------------


def test_the_report_counts_per_day_in_the_organisations_time_zone(signed_in, london_org):
    tally(london_org, "phone", dt.datetime.now() - dt.timedelta(days=1))
    tally(london_org, "email", dt.datetime.now() - dt.timedelta(days=2))
    tally(london_org, "email", dt.datetime.now() - dt.timedelta(days=45))  # outside 30 days
    page = signed_in("viewer").get("/o/acme/tally/report")
    assert page.status_code == 200
    assert '2<span class="stat-label">tallies</span>' in page.text
    assert "times in Europe/London" in page.text


def test_a_filter_narrows_the_report(signed_in, london_org):
    tally(london_org, "phone", dt.datetime.now() - dt.timedelta(days=1))
    tally(london_org, "email", dt.datetime.now() - dt.timedelta(days=1))
    page = signed_in("viewer").get("/o/acme/tally/report?channel=phone")
    assert '1<span class="stat-label">tallies</span>' in page.text
    assert '<option value="phone" selected>' in page.text


def test_the_chart_is_inline_svg_without_scripts_and_labelled(signed_in, london_org):
    tally(london_org, "phone", dt.datetime.now() - dt.timedelta(days=1))
    page = signed_in("viewer").get("/o/acme/tally/report").text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_an_empty_period_says_so_instead_of_drawing(signed_in, london_org):
    page = signed_in("viewer").get("/o/acme/tally/report").text
    assert "Nothing to chart in this period." in page


def test_a_bad_period_rerenders_the_form_with_the_input_and_422(signed_in, london_org):
    page = signed_in("viewer").get(
        "/o/acme/tally/report?period=custom&from=2026-07-09&to=2026-07-01"
    )
    assert page.status_code == 422
    assert 'value="2026-07-09"' in page.text
    assert "The last day must not be before the first." in page.text


def test_each_table_downloads_as_csv_for_the_same_period_and_filters(signed_in, london_org):
    tally(london_org, "phone", dt.datetime(2026, 7, 1, 12))
    tally(london_org, "email", dt.datetime(2026, 7, 1, 13))
    response = signed_in("viewer").get(
        "/o/acme/tally/report?period=custom&from=2026-07-01&to=2026-07-02&channel=phone&csv=daily"
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        'filename="tallies-daily-2026-07-01-2026-07-02.csv"'
        in response.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows == [["Day", "Tallies"], ["2026-07-01", "1"], ["2026-07-02", "0"]]


def test_an_unknown_table_is_not_found(signed_in, london_org):
    assert signed_in("viewer").get("/o/acme/tally/report?csv=nope").status_code == 404


def test_another_organisations_rows_are_not_counted(signed_in, london_org, make_org):
    tally(make_org("other"), "phone", dt.datetime.now() - dt.timedelta(days=1))
    page = signed_in("viewer").get("/o/acme/tally/report").text
    assert '0<span class="stat-label">tallies</span>' in page


# --- Charts -------------------------------------------------------------------------------


def test_counts_are_charted_on_whole_number_ticks():
    svg = Chart("People", ["a", "b"], {"People": [1, 3]}).svg()
    assert ">0.5<" not in svg and ">3<" in svg


def test_horizontal_bars_read_top_down_in_the_given_order():
    svg = str(Chart("Channels", ["Phone", "Email"], {"n": [9, 2]}, kind="hbar").svg())

    def height(label: str) -> float:
        return float(re.search(rf'<text x="[^"]*" y="([^"]*)"[^>]*>{label}</text>', svg)[1])

    assert height("Phone") < height("Email")  # nearer the top
