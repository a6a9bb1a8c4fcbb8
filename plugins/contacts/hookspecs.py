"""Hooks the contacts plugin publishes, for plugins that add to a contact's page.

Implement them with ``@hookimpl`` in a plugin whose ``plugin.toml`` lists
``depends = ["contacts"]`` (or ``optional_depends = ["contacts"]`` with
``@hookimpl(optionalhook=True)``). They are called only on plugins enabled
for the organisation. Pages also have slots for fragments:
``contacts.person.side``, ``contacts.person.actions``,
``contacts.person.timeline`` and ``contacts.organisation.side``
(``fill_slot``, with ``person`` or ``organisation`` in ``context``).

Consent is asked through published functions rather than hooks, since
plugins ask it outside requests too (a job sending surveys):
``accord.plugins.contacts.consent`` ``may_contact``, ``record_contact``,
``unsubscribe_url`` and ``define_purpose`` (see the plugin's docstring).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accord import hookspec

if TYPE_CHECKING:
    from accord import Organisation, RequestContext, TimelineEntry

    from .engagement import StakeholderGroup
    from .health import HealthFactor
    from .models import CustomerOrganisation, Person


# ---------------------------------------------------------------------------
# Timelines: what happened with a contact, newest first.
# ---------------------------------------------------------------------------


@hookspec
def contact_timeline_entries(
    ctx: RequestContext, person: Person, limit: int
) -> list[TimelineEntry]:
    """Return entries for a person's timeline (incidents logged, campaign emails sent …).

    The page merges them with the person's interactions and changes by
    ``when``, newest first, and shows the newest ``limit`` of all. Return at
    most ``limit`` entries, newest first, that the user may see. An
    implementation that raises is logged and left out; the page still renders.

    :param ctx: the request's organisation, user and permissions.
    :param person: the ``Person`` whose page is shown (of ``ctx.org``).
    :param limit: the most entries the timeline shows.
    """


@hookspec
def organisation_timeline_entries(
    ctx: RequestContext, organisation: CustomerOrganisation, limit: int
) -> list[TimelineEntry]:
    """Return entries for a customer organisation's timeline (incidents, contract renewals …).

    Merged like ``contact_timeline_entries``; return at most ``limit``
    entries, newest first.

    :param ctx: the request's organisation, user and permissions.
    :param organisation: the ``CustomerOrganisation`` whose page is shown (of ``ctx.org``).
    :param limit: the most entries the timeline shows.
    """


# ---------------------------------------------------------------------------
# Relationship health: how well a relationship is going, factor by factor.
# ---------------------------------------------------------------------------


@hookspec
def relationship_health_factors(
    ctx: RequestContext, subject: CustomerOrganisation | StakeholderGroup
) -> list[HealthFactor]:
    """Return factors of a relationship's health (SLA compliance, satisfaction, complaints …).

    ``subject`` is a ``CustomerOrganisation`` or a ``StakeholderGroup`` of
    ``ctx.org``; check its type and return ``[]`` for what you do not measure.
    Each ``accord.plugins.contacts.health.HealthFactor`` has a ``label``, a
    ``score`` from 0 to 100 (100 = healthy), a ``weight`` in the weighted mean
    (default 1.0), a ``detail`` with the evidence in words and an optional
    ``url`` to it. The score is the weighted mean of all factors, with bands
    healthy (75 and over), watch (50–74) and at risk (under 50); the page
    shows every factor with its detail and link. Return no factor when there
    is nothing to measure (no incidents yet), rather than a neutral score. An
    implementation that raises is logged and left out; the page still renders.

    :param ctx: the request's organisation, user and permissions.
    :param subject: the ``CustomerOrganisation`` or ``StakeholderGroup`` whose health is shown.
    """


# ---------------------------------------------------------------------------
# Merging duplicates: every plugin moves its links to the person who stays.
# ---------------------------------------------------------------------------


@hookspec
def merge_people(org: Organisation, survivor: Person, duplicate: Person) -> dict[str, int] | None:
    """Move what your plugin links to ``duplicate`` over to ``survivor``.

    Called inside the merge's transaction, after contacts has moved its own
    records (interactions, organisations, tags, groups, consent, documents)
    and before ``duplicate`` is archived with ``merged_into`` set to
    ``survivor``. Update your foreign keys (``UPDATE … SET person = survivor
    WHERE person = duplicate`` and the organisation), resolving what would
    clash with a unique index. Return counts of what moved, labelled for
    people (``{"incidents reported": 3}``), shown on the merge's summary and
    kept in the audit log. Raising aborts the whole merge: nothing moves, and
    the user is told which plugin failed. Only plugins enabled for the
    organisation are called; a disabled plugin's links keep pointing at the
    archived duplicate, whose page leads to the survivor.

    :param org: the organisation both people belong to.
    :param survivor: the ``Person`` who stays, with the values the user chose.
    :param duplicate: the ``Person`` merged into ``survivor``.
    """
