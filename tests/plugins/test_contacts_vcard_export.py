"""The people list's vCard export: streamed a page at a time, the same cards as one by one."""

from __future__ import annotations

import pytest
import vobject
from playhouse.test_utils import count_queries

from accord.plugins.contacts import vcard
from accord.plugins.contacts.models import ContactDetail, Person, Tag
from accord.plugins.contacts.tables import people_query
from accord.plugins.contacts.testing import make_organisation, make_person

EXPORT = "/o/acme/contacts/people/vcard"
MANY = 1_200
# Few names, so many people share a last and first name and pages break inside a tie.
LAST_NAMES = ["Lima", "Okafor", "Nowak", "Chen", "Patel", "Hughes", "Ali"]
FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Eve"]


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "contacts")
    return org


def add_people(org, count, organisation=None):
    """``count`` people of ``org`` in two inserts: a primary email and phone each, another
    email for every third and a mobile for every fifth, some in ``organisation``."""
    first_id = (Person.select(Person.id).order_by(Person.id.desc()).scalar() or 0) + 1
    Person.insert_many(
        [
            {
                "org": org.id,
                "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
                "last_name": LAST_NAMES[n % len(LAST_NAMES)],
                "email": f"person{n}@council.example",
                "phone": f"+44113{n:07d}",
                "job_title": "Network Manager" if n % 2 else "",
                "city": "Leeds" if n % 4 else "",
                "country": "GB" if n % 4 else "",
                "tag_names": "VIP, Governor" if n % 6 == 0 else "",
                "organisation": organisation.id if organisation and n % 3 == 0 else None,
            }
            for n in range(count)
        ]
    ).execute()
    ids = [p.id for p in Person.select(Person.id).where(Person.id >= first_id)]
    details = []
    for n, pid in enumerate(ids):
        details.append((org.id, pid, "email", f"person{n}@council.example", "work", True))
        if n % 3 == 0:
            details.append((org.id, pid, "email", f"p{n}@home.example", "home", False))
        if n % 5 == 0:
            details.append((org.id, pid, "phone", f"+447911{n:06d}", "mobile", False))
    ContactDetail.insert_many(
        details,
        fields=[
            ContactDetail.org,
            ContactDetail.person,
            ContactDetail.kind,
            ContactDetail.value,
            ContactDetail.label,
            ContactDetail.is_primary,
        ],
    ).execute()


def one_by_one(org):
    """The cards as the export made them before it streamed: each person on their own."""
    people = Person.select().where((Person.org == org) & (Person.status == "active"))
    ordered = people.order_by(Person.last_name, Person.first_name, Person.id)
    return "".join(vcard.card(person) for person in ordered)


def test_the_export_of_many_people_holds_the_same_cards_as_one_by_one(signed_in, enabled):
    add_people(enabled, MANY, make_organisation(enabled, "Riverside Academy"))
    body = signed_in("viewer").get(EXPORT).text
    assert body.count("BEGIN:VCARD") == MANY
    assert body == one_by_one(enabled)


def test_the_export_reads_its_people_once_and_each_pages_details_in_one_query(enabled):
    add_people(enabled, MANY, make_organisation(enabled, "Riverside Academy"))
    with count_queries() as counter:
        chunks = list(vcard.pages(people_query(enabled, "active")))
    pages = -(-MANY // vcard.PAGE)
    assert len(chunks) == pages
    statements = [record.msg[0] for record in counter.get_queries()]
    people = [sql for sql in statements if 'FROM "contacts_person" AS' in sql]
    details = [sql for sql in statements if 'FROM "contacts_person_detail"' in sql]
    assert len(people) == 1  # one run of the query, read a page at a time
    assert len(details) == pages


def test_the_export_is_streamed_a_page_at_a_time(signed_in, enabled, monkeypatch):
    add_people(enabled, 5)
    monkeypatch.setattr(vcard, "PAGE", 2)
    chunks = list(vcard.pages(people_query(enabled, "active")))
    assert [chunk.count("BEGIN:VCARD") for chunk in chunks] == [2, 2, 1]
    response = signed_in("viewer").get(EXPORT)
    assert response.headers["content-type"] == "text/vcard; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == 'attachment; filename="people.vcf"'
    assert "content-length" not in response.headers  # sent in chunks, its length unknown
    assert response.text == one_by_one(enabled)


def test_the_export_keeps_the_lists_filters(signed_in, enabled, monkeypatch):
    monkeypatch.setattr(vcard, "PAGE", 2)
    add_people(enabled, 6)
    for first in ("Tia", "Uma", "Vic"):
        make_person(enabled, first, "Governor", tags="Budget holder")
    tag = Tag.get((Tag.org == enabled) & (Tag.name == "Budget holder"))
    body = signed_in("viewer").get(f"{EXPORT}?tag={tag.id}").text
    assert body.count("BEGIN:VCARD") == 3
    assert [line for line in body.splitlines() if line.startswith("FN:")] == [
        "FN:Tia Governor",
        "FN:Uma Governor",
        "FN:Vic Governor",
    ]


def test_the_export_leaves_out_archived_people(signed_in, enabled):
    make_person(enabled, "Ana", "Lima")
    make_person(enabled, "Old", "Record", status="archived")
    body = signed_in("viewer").get(EXPORT).text
    assert "FN:Ana Lima" in body
    assert "Old Record" not in body


def test_another_organisations_people_are_never_exported(signed_in, enabled, make_org):
    other = make_org("other", "Other Council")
    make_person(other, "Zed", "Foreign", email="zed@other.example")
    make_person(enabled, "Ana", "Lima")
    body = signed_in("viewer").get(EXPORT).text
    assert body.count("BEGIN:VCARD") == 1
    assert "Foreign" not in body and "zed@other.example" not in body


def test_an_export_that_finds_nobody_is_empty(signed_in, enabled):
    response = signed_in("viewer").get(f"{EXPORT}?q=nobody")
    assert response.status_code == 200
    assert response.text == ""


def test_every_card_reads_back_with_vobject_as_what_was_exported(enabled):
    """Cards are written by hand for speed; a vCard library reading them is the judge."""

    riverside = make_organisation(enabled, "Riverside, Hill & Dale; Ltd")
    person = make_person(
        enabled,
        "Zoë-Ångström, Jr.",
        "O'Connor; Smith\\Jones " + "Longname" * 8,
        organisation=riverside,
        job_title="Head of ICT, Schools; Libraries",
        email="zoe@council.example",
        other_emails=("zoe@home.example",),
        phone="+441130000001",
        address="1 Mill Lane\nUnit 2, Yard",
        city="Leeds",
        postcode="LS1 1AA",
        country="GB",
        tags="VIP, Governor",
    )
    parsed = vobject.readOne(vcard.card(Person.get_by_id(person.id)))
    assert parsed.n.value.family == person.last_name
    assert parsed.n.value.given == person.first_name
    assert parsed.fn.value == person.full_name
    assert parsed.title.value == "Head of ICT, Schools; Libraries"
    assert parsed.org.value == ["Riverside, Hill & Dale; Ltd"]
    assert parsed.adr.value.street == "1 Mill Lane\nUnit 2, Yard"
    assert parsed.adr.value.city == "Leeds"
    assert sorted(parsed.categories.value) == ["Governor", "VIP"]
    assert sorted(line.value for line in parsed.contents["email"]) == [
        "zoe@council.example",
        "zoe@home.example",
    ]
    assert [line.value for line in parsed.contents["tel"]] == ["+441130000001"]
