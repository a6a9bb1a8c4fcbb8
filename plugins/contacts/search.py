"""Contacts in the global search box: people by name, email or phone; organisations by name."""

from __future__ import annotations

import operator
import re
from functools import reduce
from typing import Any

from peewee import JOIN

from accord import RequestContext, SearchResult

from . import lookups, normalise
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


def _people(ctx: RequestContext, query: str, terms: list[str], limit: int) -> list[SearchResult]:
    condition = Person.search_text.matches(terms)
    exact = _exact(ctx, query)
    if exact is not None:
        condition |= (Person.phone == exact) | (Person.email == exact)
    people = (
        Person.in_org(ctx.org)
        .select_extend(CustomerOrganisation.id, CustomerOrganisation.name)
        .join(
            CustomerOrganisation,
            JOIN.LEFT_OUTER,
            on=(Person.organisation == CustomerOrganisation.id),
        )
        .where(condition)
        .order_by(Person.status, Person.last_name, Person.first_name, Person.id)
        .limit(limit)
    )
    needle = " ".join(terms)
    results = []
    for person in people:
        name = person.full_name.casefold()
        if exact is not None and exact in (person.phone, person.email):
            score = 3.0
        elif name.startswith(needle) or person.last_name.casefold().startswith(needle):
            score = 2.5
        elif all(term in name for term in terms):
            score = 2.0
        else:
            score = 1.0
        archived = person.status == "archived"
        organisation = person.__rel__.get("organisation")
        snippet = " · ".join(
            part
            for part in (
                person.job_title,
                organisation.name if organisation is not None else "",
                person.email,
                person.phone_display,
            )
            if part
        )
        results.append(
            SearchResult(
                title=person.full_name,
                url=ctx.url("contacts:person", pk=person.id),
                kind="Person (archived)" if archived else "Person",
                snippet=snippet,
                score=score - (0.5 if archived else 0),
            )
        )
    return results


def _exact(ctx: RequestContext, query: str) -> str | None:
    """The query as a stored phone number or email address, when it reads as one."""
    text = query.strip()
    try:
        if "@" in text:
            return normalise.email(text)
        if PHONE_LIKE.match(text):
            return normalise.phone(text, lookups.region(ctx.request))
    except normalise.InvalidValue:
        return None
    return None


def _organisations(
    ctx: RequestContext, query: str, terms: list[str], limit: int
) -> list[SearchResult]:
    organisations = (
        CustomerOrganisation.in_org(ctx.org)
        .where(_all(CustomerOrganisation.name, terms))
        .order_by(CustomerOrganisation.status, CustomerOrganisation.name, CustomerOrganisation.id)
        .limit(limit)
    )
    needle = " ".join(terms)
    results = []
    for organisation in organisations:
        archived = organisation.status == "archived"
        score = 2.5 if organisation.name.casefold().startswith(needle) else 2.0
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
