"""The global search finds a person's incidents, complaints and problems, saying why.

Searching a person's name (typos too), any email address or any phone number
lists, besides the person, the incidents they reported, the complaints they
made and the problems linked to their incidents; never another
organisation's.
"""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.testing import make_service
from accord.plugins.complaints.testing import make_complaint
from accord.plugins.contacts.api import PersonMatch, matching_people
from accord.plugins.contacts.testing import make_organisation, make_person
from accord.plugins.incidents.testing import make_incident
from accord.plugins.problems import records
from accord.plugins.problems.testing import make_problem

SEARCH = "/o/acme/dashboard/search"


@pytest.fixture
def accord_extra_modules():
    return [
        "accord.plugins.contacts",
        "accord.plugins.incidents",
        "accord.plugins.complaints",
        "accord.plugins.problems",
    ]


@pytest.fixture
def priya(org, enable_plugin):
    for plugin in ("incidents", "complaints", "problems"):
        enable_plugin(org, plugin)
    school = make_organisation(org, "Riverside Academy")
    person = make_person(
        org,
        "Priya",
        "Raman",
        email="priya@council.example",
        other_emails=("p.raman@home.example",),
        phone="020 7946 0958",
        other_phones=("07911 123456",),
        organisation=school,
    )
    outage = make_incident(org, "Wi-Fi down in the library", reporter=person)
    make_incident(org, "Projector flickers")  # reported by someone else
    make_complaint(org, "Nobody told us the Wi-Fi would be off.", person=person)
    problem = make_problem(org, "Access points reboot at night")
    records.link(problem, outage, user=None, quiet=True)
    return person


def found(client, q):
    return client.get(SEARCH, params={"q": q}).text


@pytest.mark.parametrize(
    "query",
    ["Priya Raman", "Priya Ramen", "p.raman@home.example", "07911 123456", "+44 20 7946 0958"],
)
def test_a_persons_name_address_or_number_finds_their_records(signed_in, priya, query):
    page = found(signed_in("viewer"), query)
    assert ">Priya Raman</a>" in page, query
    assert "Wi-Fi down in the library" in page and "Reported by Priya Raman" in page
    assert "Complaint from Priya Raman" in page
    assert "Access points reboot at night" in page
    assert "Linked to INC-000001, reported by Priya Raman" in page
    assert "Projector flickers" not in page


def test_the_person_comes_before_their_records(signed_in, priya):
    page = found(signed_in("viewer"), "Priya Raman")
    assert page.index(">Priya Raman</a>") < page.index("Wi-Fi down in the library")


def test_people_found_only_by_their_organisation_bring_no_records(signed_in, priya):
    page = found(signed_in("viewer"), "Riverside")
    assert ">Priya Raman</a>" in page and "Reported by" not in page


def test_another_organisations_records_never_appear(signed_in, priya, make_org, enable_plugin):
    other = make_org("globex")
    for plugin in ("incidents", "complaints", "problems"):
        enable_plugin(other, plugin)
    twin = make_person(other, "Priya", "Raman", email="priya@globex.example")
    theirs = make_incident(other, "Globex printer on fire", reporter=twin)
    make_complaint(other, "Globex is unhappy.", person=twin)
    records.link(make_problem(other, "Globex toner leaks"), theirs, user=None, quiet=True)
    page = found(signed_in("viewer"), "Priya Raman")
    assert "Globex" not in page and "priya@globex.example" not in page


def test_matching_people_is_limited_and_of_the_organisation_only(priya, make_org):
    make_person(make_org("globex"), "Priya", "Raman")
    assert matching_people(priya.org, "priya raman") == [PersonMatch(priya.id, "Priya Raman")]
    assert matching_people(priya.org, "priya raman", limit=0) == []
    assert matching_people(priya.org, "   ") == []


def test_a_person_found_by_another_address_says_which(signed_in, priya):
    page = found(signed_in("viewer"), "p.raman@home.example")
    assert "also p.raman@home.example" in page


# --- Pickers of other plugins ------------------------------------------------------------------


def test_the_reporter_picker_finds_a_person_by_another_address(signed_in, org, priya):
    make_service(org, "Email")  # the log form needs a live service to be shown
    page = signed_in("agent").get("/o/acme/incidents/new?reporter_q=p.raman@home").text
    assert f'name="reporter" value="{priya.id}"' in page


def test_the_complainant_picker_finds_a_person_by_another_number(signed_in, priya):
    page = signed_in("agent").get("/o/acme/complaints/new?person_q=07911123456").text
    assert f'value="{priya.id}"' in page and "Priya Raman" in page
