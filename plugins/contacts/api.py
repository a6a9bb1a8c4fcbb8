"""What other plugins may ask contacts, besides its models: people found by what was typed.

::

    from accord.plugins.contacts.api import matching_people

    for match in matching_people(org, "Priya Ramen", limit=20):
        match.id, match.name  # best first

Used by incidents, complaints and problems so the global search lists a
person's records ("reported by Priya Raman").
"""

from __future__ import annotations

from dataclasses import dataclass

from accord import Organisation

from .lookups import org_region
from .search import scored_people


@dataclass(frozen=True)
class PersonMatch:
    """A person of the organisation matching the query: their id and full name."""

    id: int
    name: str


def matching_people(org: Organisation, query: str, limit: int = 20) -> list[PersonMatch]:
    """The people of ``org`` whose name, any email address or any phone number match ``query``.

    As the global search finds them: every term in their search line, an
    address or number typed in full (phone numbers read in the organisation's
    region), or a name close to what was typed (typos). Archived people are
    included, after active ones; at most ``limit``, best first. People found
    only by their organisation, job title or tags are left out.
    """
    if not query.strip() or limit <= 0:
        return []
    found = scored_people(org, query, limit, org_region(org))
    # Not people found only by their organisation, job title or tags: their records
    # would bury what was searched for.
    return [PersonMatch(f.person.id, f.person.full_name) for f in found if f.why != "other"]
