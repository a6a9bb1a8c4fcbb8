"""Each bar of the customers report links to the people or organisations it counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord import User, utcnow
from accord.plugins.contacts.models import Person
from accord.plugins.contacts.testing import log_interaction, make_organisation, make_person
from accord.testing import chart_links

REPORT = "/o/acme/contacts/report?period=30d"


@pytest.fixture
def manager(signed_in, org, make_org, enable_plugin):
    enable_plugin(org, "contacts")
    now = utcnow()
    school = make_organisation(org, "Riverside Academy", industry="Education", city="Leeds")
    make_organisation(org, "Hill Clinic", kind="health", industry="")
    for first, city, band, days in (
        ("Ana", "Leeds", "25-34", 1),
        ("Ben", "Leeds", "", 3),
        ("Cy", "", "35-44", 3),
        ("Dee", "York", "25-34", 50),  # added before the period
    ):
        person = make_person(org, first, "Lima", organisation=school, city=city, country="GB")
        Person.update(age_band=band, created_at=now - dt.timedelta(days=days)).where(
            Person.id == person.id
        ).execute()
    client = signed_in("manager", email="mia@acme.test")
    mia = User.get(User.email == "mia@acme.test")
    ana = Person.get(Person.first_name == "Ana")
    log_interaction(ana, kind="call", logged_by=mia, occurred_at=now - dt.timedelta(days=2))
    log_interaction(ana, kind="email", occurred_at=now - dt.timedelta(days=2))  # imported
    log_interaction(ana, kind="call", status="planned", occurred_at=now + dt.timedelta(days=2))
    log_interaction(ana, kind="call", logged_by=mia, occurred_at=now - dt.timedelta(days=90))
    gone = make_person(org, "Eve", "Gone")
    Person.update(status="archived").where(Person.id == gone.id).execute()
    other = make_org("other")
    enable_plugin(other, "contacts")
    log_interaction(make_person(other, "Olga", "Other", city="Leeds", country="GB"))
    return client


def shown(client, url: str) -> int:
    page = client.get(url + "&per_page=100")
    assert page.status_code == 200
    return len(re.findall(r'href="/o/acme/contacts/(?:people|organisations)/\d+"', page.text))


def counted(title: str) -> int | None:
    figure = re.match(r".*: ([\d,]+)\. Show these records$", title)
    return int(figure[1].replace(",", "")) if figure else None


def test_every_counting_bar_leads_to_exactly_the_contacts_it_counts(manager):
    links = chart_links(manager.get(REPORT).text)
    counts = [(u, counted(t), t) for u, t in links if "/contacts/groups/" not in u]
    assert len(counts) >= 12  # added per day, channels, staff, types, sectors, towns, ages
    for url, figure, title in counts:
        assert shown(manager, url) == figure, title


def test_a_town_bar_links_to_its_people_and_people_without_a_town_have_theirs(manager):
    links = chart_links(manager.get(REPORT).text)
    leeds = next(u for u, t in links if t.startswith("Leeds ("))
    unset = next(u for u, t in links if t.startswith("Not set ("))
    assert (shown(manager, leeds), shown(manager, unset)) == (2, 1)
    assert "city=none" in unset


def test_an_age_band_links_to_the_people_in_it(manager):
    links = chart_links(manager.get(REPORT).text)
    url = next(u for u, t in links if "age=25-34" in u)
    assert shown(manager, url) == 2  # Ana, and Dee added before the period: ages are today's


def test_a_staff_bar_links_to_the_interactions_they_logged_in_the_period(manager):
    links = chart_links(manager.get(REPORT).text)
    mine = next(u for u, t in links if t.startswith("Mia"))
    imported = next(u for u, t in links if t.startswith("Nobody (imported)"))
    assert (shown(manager, mine), shown(manager, imported)) == (1, 1)
    assert "/contacts/interactions/?" in mine and "held_from=" in mine
