"""Timelines of people and organisations: interactions, changes, and other plugins' entries."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from peewee import JOIN

from accord import (
    Request,
    RequestContext,
    TimelineEntry,
    User,
    audit_timeline,
    merge_timelines,
)

from .choices import INTERACTION_KINDS
from .forms import OrganisationForm, PersonForm
from .models import (
    CustomerOrganisation,
    Interaction,
    InteractionParticipant,
    Person,
)

log = logging.getLogger("accord.plugins.contacts")

LIMIT = 50
Logger = User.alias("logger")
Assignee = User.alias("assignee")
# Changes people care about, with the labels of the form they edit them in.
FORMS = {Person: PersonForm, CustomerOrganisation: OrganisationForm}
USER_FIELDS = frozenset({"owner", "account_owner"})
STATUS_KINDS = {"archived": "archived", "active": "restored"}


@dataclass(frozen=True)
class InteractionEntry(TimelineEntry):
    """An interaction on a timeline; ``contacts/_timeline.html`` shows it in full."""

    interaction: Any = None
    participants: list[Person] = field(default_factory=list)


# What a timeline can be narrowed to (``?show=``), besides other plugins' kinds of entry.
SHOWN = {
    "call": "Calls",
    "meeting": "Meetings",
    "email": "Emails",
    "chat": "Chats",
    "visit": "Visits",
    "note": "Notes",
    "changes": "Changes",
}


@dataclass(frozen=True)
class Timeline:
    """A contact's timeline as its page shows it.

    ``entries`` took place (held or cancelled interactions, changes, other
    plugins' entries), newest first, narrowed to ``show``; ``coming_up`` are
    the planned interactions, soonest first; ``kinds`` are what it can be
    narrowed to, as ``(value, label)``.
    """

    entries: list[TimelineEntry]
    coming_up: list[TimelineEntry]
    kinds: list[tuple[str, str]]
    show: str = ""


def person_timeline(request: Request, person: Person) -> Timeline:
    """What happened with ``person``, newest first: interactions, edits, other plugins' entries."""
    among = InteractionParticipant.select(InteractionParticipant.interaction).where(
        InteractionParticipant.person == person.id
    )
    published = _published(request.state.ctx, "contact_timeline_entries", person=person)
    return _timeline(request, Interaction.id.in_(among), person, published)


def organisation_timeline(request: Request, organisation: CustomerOrganisation) -> Timeline:
    published = _published(
        request.state.ctx, "organisation_timeline_entries", organisation=organisation
    )
    return _timeline(request, Interaction.organisation == organisation.id, organisation, published)


def _timeline(
    request: Request, about: Any, record: Any, published: list[TimelineEntry]
) -> Timeline:
    ctx = request.state.ctx
    others = {e.kind: e.kind_label for e in published}
    kinds = [*SHOWN.items(), *((k, f"{label.capitalize()}s") for k, label in others.items())]
    show = request.query_params.get("show", "")
    show = show if show in dict(kinds) else ""
    coming = interaction_entries(
        _interactions(ctx, about & (Interaction.status == "planned"), soonest_first=True)
    )
    past = about & (Interaction.status != "planned")
    if show in INTERACTION_KINDS:
        past &= Interaction.kind == show
    parts: list[list[TimelineEntry]] = []
    if show in ("", *INTERACTION_KINDS):
        parts.append(interaction_entries(_interactions(ctx, past)))
    if show in ("", "changes"):
        parts.append(_changes(record))
    if show == "" or show in others:
        parts.append([e for e in published if show in ("", e.kind)])
    return Timeline(merge_timelines(*parts, limit=LIMIT), coming, kinds, show)


def _interactions(
    ctx: RequestContext, condition: Any, *, soonest_first: bool = False
) -> list[Interaction]:
    order = (
        (Interaction.occurred_at, Interaction.id)
        if soonest_first
        else (Interaction.occurred_at.desc(), Interaction.id.desc())
    )
    # The person or organisation narrows the rows, never the organisation (see within_org).
    return list(
        Interaction.within_org(ctx.org)
        .select_extend(Logger.id, Logger.name, Assignee.id, Assignee.name)
        .join_from(Interaction, Logger, JOIN.LEFT_OUTER, on=(Interaction.logged_by == Logger.id))
        .join_from(
            Interaction,
            Assignee,
            JOIN.LEFT_OUTER,
            on=(Interaction.follow_up_assignee == Assignee.id),
        )
        .where(condition)
        .order_by(*order)
        .limit(LIMIT)
    )


def interaction_entries(interactions: list[Interaction]) -> list[TimelineEntry]:
    """Interactions as timeline entries, each with who took part."""
    people = defaultdict(list)
    if interactions:
        rows = (
            InteractionParticipant.select(
                InteractionParticipant.interaction, Person.id, Person.first_name, Person.last_name
            )
            .join(Person, on=(InteractionParticipant.person == Person.id))
            .where(InteractionParticipant.interaction.in_([i.id for i in interactions]))
            .order_by(Person.last_name, Person.first_name)
        )
        for row in rows:
            people[row.interaction_id].append(row.person)
    entries: list[TimelineEntry] = []
    for interaction in interactions:
        kind = interaction.kind_label
        if interaction.direction:
            kind += f" · {interaction.direction_label.lower()}"
        if not interaction.held:
            kind += f" · {interaction.status_label.lower()}"
        logger = interaction.__rel__.get("logged_by")
        who = (logger.name if logger is not None else "") or "Someone"
        entries.append(
            InteractionEntry(
                interaction.occurred_at,
                who,
                kind,
                interaction=interaction,
                participants=people[interaction.id],
            )
        )
    return entries


def _changes(record: Any) -> list[TimelineEntry]:
    """The record's audit trail, showing only the fields people edit, by their labels."""
    fields = FORMS[type(record)].declared
    entries = audit_timeline(record, limit=LIMIT)
    user_ids = {
        value
        for entry in entries
        for name, pair in entry.changes.items()
        if name in USER_FIELDS
        for value in pair
        if value is not None
    }
    names = {u.id: u.name for u in User.select(User.id, User.name).where(User.id.in_(user_ids))}
    shown = []
    for entry in entries:
        changes = {
            fields[name].label: [_readable(fields[name], name, v, names) for v in pair]
            for name, pair in entry.changes.items()
            if name in fields
        }
        kind = {"create": "created", "update": "edited"}.get(entry.kind, entry.kind)
        status = entry.changes.get("status")
        if entry.kind == "update" and status:
            kind = STATUS_KINDS.get(status[1], kind)
        elif entry.kind == "update" and not changes:
            continue  # only bookkeeping changed
        shown.append(TimelineEntry(entry.when, entry.who, kind, "", changes))
    return shown


def _readable(field: Any, name: str, value: Any, users: dict[Any, str]) -> Any:
    if value is None or value == "":
        return None
    if name in USER_FIELDS:
        return users.get(value, value)
    return field.display(field.to_raw(value))


def _published(ctx: RequestContext, hook: str, **arguments: Any) -> list[TimelineEntry]:
    """Entries from plugins implementing ``hook``; one that fails costs only its own entries."""
    arguments.update(ctx=ctx, limit=LIMIT)
    entries: list[TimelineEntry] = []
    for impl in reversed(getattr(ctx.hooks, hook).get_hookimpls()):
        try:
            result = impl.function(**{name: arguments[name] for name in impl.argnames})
        except Exception:  # another plugin's bug must not take the contact's page down
            log.exception("plugin %s failed in %s", impl.plugin_name, hook)
            continue
        entries.extend(e for e in result or [] if isinstance(e, TimelineEntry))
    return entries
