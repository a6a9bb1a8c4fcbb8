"""The service desk report's daily summaries: kept by every change, equal to the live count."""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import math
import random
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner

from accord import Period, utcnow
from accord.plugins.catalogue.models import Service
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents import commands, figures, summaries, tasks, workflow
from accord.plugins.incidents.models import DailySummary, Incident
from accord.plugins.incidents.testing import make_incident, make_team, reload

URL = "/o/acme/incidents/report"
ZONE = "Europe/London"  # a zone with summer time: days are not UTC days
CHANNELS = ("email", "phone", "portal")
CATEGORIES = ("email", "network", "hardware", "other")


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def desk(org, enable_plugin):
    """The organisation in London, three services (one without targets) and two teams."""
    enable_plugin(org, "incidents")
    org.time_zone = ZONE
    org.save()
    levels = {p: (30 * p, 240 * p) for p in (1, 2, 3, 4)}
    services = [
        make_service(org, "Email", levels=levels),
        make_service(org, "Network", levels=levels),
        make_service(org, "Intranet"),
    ]
    teams = [make_team(org, "Service Desk"), make_team(org, "Networks", tier=2)]
    return org, services, teams


def step(incident: Incident, action, *args, **kwargs) -> Incident:
    """Do one workflow action, quietly, on the incident as it is now; skip it when not
    allowed."""
    incident = reload(incident)
    if "quiet" in inspect.signature(action).parameters:
        kwargs["quiet"] = True
    with contextlib.suppress(workflow.NotAllowed):
        action(incident, incident.version, *args, user=None, **kwargs)
    return incident


def random_history(org, services, teams, rng: random.Random, count: int) -> None:
    """Incidents logged over the last 14 months, each with a random history: assignment,
    replies, work, priority and service changes, resolution, reopening, closing."""
    now = utcnow()
    for _ in range(count):
        at = now - dt.timedelta(days=rng.uniform(2, 420))
        incident = make_incident(
            org,
            service=rng.choice([*services, None]),
            at=at,
            channel=rng.choice(CHANNELS),
            category=rng.choice(CATEGORIES),
            impact=rng.randint(1, 4),
            urgency=rng.randint(1, 4),
        )

        def later() -> dt.datetime:
            nonlocal at
            at = min(at + dt.timedelta(minutes=rng.uniform(1, 3000)), now)
            return at

        if rng.random() < 0.7:
            step(
                incident,
                workflow.assign,
                team=rng.choice(teams),
                assignee=None,
                now=later(),
            )
        if rng.random() < 0.6:
            incident = reload(incident)
            workflow.note(incident, "On it.", public=True, user=None, now=later(), quiet=True)
        if rng.random() < 0.3:
            step(incident, workflow.reprioritise, rng.randint(1, 4), now=later())
        if rng.random() < 0.2:
            service = rng.choice([*services, None])
            values = {
                "service": service.id if service else None,
                "impact": rng.randint(1, 4),
                "urgency": rng.randint(1, 4),
            }
            step(incident, workflow.edit, values, now=later())
        if rng.random() < 0.8:
            step(incident, workflow.resolve, "fixed", "Done.", now=later())
            if rng.random() < 0.35:
                step(incident, workflow.reopen, "Again.", window_days=30, now=later())
                if rng.random() < 0.4:
                    step(incident, workflow.reprioritise, rng.randint(1, 4), now=later())
                if rng.random() < 0.7:
                    step(incident, workflow.resolve, "fixed", "Done.", now=later())
            if rng.random() < 0.5:
                step(incident, workflow.close, now=later())


def periods(today: dt.date) -> dict[str, Period]:
    zone = ZoneInfo(ZONE)
    return {
        "7 days": Period.preset_for("7d", zone, today),
        "30 days": Period.preset_for("30d", zone, today),
        "90 days (by week)": Period.preset_for("90d", zone, today),
        "12 months (by month)": Period.preset_for("12m", zone, today),
        "mid-month to mid-month (by month)": Period(
            today - dt.timedelta(days=300), today - dt.timedelta(days=20), zone
        ),
        "over the spring clock change": Period(dt.date(2026, 3, 20), dt.date(2026, 4, 5), zone),
    }


def scopes(org, services, teams) -> dict[str, tuple[int | None, int | None]]:
    return {
        "everything": (None, None),
        "one service": (services[0].id, None),
        "one team": (None, teams[1].id),
        "one service and team": (services[1].id, teams[0].id),
    }


def live(org, period: Period, service: int | None, team: int | None) -> figures.Figures:
    query = Incident.in_org(org)
    if service is not None:
        query = query.where(Incident.service == service)
    if team is not None:
        query = query.where(Incident.team == team)
    return figures.live(query, period)


def summarised(org, period: Period, service: int | None, team: int | None) -> figures.Figures:
    services = {s.id for s in Service.in_org(org)}
    return figures.summarised(org, period, service, team, services)


def assert_same(found: figures.Figures, expected: figures.Figures) -> None:
    """Counts exactly equal; means equal to rounding; medians and percentiles in the bucket
    of the live value."""
    assert found.resolved == expected.resolved
    assert found.logged_by_bucket == expected.logged_by_bucket
    assert found.resolved_by_bucket == expected.resolved_by_bucket
    assert found.channels == expected.channels
    assert found.categories == expected.categories
    for name in ("response", "resolution"):
        mine, theirs = getattr(found, name), getattr(expected, name)
        assert mine.count == theirs.count, name
        if theirs.count == 0:
            assert (mine.mean, mine.median, mine.p90) == (None, None, None)
            continue
        # SQLite's julianday keeps milliseconds: 1e-3 minutes is 60 ms.
        assert math.isclose(mine.mean, theirs.mean, abs_tol=1e-3), name
        for point in ("median", "p90"):
            assert summaries.bucket_of(getattr(mine, point) * 60_000) == summaries.bucket_of(
                getattr(theirs, point) * 60_000
            ), (name, point)


def summary_rows(org) -> set[tuple]:
    return set(
        DailySummary.select(
            DailySummary.grain,
            DailySummary.day,
            DailySummary.service,
            DailySummary.team,
            DailySummary.fact,
            DailySummary.value,
            DailySummary.tally,
            DailySummary.total_ms,
        )
        .where((DailySummary.org == org.id) & (DailySummary.tally != 0))
        .tuples()
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_summaries_equal_the_live_count_for_every_period_and_filter(desk, seed):
    org, services, teams = desk
    summaries.rebuild(org)  # built before: every change below is counted incrementally
    random_history(org, services, teams, random.Random(seed), 30)
    today = utcnow().replace(tzinfo=dt.UTC).astimezone(ZoneInfo(ZONE)).date()
    for label, period in periods(today).items():
        for scope, (service, team) in scopes(org, services, teams).items():
            expected = live(org, period, service, team)
            try:
                assert_same(summarised(org, period, service, team), expected)
            except AssertionError as problem:
                raise AssertionError(f"{label}, {scope}: {problem}") from problem


def test_changes_keep_the_summaries_a_rebuild_would_make(desk):
    org, services, teams = desk
    summaries.rebuild(org)
    random_history(org, services, teams, random.Random(3), 30)
    kept = summary_rows(org)
    summaries.rebuild(org)
    assert summary_rows(org) == kept


def test_a_reopen_takes_the_resolution_back_until_it_is_resolved_again(desk):
    org, services, _ = desk
    summaries.rebuild(org)
    today = utcnow().replace(tzinfo=dt.UTC).astimezone(ZoneInfo(ZONE)).date()
    period = Period.preset_for("30d", ZoneInfo(ZONE), today)
    incident = make_incident(org, service=services[0], at=utcnow() - dt.timedelta(days=3))
    step(incident, workflow.resolve, "fixed", "Done.", now=utcnow() - dt.timedelta(days=2))
    assert summarised(org, period, None, None).resolution.count == 1
    step(incident, workflow.reopen, "Again.", window_days=30, now=utcnow() - dt.timedelta(days=1))
    assert summarised(org, period, None, None).resolution.count == 0
    step(incident, workflow.resolve, "fixed", "Done.", now=utcnow())
    found = summarised(org, period, None, None)
    assert found.resolution.count == 1
    assert [counts[3] for counts in found.resolved.values()] == [1]  # reopened before


def test_a_new_priority_moves_the_incident_to_that_priority(desk):
    org, services, _ = desk
    summaries.rebuild(org)
    today = utcnow().replace(tzinfo=dt.UTC).astimezone(ZoneInfo(ZONE)).date()
    period = Period.preset_for("7d", ZoneInfo(ZONE), today)
    incident = make_incident(org, service=services[0], at=utcnow() - dt.timedelta(hours=5))
    step(incident, workflow.reprioritise, 1, now=utcnow() - dt.timedelta(hours=4))
    step(incident, workflow.resolve, "fixed", "Done.", now=utcnow() - dt.timedelta(hours=3))
    step(incident, workflow.reopen, "Again.", window_days=30, now=utcnow() - dt.timedelta(hours=2))
    step(incident, workflow.reprioritise, 4, now=utcnow() - dt.timedelta(hours=1))
    step(incident, workflow.resolve, "fixed", "Done.", now=utcnow())
    assert list(summarised(org, period, None, None).resolved) == [(services[0].id, 4, True)]


def test_a_new_service_moves_the_incident_to_that_service(desk):
    org, services, _ = desk
    summaries.rebuild(org)
    today = utcnow().replace(tzinfo=dt.UTC).astimezone(ZoneInfo(ZONE)).date()
    period = Period.preset_for("7d", ZoneInfo(ZONE), today)
    incident = make_incident(org, service=services[0], at=utcnow() - dt.timedelta(hours=5))
    values = {"service": services[1].id, "impact": 3, "urgency": 3}
    step(incident, workflow.edit, values, now=utcnow() - dt.timedelta(hours=4))
    assert summarised(org, period, services[0].id, None).channels == {}
    assert summarised(org, period, services[1].id, None).channels == {"phone": 1}


def test_an_incident_of_a_deleted_service_counts_as_having_none(desk):
    org, services, _ = desk
    summaries.rebuild(org)
    today = utcnow().replace(tzinfo=dt.UTC).astimezone(ZoneInfo(ZONE)).date()
    period = Period.preset_for("7d", ZoneInfo(ZONE), today)
    incident = make_incident(org, service=services[2], at=utcnow() - dt.timedelta(hours=5))
    step(incident, workflow.resolve, "fixed", "Done.", now=utcnow() - dt.timedelta(hours=1))
    Service.delete().where(Service.id == services[2].id).execute()  # the incident's is NULL
    found = summarised(org, period, None, None)
    assert found.resolved == live(org, period, None, None).resolved
    assert list(found.resolved) == [(None, 3, False)]


def test_a_forgotten_incident_leaves_the_summaries(desk):
    org, services, _ = desk
    summaries.rebuild(org)
    incident = make_incident(org, service=services[0], at=utcnow() - dt.timedelta(hours=5))
    summaries.forget(incident)
    Incident.delete().where(Incident.id == incident.id).execute()
    assert summary_rows(org) == set()


def test_reports_count_live_while_the_summaries_are_in_another_time_zone(desk):
    org, services, _ = desk
    summaries.rebuild(org)
    assert summaries.ready(org)
    org.time_zone = "America/New_York"
    org.save()
    assert not summaries.ready(org)
    assert tasks.build_summaries() == 1
    assert summaries.ready(org)


def test_changes_before_the_summaries_are_built_are_counted_by_the_build(desk):
    org, services, teams = desk
    random_history(org, services, teams, random.Random(4), 10)
    summaries.rebuild(org)
    today = utcnow().replace(tzinfo=dt.UTC).astimezone(ZoneInfo(ZONE)).date()
    period = Period.preset_for("12m", ZoneInfo(ZONE), today)
    assert_same(summarised(org, period, None, None), live(org, period, None, None))


def test_the_report_page_reads_the_summaries_once_built(desk, signed_in):
    org, services, _ = desk
    client = signed_in("manager")
    make_incident(org, service=services[0], at=utcnow() - dt.timedelta(hours=5), channel="email")
    summaries.rebuild(org)
    # Behind the summaries' back (no workflow): the live count would see the change.
    Incident.update(channel="portal").execute()
    page = client.get(f"{URL}?csv=channel")
    assert page.status_code == 200
    assert "Email,1" in page.text and "Portal" not in page.text


def cli(accord_settings, *args: str):
    group = click.Group()
    commands.add_commands(group)
    env = {
        "ACCORD_HOME": str(accord_settings.home),
        "ACCORD_DATABASE_URL": accord_settings.database_url,
        "ACCORD_SECRET_KEY": "test-secret-key",
    }
    return CliRunner().invoke(group, ["incidents", "rebuild-summaries", *args], env=env)


def test_the_cli_rebuilds_an_organisations_summaries(desk, accord_settings):
    org, services, _ = desk
    make_incident(org, service=services[0], at=utcnow() - dt.timedelta(hours=5))
    result = cli(accord_settings, "--org", "acme")
    assert result.exit_code == 0, result.output
    assert "acme: 1 incidents" in result.output
    assert summaries.ready(org)


def test_the_cli_names_an_organisation_that_does_not_exist(desk, accord_settings):
    result = cli(accord_settings, "--org", "nobody")
    assert result.exit_code == 1
    assert "there is no organisation 'nobody'" in result.output
