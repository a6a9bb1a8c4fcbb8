"""Stakeholder groups, their members and engagement plans, and what of a plan is overdue.

When an activity counts as done: an engagement activity (a meeting every 90
days with the school principals) is done each time an interaction of its
``kind`` is logged with at least two people who are members of its group now
(participants of the interaction, see ``InteractionParticipant``), or with the
only member of a group of one: a one-to-one with one principal is contact
with that person, not the group's meeting. Nothing needs linking by hand:
logging the meeting with the principals who came is enough. Notes never count
(they are not contact, see ``choices.NOT_CONTACT``).

When it is due: ``frequency_days`` after it was last done, or after the
activity was added when it was never done; an explicit ``next_on`` that is
later than the last time it was done brings the date forward. An activity is
overdue when that date has passed.

Published functions (other plugins may call them)::

    engagement_coverage(org, start, end) -> list[GroupCoverage]
    plan_status(group, today=None) -> list[ActivityStatus]
    overdue_activities(org, today=None) -> list[ActivityStatus]
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    Expression,
    ForeignKeyField,
    IntegerField,
    Select,
    TextField,
    fn,
)

from accord import Organisation, TenantModel, User, VersionedModel, database, utcnow

from .choices import INTERACTION_KINDS, NOT_CONTACT
from .models import Interaction, InteractionParticipant, Person, held

# The kinds of interaction a plan may ask for (a note is not contact).
ACTIVITY_KINDS = {k: v for k, v in INTERACTION_KINDS.items() if k not in NOT_CONTACT}
SCALE = {1: "Very low", 2: "Low", 3: "Medium", 4: "High", 5: "Very high"}
# An interaction carries out a group's plan when this many of its members took part.
MIN_MEMBERS = 2
COUNTING = (
    "An activity counts as done when an interaction of its kind is logged with at least "
    "two members of the group (with its only member, for a group of one)."
)
# Influence or interest of 4 or more is "high" on the stakeholder map.
HIGH = 4
QUADRANTS = {
    "manage": ("Manage closely", "High influence, high interest"),
    "satisfy": ("Keep satisfied", "High influence, lower interest"),
    "inform": ("Keep informed", "Lower influence, high interest"),
    "monitor": ("Monitor", "Lower influence, lower interest"),
}


class StakeholderGroup(VersionedModel):
    """People who share an interest in our services ("School principals")."""

    name = CharField(max_length=200)
    description = TextField(default="")
    communication_needs = TextField(default="")
    owner = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_stakeholder_group"

    def __str__(self) -> str:
        return str(self.name)


class StakeholderMember(TenantModel):
    """A person in a group, with their influence and interest in it (1–5)."""

    group = ForeignKeyField(StakeholderGroup, on_delete="CASCADE", backref="+")
    person = ForeignKeyField(Person, on_delete="CASCADE", backref="+")
    influence = IntegerField(default=3)
    interest = IntegerField(default=3)
    note = CharField(max_length=300, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_stakeholder_member"

    @property
    def quadrant(self) -> str:
        return quadrant(self.influence, self.interest)


class EngagementActivity(VersionedModel):
    """A recurring activity of a group's engagement plan ("Termly meeting", every 90 days)."""

    group = ForeignKeyField(StakeholderGroup, on_delete="CASCADE", backref="+")
    title = CharField(max_length=200)
    kind = CharField(max_length=20)
    frequency_days = IntegerField()
    owner = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    next_on = DateField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_engagement_activity"

    def __str__(self) -> str:
        return str(self.title)

    @property
    def kind_label(self) -> str:
        return INTERACTION_KINDS.get(self.kind, self.kind)


MODELS: list[Any] = [StakeholderGroup, StakeholderMember, EngagementActivity]


def quadrant(influence: int, interest: int) -> str:
    """The stakeholder map's quadrant: manage, satisfy, inform or monitor."""
    if influence >= HIGH:
        return "manage" if interest >= HIGH else "satisfy"
    return "inform" if interest >= HIGH else "monitor"


@dataclass(frozen=True)
class ActivityStatus:
    """An activity with when it was last done, when it is next due, and whether it is late."""

    activity: EngagementActivity
    group: StakeholderGroup
    last_done: datetime.datetime | None
    due_on: datetime.date
    overdue: bool
    days_overdue: int
    today: datetime.date

    @property
    def silence(self) -> str:
        """What the lateness means in words: "No meeting with the group for 120 days"."""
        kind = self.activity.kind_label.lower()
        if self.last_done is None:
            days = (self.today - self.activity.created_at.date()).days
            return f"No {kind} with the group since it was planned {days} days ago"
        days = (self.today - self.last_done.date()).days
        return f"No {kind} with the group for {days} day{'s' if days != 1 else ''}"


def due_date(activity: EngagementActivity, last_done: datetime.datetime | None) -> datetime.date:
    """When ``activity`` is next due, given when it was last done (see the module's rule)."""
    since = (last_done or activity.created_at).date()
    due = since + datetime.timedelta(days=activity.frequency_days)
    if activity.next_on is not None and (last_done is None or activity.next_on > last_done.date()):
        due = min(due, activity.next_on)
    return due


def _status(
    activity: EngagementActivity,
    group: StakeholderGroup,
    last_done: datetime.datetime | None,
    today: datetime.date,
) -> ActivityStatus:
    due = due_date(activity, last_done)
    late = (today - due).days
    return ActivityStatus(activity, group, last_done, due, late > 0, max(late, 0), today)


def members_needed(size: int) -> int:
    """How many of a group of ``size`` members an interaction needs to carry out its plan."""
    return max(1, min(MIN_MEMBERS, size))


def group_interactions(
    org: Organisation | int, group_ids: Iterable[int], where: Expression | None = None
) -> list[Select]:
    """Queries of ``(group_id, interaction_id, kind, occurred_at)``: the interactions that
    count for each group, those with enough of its members (one query per threshold).
    """
    ids = list(group_ids)
    sizes = dict(
        StakeholderMember.select(StakeholderMember.group, fn.COUNT(StakeholderMember.id))
        .where(StakeholderMember.group.in_(ids))
        .group_by(StakeholderMember.group)
        .tuples()
    )
    by_need: dict[int, list[int]] = defaultdict(list)
    for group_id in ids:
        by_need[members_needed(sizes.get(group_id, 0))].append(group_id)
    queries = []
    for need, groups in sorted(by_need.items()):
        query = (
            StakeholderMember.select(
                StakeholderMember.group.alias("group_id"),
                Interaction.id.alias("interaction_id"),
                Interaction.kind.alias("kind"),
                Interaction.occurred_at.alias("occurred_at"),
            )
            .join(
                InteractionParticipant,
                on=(InteractionParticipant.person == StakeholderMember.person),
            )
            .join(Interaction, on=(Interaction.id == InteractionParticipant.interaction))
            # Only held interactions do an activity: a planned meeting has not happened yet.
            .where((StakeholderMember.org == org) & StakeholderMember.group.in_(groups) & held())
            .group_by(
                StakeholderMember.group, Interaction.id, Interaction.kind, Interaction.occurred_at
            )
            .having(fn.COUNT(fn.DISTINCT(StakeholderMember.person)) >= need)
        )
        queries.append(query if where is None else query.where(where))
    return queries


def last_done_by_kind(
    org: Organisation | int, group_ids: Iterable[int], before: datetime.datetime | None = None
) -> dict[tuple[int, str], datetime.datetime]:
    """The newest interaction of each kind that counts for each group, by (group, kind)."""
    ids = list(group_ids)
    if not ids:
        return {}
    where = Interaction.kind.in_(list(ACTIVITY_KINDS))
    if before is not None:
        where &= Interaction.occurred_at < before
    found = {}
    for query in group_interactions(org, ids, where):
        events = query.alias("events")
        newest = (
            Select([events], [events.c.group_id, events.c.kind, fn.MAX(events.c.occurred_at)])
            .group_by(events.c.group_id, events.c.kind)
            .bind(database)
        )
        for group_id, kind, last in newest.tuples():
            if isinstance(last, str):  # SQLite returns MAX() of a datetime as text
                last = datetime.datetime.fromisoformat(last)
            found[(group_id, kind)] = last
    return found


def plan_status(
    group: StakeholderGroup, today: datetime.date | None = None
) -> list[ActivityStatus]:
    """Each activity of ``group``'s plan with its last-done date, due date and lateness."""
    today = today or utcnow().date()
    activities = list(
        EngagementActivity.select()
        .where(EngagementActivity.group == group.id)
        .order_by(EngagementActivity.title, EngagementActivity.id)
    )
    done = last_done_by_kind(group.org_id, [group.id])
    return [_status(a, group, done.get((group.id, a.kind)), today) for a in activities]


def overdue_activities(
    org: Organisation, today: datetime.date | None = None
) -> list[ActivityStatus]:
    """Every overdue activity of ``org``'s plans, the most overdue first."""
    today = today or utcnow().date()
    groups = {g.id: g for g in StakeholderGroup.in_org(org)}
    activities = list(EngagementActivity.in_org(org).order_by(EngagementActivity.id))
    done = last_done_by_kind(org, groups)
    late = [
        _status(a, groups[a.group_id], done.get((a.group_id, a.kind)), today)
        for a in activities
        if a.group_id in groups
    ]
    return sorted(
        (s for s in late if s.overdue), key=lambda s: (-s.days_overdue, s.group.name, s.activity.id)
    )


@dataclass(frozen=True)
class GroupCoverage:
    """How much of a group's plan was carried out in a period."""

    group: StakeholderGroup
    planned: int
    done: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.planned) if self.planned else None


def engagement_coverage(
    org: Organisation, start: datetime.date, end: datetime.date
) -> list[GroupCoverage]:
    """Planned against done activities per group, from ``start`` to ``end`` (inclusive).

    An activity every ``n`` days is planned ceil(days in the period / n)
    times; it is done as many times as interactions of its kind that count
    for the group (see the module's rule) were logged in the period, counting
    no more than planned. Groups without a plan are listed with 0 planned.
    """
    days = (end - start).days + 1
    since = datetime.datetime.combine(start, datetime.time())
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time())
    groups = list(StakeholderGroup.in_org(org).order_by(StakeholderGroup.name))
    counts: dict[tuple[int, str], int] = defaultdict(int)
    within = (Interaction.occurred_at >= since) & (Interaction.occurred_at < until)
    for query in group_interactions(org.id, [g.id for g in groups], within):
        for group_id, _, kind, _ in query.tuples():
            counts[(group_id, kind)] += 1
    plans: dict[int, list[EngagementActivity]] = defaultdict(list)
    for activity in EngagementActivity.in_org(org):
        plans[activity.group_id].append(activity)
    result = []
    for group in groups:
        planned = done = 0
        for activity in plans[group.id]:
            times = math.ceil(days / max(activity.frequency_days, 1)) if days > 0 else 0
            planned += times
            done += min(times, counts[(group.id, activity.kind)])
        result.append(GroupCoverage(group, planned, done))
    return result


def stakeholder_groups(org: Organisation) -> list[tuple[int, str]]:
    """``(id, name)`` of ``org``'s stakeholder groups, by name, for choices."""
    rows = StakeholderGroup.in_org(org, StakeholderGroup.id, StakeholderGroup.name)
    return [(g.id, g.name) for g in rows.order_by(StakeholderGroup.name)]


def person_groups(person: Person) -> list[StakeholderMember]:
    """``person``'s group memberships, with their groups, by group name."""
    return list(
        StakeholderMember.select(StakeholderMember, StakeholderGroup)
        .join(StakeholderGroup)
        .where(StakeholderMember.person == person.id)
        .order_by(StakeholderGroup.name)
    )
