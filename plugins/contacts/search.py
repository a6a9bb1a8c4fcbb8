"""Contacts in the global search box: people by name, email or phone; organisations by name.

Names are found despite typos (``fuzzy.py``), ranked below exact and prefix matches.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import reduce
from typing import Any

from peewee import JOIN

from accord import Organisation, RequestContext, SearchResult

from . import details, fuzzy, lookups, normalise
from .models import CustomerOrganisation, Person

PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{6,}$")
MAX_TERMS = 8


def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    terms = normalise.search_query(query).casefold().split()[:MAX_TERMS]
    if not terms:
        return []
    results = _people(ctx, query, terms, limit) + _organisations(ctx, query, terms, limit)
    results.sort(key=lambda r: -r.score)
    return results[:limit]


def _all(field: Any, terms: list[str]) -> Any:
    return reduce(operator.and_, [field.contains(term) for term in terms])


def _with_organisation(org: Organisation, condition: Any) -> Any:
    return (
        Person.in_org(org)
        .select_extend(CustomerOrganisation.id, CustomerOrganisation.name)
        .join(
            CustomerOrganisation,
            JOIN.LEFT_OUTER,
            on=(Person.organisation == CustomerOrganisation.id),
        )
        .where(condition)
    )


@dataclass(frozen=True)
class Found:
    """A person matching a query; ``why``: "address" (an email or phone), "name", "close"
    (a name close to what was typed) or "other" (organisation, job title, tags)."""

    person: Any
    score: float
    why: str
    other_address: str = ""  # found by an address or number that is not their primary one


def scored_people(org: Organisation, query: str, limit: int, region: str) -> list[Found]:
    """The people matching ``query``, best first: exact matches, then typos'.

    Scores: 3 an address or number typed in full, 2.5 the name starts with
    the query, 2 every term in the name, 1 the terms elsewhere (part of an
    address, organisation, tags...), and below 1 a name close to what was
    typed. Archived people lose 0.5.
    """
    terms = normalise.search_query(query).casefold().split()[:MAX_TERMS]
    if not terms:
        return []
    exact = _exact(query, region)
    people = list(
        _with_organisation(org, Person.search_text.matches(terms))
        .order_by(Person.status, Person.last_name, Person.first_name, Person.id)
        .limit(limit)
    )
    if exact is not None:
        kind = "email" if "@" in exact else "phone"
        seen = {person.id for person in people}
        owners = [pk for pk in details.people_having(org, kind, exact, limit) if pk not in seen]
        if owners:
            people += list(_with_organisation(org, Person.id.in_(owners)))
    needle = " ".join(terms)
    reach = _reach_text(people)
    found = []
    for person in people:
        name = person.full_name.casefold()
        other = ""
        if exact is not None and exact.casefold() in reach[person.id]:
            score, why = 3.0, "address"
            if exact not in (person.email, person.phone):
                other = normalise.phone_display(exact) if exact.startswith("+") else exact
        elif name.startswith(needle) or person.last_name.casefold().startswith(needle):
            score, why = 2.5, "name"
        elif all(term in name for term in terms):
            score, why = 2.0, "name"
        elif all(term in reach[person.id] for term in terms):
            score, why = 1.0, "address"
        else:
            score, why = 1.0, "other"
        found.append(Found(person, score - (0.5 if person.archived else 0), why, other))
    if len(found) < limit and exact is None:
        close = {p.id: closeness for p, closeness in fuzzy.people(org, query, limit)}
        seen = {f.person.id for f in found}
        wanted = [pk for pk in close if pk not in seen]
        for person in _with_organisation(org, Person.id.in_(wanted or [0])):
            score = 0.2 + 0.7 * close[person.id] - (0.5 if person.archived else 0)
            found.append(Found(person, score, "close"))
    found.sort(key=lambda f: -f.score)
    return found[:limit]


def _reach_text(people: list[Any]) -> dict[int, str]:
    """Each person's addresses and numbers (in every searchable form) as one lower-case line."""
    return {
        pk: " ".join(
            form
            for d in mine
            for form in (normalise.phone_search_forms(d.value) if d.kind == "phone" else [d.value])
        ).casefold()
        for pk, mine in details.details_for(people).items()
    }


def _people(ctx: RequestContext, query: str, terms: list[str], limit: int) -> list[SearchResult]:
    results = []
    for found in scored_people(ctx.org, query, limit, lookups.region(ctx.request)):
        person, score = found.person, found.score
        archived = person.status == "archived"
        organisation = person.__rel__.get("organisation")
        snippet = " · ".join(
            part
            for part in (
                person.job_title,
                organisation.name if organisation is not None else "",
                person.email,
                person.phone_display,
                f"also {found.other_address}" if found.other_address else "",
            )
            if part
        )
        results.append(
            SearchResult(
                title=person.full_name,
                url=ctx.url("contacts:person", pk=person.id),
                kind="Person (archived)" if archived else "Person",
                snippet=snippet,
                score=score,
            )
        )
    return results


def _exact(query: str, region: str) -> str | None:
    """The query as a stored phone number or email address, when it reads as one."""
    text = query.strip()
    try:
        if "@" in text:
            return normalise.email(text)
        if PHONE_LIKE.match(text):
            return normalise.phone(text, region)
    except normalise.InvalidValue:
        return None
    return None


def _organisations(
    ctx: RequestContext, query: str, terms: list[str], limit: int
) -> list[SearchResult]:
    organisations = list(
        CustomerOrganisation.in_org(ctx.org)
        .where(_all(CustomerOrganisation.name, terms))
        .order_by(CustomerOrganisation.status, CustomerOrganisation.name, CustomerOrganisation.id)
        .limit(limit)
    )
    needle = " ".join(terms)
    scores = {o.id: 2.5 if o.name.casefold().startswith(needle) else 2.0 for o in organisations}
    if len(organisations) < limit:
        for organisation, closeness in fuzzy.organisations(ctx.org, query, limit):
            if organisation.id not in scores and len(organisations) < limit:
                organisations.append(organisation)
                scores[organisation.id] = 0.2 + 0.7 * closeness
    results = []
    for organisation in organisations:
        archived = organisation.status == "archived"
        score = scores[organisation.id]
        results.append(
            SearchResult(
                title=organisation.name,
                url=ctx.url("contacts:organisation", pk=organisation.id),
                kind="Organisation (archived)" if archived else "Organisation",
                snippet=" · ".join(
                    p for p in (organisation.kind_label, organisation.location) if p
                ),
                score=score - (0.5 if archived else 0),
            )
        )
    return results
