"""Each bar and segment of the complaints report links to the complaints it counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord import utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.complaints.testing import make_complaint
from accord.plugins.contacts.testing import make_person
from accord.testing import chart_links

REPORT = "/o/acme/complaints/report?period=30d"


@pytest.fixture
def manager(signed_in, org, make_org, enable_plugin):
    enable_plugin(org, "complaints")
    carla = make_person(org, "Carla", "Complainer", email="carla@example.org")
    email, vpn = make_service(org, "Email"), make_service(org, "VPN")
    now = utcnow()
    for days, service, cause in (
        (1, email, "slow_response"),
        (2, email, "slow_response"),
        (2, vpn, "quality"),
        (5, None, "charges"),
        (60, email, "quality"),  # before the period
    ):
        make_complaint(
            org,
            person=carla,
            service_id=service.id if service else None,
            cause=cause,
            received_at=now - dt.timedelta(days=days),
        )
    late = make_complaint(org, person=carla, received_at=now - dt.timedelta(days=9))
    late.acknowledged_at = late.acknowledge_due + dt.timedelta(hours=2)
    late.save()
    other = make_org("other")
    enable_plugin(other, "complaints")
    make_complaint(other, person=make_person(other, "Olga", "Other"), received_at=now)
    return signed_in("manager")


def shown(client, url: str) -> int:
    page = client.get(url + "&per_page=100")
    assert page.status_code == 200
    return len(re.findall(r'href="/o/acme/complaints/\d+"', page.text))


def counted(title: str) -> int:
    return int(re.match(r".*: ([\d,]+)\. Show these records$", title)[1])


def test_every_bar_and_segment_leads_to_exactly_the_complaints_it_counts(manager):
    links = chart_links(manager.get(REPORT).text)
    assert len(links) >= 10  # services × causes, causes, acknowledgement, days
    for url, title in links:
        assert shown(manager, url) == counted(title), title


def test_a_segment_links_to_its_service_and_cause_in_the_period(manager):
    links = dict((t, u) for u, t in chart_links(manager.get(REPORT).text))
    url = links["Email, Slow response or resolution: 2. Show these records"]
    assert "cause=slow_response" in url and "received_from=" in url


def test_complaints_with_no_service_have_their_own_link(manager):
    links = chart_links(manager.get(REPORT).text)
    url = next(u for u, t in links if t.startswith("(no service)"))
    assert "service=none" in url and shown(manager, url) == 1


def test_the_late_bar_links_to_the_complaints_acknowledged_late(manager):
    links = chart_links(manager.get(REPORT).text)
    url = next(u for u, t in links if t.startswith("Late:"))
    page = manager.get(url).text
    assert "Received " in page and "acknowledgement=late" in url and shown(manager, url) == 1
