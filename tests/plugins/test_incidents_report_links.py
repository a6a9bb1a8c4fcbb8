"""Each bar, segment and point of the service desk report links to the incidents it counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord import utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents.testing import make_incident
from accord.testing import chart_links

REPORT = "/o/acme/incidents/report"


@pytest.fixture
def manager(signed_in, org, make_org, enable_plugin):
    org.time_zone = "Europe/London"
    org.save()
    enable_plugin(org, "incidents")
    email = make_service(org, "Email", levels={3: (60, 480)})
    network = make_service(org, "Network", levels={3: (60, 480)})
    now = utcnow()

    def log(days_ago: float, service, **fields):
        incident = make_incident(
            org, service=service, at=now - dt.timedelta(days=days_ago), **fields.pop("log", {})
        )
        for name, value in fields.items():
            setattr(incident, name, value)
        incident.save()

    log(1, email, log={"channel": "email", "category": "software", "impact": 1, "urgency": 1})
    log(2, email, log={"channel": "phone"})
    log(2, network, log={"channel": "phone", "category": "network"})
    log(
        4.5,
        network,
        status="resolved",
        resolved_at=now - dt.timedelta(days=3),
        responded_at=now - dt.timedelta(days=4),
    )
    log(40, email)  # before the period: only the backlog counts it
    other = make_org("other")  # another organisation's incidents never show
    enable_plugin(other, "incidents")
    make_incident(other, service=make_service(other, "Email"), at=now - dt.timedelta(days=1))
    return signed_in("manager")


def shown(client, url: str) -> int:
    """How many incidents the list at ``url`` shows (every one fits on its page)."""
    page = client.get(url + "&per_page=100")
    assert page.status_code == 200
    return len(re.findall(r'name="ids" value="\d+"', page.text))


def counted(title: str) -> int | None:
    figure = re.match(r".*: ([\d,]+)\. Show these records$", title)
    return int(figure[1].replace(",", "")) if figure else None


def test_every_counting_bar_leads_to_exactly_the_incidents_it_counts(manager):
    links = chart_links(manager.get(f"{REPORT}?period=7d").text)
    counts = [
        (url, counted(title), title)
        for url, title in links
        if counted(title) and not title.startswith(("First response", "Resolution"))  # hours
    ]
    assert len(counts) >= 10  # logged and resolved per day, channels, categories, backlog
    for url, figure, title in counts:
        assert shown(manager, url) == figure, title


def test_a_days_bar_links_to_the_incidents_opened_that_day_in_the_organisations_zone(manager):
    links = chart_links(manager.get(f"{REPORT}?period=7d").text)
    day = (utcnow() - dt.timedelta(days=2)).replace(tzinfo=dt.UTC)
    local = day.astimezone(dt.timezone(dt.timedelta())).date()
    url = next(u for u, t in links if f"{local:%-d %b}, Logged" in t)
    assert "opened_from=" in url and shown(manager, url) == 2


def test_a_backlog_segment_links_to_open_incidents_of_its_age_and_priority(manager):
    links = chart_links(manager.get(f"{REPORT}?period=7d").text)
    url, title = next((u, t) for u, t in links if t.startswith("Over 30 days"))
    assert "status=open" in url and "age=older" in url
    assert shown(manager, url) == counted(title) == 1


def test_the_sla_bar_links_to_the_incidents_resolved_with_a_target(manager):
    links = chart_links(manager.get(f"{REPORT}?period=7d").text)
    url = next(u for u, t in links if t.startswith("Network: "))
    assert "target=yes" in url and "resolved_from=" in url
    assert shown(manager, url) == 1


def test_the_list_says_which_filters_a_link_chose_and_removes_them(manager):
    links = chart_links(manager.get(f"{REPORT}?period=7d").text)
    url = next(u for u, t in links if t.startswith("Over 30 days"))
    page = manager.get(url).text
    assert "Age: Over 30 days" in page and 'aria-label="Remove: Age: Over 30 days"' in page


def test_a_time_links_to_the_incidents_it_was_measured_on(manager):
    links = chart_links(manager.get(f"{REPORT}?period=7d").text)
    url = next(u for u, t in links if t.startswith("First response, Median"))
    assert "responded_from=" in url and shown(manager, url) == 1


def test_the_report_says_its_bars_lead_to_their_records(manager):
    assert "Choose a bar or point to see the records it counts." in manager.get(REPORT).text
