"""Each bar and point of the satisfaction results links to the answers it averages."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest

from accord import User, utcnow
from accord.plugins.catalogue.testing import make_service
from accord.plugins.incidents.testing import make_incident, make_team
from accord.plugins.satisfaction.models import Survey
from accord.testing import chart_links

BASE = "/o/acme/satisfaction"
RESULTS = f"{BASE}/results?period=30d"


def answered(org, incident, score, at, *, agent=None):
    return Survey.create(
        org=org,
        incident=incident.id,
        person=incident.reporter_id,
        service_id=incident.service_id,
        team_id=incident.team_id,
        agent=agent.id if agent else None,
        nonce=secrets.token_hex(16),
        send_after=at,
        sent_at=at,
        status="answered",
        score=score,
        answered_at=at,
        month=f"{at:%Y-%m}",
    )


@pytest.fixture
def manager(signed_in, org, make_org, enable_plugin):
    enable_plugin(org, "satisfaction")
    client = signed_in("manager", email="mia@acme.test")
    mia = User.get(User.email == "mia@acme.test")
    email, vpn = make_service(org, "Email"), make_service(org, "VPN")
    desk = make_team(org)
    now = utcnow()
    for days, service, score, agent in (
        (1, email, 5, mia),
        (1, email, 2, None),
        (3, vpn, 4, mia),
        (3, None, 3, mia),
        (45, email, 1, mia),  # before the period
    ):
        incident = make_incident(org, service=service, team=desk.id if score > 3 else None)
        answered(org, incident, score, now - dt.timedelta(days=days), agent=agent)
    other = make_org("other")
    enable_plugin(other, "satisfaction")
    answered(other, make_incident(other, service=make_service(other, "Email")), 5, now)
    return client


def shown(client, url: str) -> int:
    page = client.get(url + "&per_page=100")
    assert page.status_code == 200
    return len(re.findall(r'<td class="num">\s*[1-5]\s*</td>', page.text))


def responses(html: str, section: str) -> dict[str, int]:
    """The label and responses of each row of a section's table on the results page."""
    part = html.split(f'id="report-{section}"')[1].split("</section>")[0]
    return {
        label: int(n)
        for label, n in re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', part)
    }


@pytest.mark.parametrize("section", ["month", "service", "team", "agent"])
def test_each_bar_or_point_leads_to_exactly_the_answers_it_averages(manager, section):
    html = manager.get(RESULTS).text
    expected = responses(html, section)
    part = html.split(f'id="report-{section}"')[1].split("</section>")[0]
    links = chart_links(part)
    assert len(links) == len(expected)
    for url, title in links:
        label = title.split(": ")[0]
        assert shown(manager, url) == expected[label], title


def test_the_answers_list_shows_the_filters_a_link_chose(manager):
    html = manager.get(RESULTS).text
    url = next(u for u, t in chart_links(html) if t.startswith("(no service)"))
    page = manager.get(url).text
    assert '<option value="none" selected>No service</option>' in page
    assert 'aria-label="Remove: Answered ' in page
