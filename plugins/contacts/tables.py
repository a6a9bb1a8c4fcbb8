"""The list tables: people, customer organisations and follow-ups."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from peewee import JOIN, SQL, SqliteDatabase, fn

from accord import Column, DateRange, Filter, Request, Table, User, database, utcnow

from . import lookups
from .choices import AGE_BANDS, ORGANISATION_KINDS, country_name
from .consent.filters import consent_choices, consent_where
from .consent.models import TopicConsent
from .engagement import StakeholderMember, stakeholder_groups
from .importing import FIELDS
from .models import Affiliation, ContactDetail, CustomerOrganisation, Person, PersonTag, published
from .normalise import search_query

Owner = User.alias("owner")

MAX_TERMS = 8
LAST_CONTACT = [
    ("recent", "In the last 30 days"),
    ("30", "Over 30 days ago, or never"),
    ("90", "Over 90 days ago, or never"),
    ("never", "Never"),
]


class ContactTable(Table):
    """A table searched through its ``SearchText`` column.

    Every term is looked up in one index query (``SearchText.matches``), and
    a phone number typed in groups ("0113 496 0123") counts as one term.
    """

    def narrow(self, request: Request, query: Any) -> Any:
        params = request.query_params
        q = " ".join(search_query(params.get("q", "")).split())[:200]
        rest = [(k, v) for k, v in params.multi_items() if k != "q"]
        scope = {**request.scope, "query_string": urlencode(rest).encode()}
        # The same state, context and app; the table applies its filters, we the search.
        query, state = super().narrow(Request(scope, request.receive), query)
        if not q:
            return query, state
        terms = q.casefold().split()[:MAX_TERMS]
        return query.where(self.search[0].matches(terms)), {"q": q, **state}


def _last_contact(field: Any) -> Any:
    def where(value: str) -> Any:
        if value == "never":
            return field.is_null()
        days = 30 if value in {"recent", "30"} else 90
        since = utcnow() - datetime.timedelta(days=days)
        return field >= since if value == "recent" else field.is_null() | (field < since)

    return where


def owner_is(field: Any) -> Any:
    def where(value: str) -> Any:
        return field.is_null() if value == "none" else field == int(value)

    return where


def staff_choices(request: Request) -> list[tuple[Any, str]]:
    return [("none", "Nobody"), *lookups.staff(request.state.ctx.org)]


NOT_SET = "none"  # the value of a filter for rows that leave the field empty


def _places(field: Any, named: bool = False) -> Any:
    def choices(request: Request) -> list[tuple[str, str]]:
        values = lookups.distinct_values(field, request.state.ctx.org)
        return [*((v, country_name(v) if named else v) for v in values), (NOT_SET, "Not set")]

    return choices


def _text_is(field: Any) -> Any:
    """``field`` equals the chosen value, or is empty for "Not set"."""
    return lambda v: ((field == "") | field.is_null()) if v == NOT_SET else field == v


def _industries(request: Request) -> list[tuple[str, str]]:
    found = (
        CustomerOrganisation.in_org(request.state.ctx.org, CustomerOrganisation.industry)
        .where(CustomerOrganisation.industry != "")
        .distinct()
        .tuples()
    )
    return [*((v, v) for (v,) in found), (NOT_SET, "Not set")]


def organisation_name(record: Any) -> str:
    organisation = record.__rel__.get("organisation")
    return (organisation.name or "") if organisation is not None else ""


def user_name(attribute: str) -> Any:
    def name(record: Any) -> str:
        user = record.__rel__.get(attribute)
        return (user.name or "") if user is not None else ""

    return name


CONSENT_TOPICS = ("newsletters", "surveys")


def _consent_answer(purpose: str) -> Any:
    def answer(person: Person) -> str:
        opted_in = getattr(person, f"consent_{purpose}", None)
        return "" if opted_in is None else ("yes" if opted_in else "no")

    return answer


# The export holds what the import reads, under the import's own headings, in its
# forms (the phone as stored, tags joined with ";"), so an export imports as it is.
_EXPORTED: dict[str, Column] = {
    "organisation": Column(FIELDS["organisation"], accessor=organisation_name),
    "tags": Column(FIELDS["tags"], accessor=lambda p: "; ".join(p.tag_list)),
    "other_emails": Column(FIELDS["other_emails"], accessor=lambda p: _others(p, "email")),
    "other_phones": Column(FIELDS["other_phones"], accessor=lambda p: _others(p, "phone")),
    **{
        f"consent_{topic}": Column(FIELDS[f"consent_{topic}"], accessor=_consent_answer(topic))
        for topic in CONSENT_TOPICS
    },
}
PEOPLE_EXPORT = [_EXPORTED.get(name) or Column(label, name) for name, label in FIELDS.items()]


def _others(person: Person, kind: str) -> str:
    # Sorted here: the aggregate's order is not the same on both databases.
    return "; ".join(sorted(filter(None, (getattr(person, f"other_{kind}s") or "").split("|"))))


def _joined(column: Any) -> Any:
    if isinstance(getattr(database, "obj", database), SqliteDatabase):
        return fn.GROUP_CONCAT(column, "|")
    return fn.STRING_AGG(column, "|")


def with_consent(query: Any) -> Any:
    """``query`` with what the export adds to a person's row, as the import reads it back.

    Their choice of the imported consent topics (None: no choice) and their
    addresses and numbers other than the primary ones.
    """
    for kind in ("email", "phone"):
        others = ContactDetail.select(_joined(ContactDetail.value)).where(
            (ContactDetail.person == Person.id)
            & (ContactDetail.kind == kind)
            & (ContactDetail.is_primary == False)  # noqa: E712 - SQL, not Python
        )
        query = query.select_extend(others.alias(f"other_{kind}s"))
    for topic in CONSENT_TOPICS:
        chosen = (
            TopicConsent.select(TopicConsent.opted_in)
            .where((TopicConsent.person == Person.id) & (TopicConsent.purpose == topic))
            .limit(1)
        )
        query = query.select_extend(chosen.alias(f"consent_{topic}"))
    return query


PEOPLE = ContactTable(
    Person,
    [
        Column(
            "Name",
            "last_name",
            accessor=lambda p: p.full_name,
            sortable=True,
            template="contacts/_cell_person.html",
        ),
        Column("Organisation", accessor=organisation_name),
        Column("Email", "email", template="contacts/_cell_email.html"),
        Column("Phone", accessor=lambda p: p.phone_display, template="contacts/_cell_phone.html"),
        Column(
            "Last contacted",
            "last_contacted_at",
            sortable=True,
            template="contacts/_cell_ago.html",
        ),
        Column(
            "Next planned", "next_planned_on", sortable=True, template="contacts/_cell_due.html"
        ),
    ],
    search=["search_text"],
    search_label="Search names, emails, phones, organisations",
    filters=[
        Filter(
            "tag",
            "Tag",
            lambda r: lookups.tags(r.state.ctx.org),
            # EXISTS probes the (person, tag) index for each candidate; IN would first
            # gather every person with the tag (a tenth of the table for a common one).
            where=lambda v: fn.EXISTS(
                PersonTag.select(SQL("1")).where(
                    (PersonTag.person == Person.id) & (PersonTag.tag == int(v))
                )
            ),
        ),
        Filter("owner", "Owner", staff_choices, where=owner_is(Person.owner)),
        Filter(
            "group",
            "Stakeholder group",
            lambda r: stakeholder_groups(r.state.ctx.org),
            # EXISTS probes the (person, group) index, as the tag filter does.
            where=lambda v: fn.EXISTS(
                StakeholderMember.select(SQL("1")).where(
                    (StakeholderMember.person == Person.id) & (StakeholderMember.group == int(v))
                )
            ),
        ),
        Filter(
            "country",
            "Country",
            _places(Person.country, named=True),
            where=_text_is(Person.country),
        ),
        Filter("city", "Town or city", _places(Person.city), where=_text_is(Person.city)),
        Filter(
            "contacted",
            "Last contacted",
            LAST_CONTACT,
            where=_last_contact(Person.last_contacted_at),
        ),
        Filter("consent", "Consent", consent_choices, where=consent_where),
        Filter(
            "age",
            "Age band",
            [*AGE_BANDS.items(), (NOT_SET, "Not known")],
            where=lambda v: Person.age_band == ("" if v == NOT_SET else v),
            toolbar=False,
        ),
        DateRange("added", "Added", "created_at"),
    ],
    sort="last_name",
    filename="people",
    export_columns=PEOPLE_EXPORT,
    empty_message="No people yet.",
    id="people",
)


def people_query(org: Any, status: str) -> Any:
    """People of ``org`` with ``status``, with their main organisation in the same query."""
    return (
        Person.in_org(org)
        .select_extend(CustomerOrganisation.id, CustomerOrganisation.name)
        .join(
            CustomerOrganisation,
            JOIN.LEFT_OUTER,
            on=(Person.organisation == CustomerOrganisation.id),
        )
        .where(Person.status == status)
    )


def _link_organisation(url: Any, organisation: CustomerOrganisation) -> str:
    return url("contacts:organisation", pk=organisation.id)


ORGANISATIONS = ContactTable(
    CustomerOrganisation,
    [
        Column("Name", "name", sortable=True, link=_link_organisation),
        Column("Type", accessor=lambda o: o.kind_label),
        Column("Sector", "industry"),
        Column("Town or city", "city", sortable=True),
        Column("People", accessor=lambda o: o.people_count, css="num"),
        Column("Account owner", accessor=user_name("account_owner")),
        Column(
            "Last contacted", "last_contacted_at", sortable=True, template="contacts/_cell_ago.html"
        ),
        Column(
            "Next planned", "next_planned_on", sortable=True, template="contacts/_cell_due.html"
        ),
    ],
    search=["search_text"],
    search_label="Search names, sectors, places",
    filters=[
        Filter("kind", "Type", list(ORGANISATION_KINDS.items())),
        Filter(
            "owner",
            "Account owner",
            staff_choices,
            where=owner_is(CustomerOrganisation.account_owner),
        ),
        Filter(
            "country",
            "Country",
            _places(CustomerOrganisation.country, named=True),
            where=_text_is(CustomerOrganisation.country),
        ),
        Filter(
            "city",
            "Town or city",
            _places(CustomerOrganisation.city),
            where=_text_is(CustomerOrganisation.city),
        ),
        Filter(
            "contacted",
            "Last contacted",
            LAST_CONTACT,
            where=_last_contact(CustomerOrganisation.last_contacted_at),
        ),
        Filter(
            "industry",
            "Sector",
            _industries,
            where=_text_is(CustomerOrganisation.industry),
            toolbar=False,
        ),
        DateRange("added", "Added", "created_at"),
    ],
    sort="name",
    filename="organisations",
    empty_message="No customer organisations yet.",
    id="organisations",
)


def organisations_query(org: Any, status: str) -> Any:
    """Customer organisations of ``org`` with ``status``, their account owner and head count."""
    people = (
        Affiliation.select(fn.COUNT(Affiliation.id))
        .join(Person, on=(Affiliation.person == Person.id))
        .where(
            (Affiliation.organisation == CustomerOrganisation.id)
            & (Person.status == "active")
            & published(Person)
        )
    )
    return (
        CustomerOrganisation.in_org(org)
        .select_extend(Owner.id, Owner.name, people.alias("people_count"))
        .join_from(
            CustomerOrganisation,
            Owner,
            JOIN.LEFT_OUTER,
            on=(CustomerOrganisation.account_owner == Owner.id),
        )
        .where(CustomerOrganisation.status == status)
    )
