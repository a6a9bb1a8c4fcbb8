"""Stakeholder groups: the list, a group's page (members, plan, health), its map, overdue plans."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from peewee import JOIN, fn

from accord import (
    Column,
    Form,
    HTTPException,
    Request,
    RequestContext,
    Response,
    StaleEdit,
    Table,
    User,
    confirm_page,
    conflict_response,
    emit,
    flash,
    form_data,
    forms,
    get_or_404,
    redirect,
    render,
    render_form,
    render_table,
    render_to_string,
    save_versioned,
    utcnow,
)
from accord.inputs import integer

from .. import lookups
from ..derived import refresh_contact_dates
from ..engagement import (
    ACTIVITY_KINDS,
    COUNTING,
    QUADRANTS,
    SCALE,
    EngagementActivity,
    StakeholderGroup,
    StakeholderMember,
    members_needed,
    overdue_activities,
    person_groups,
    plan_status,
)
from ..forms import FUTURE_SLACK, Fieldset
from ..health import relationship_health
from ..models import CustomerOrganisation, Interaction, InteractionParticipant, Person
from ..tables import user_name

FORM_TEMPLATE = "components/form.html"
Owner = User.alias("owner")
MAX_MEMBERS = 500
MAX_SUGGESTIONS = 20
PICKED = re.compile(r"#(\d+)\s*$")
SCALE_CHOICES = [(value, f"{value}: {label}") for value, label in SCALE.items()]


# ---------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------


class GroupForm(Form):
    name = forms.Text("Name", max_length=200, hint="For example: School principals.")
    description = forms.TextArea(
        "Who they are", required=False, max_length=5000, hint="Who belongs and why they matter."
    )
    communication_needs = forms.TextArea(
        "Communication needs",
        required=False,
        max_length=5000,
        hint="What they need to hear from us, how and how often.",
    )
    owner = forms.Choice("Owner", coerce=int, required=False, hint="Who looks after the group.")


class PersonPick(forms.Text):
    """A person typed by name with suggestions; the chosen suggestion ends in ``#<id>``."""

    suggest = True

    def __init__(self, label: str, **options: Any) -> None:
        options.setdefault("max_length", 400)
        options.setdefault("hint", "Start typing a name or email, then pick from the suggestions.")
        super().__init__(label, **options)


class MemberForm(Form):
    person = PersonPick("Person")
    influence = forms.Choice(
        "Influence", SCALE_CHOICES, coerce=int, default=3, hint="Their power over our work here."
    )
    interest = forms.Choice(
        "Interest", SCALE_CHOICES, coerce=int, default=3, hint="How much our work affects them."
    )
    note = forms.Text("Note", required=False, max_length=300)
    org: Any = None

    def validate(self) -> None:
        found = find_person(self.org, self.cleaned["person"])
        if isinstance(found, str):
            self.add_error("person", found)
        else:
            self.cleaned["person"] = found


class ActivityForm(Form):
    title = forms.Text("Activity", max_length=200, hint="For example: Termly review meeting.")
    kind = forms.Choice("Kind", list(ACTIVITY_KINDS.items()), default="meeting")
    frequency_days = forms.Integer(
        "Every (days)", min_value=1, max_value=3660, default=90, hint="90 is about once a term."
    )
    owner = forms.Choice("Owner", coerce=int, required=False)
    next_on = forms.Date("Next planned on", required=False)


def find_person(org: Any, typed: str) -> Person | str:
    """The active person a picker's text names (a suggestion, an email or a unique name)."""
    people = Person.in_org(org).where(Person.status == "active")
    picked = PICKED.search(typed)
    if picked:
        found = people.where(Person.id == int(picked.group(1))).first()
    else:
        text = typed.strip().lower()
        same = list(
            people.where(
                (Person.email == text)
                | (fn.LOWER(Person.first_name.concat(" ").concat(Person.last_name)) == text)
            ).limit(2)
        )
        if len(same) > 1:
            return f"More than one person is called “{typed}”; pick one from the suggestions."
        found = same[0] if same else None
    return found or f"There is nobody called “{typed}”; pick someone from the suggestions."


def _staff(form: Form, request: Request) -> Form:
    form.fields["owner"].choices = lookups.staff(request.state.ctx.org)
    return form


def group_form(request: Request, data: Mapping[str, Any] | None = None, **options: Any) -> Form:
    return _staff(GroupForm(data, **options), request)


def member_form(request: Request, data: Mapping[str, Any] | None = None) -> MemberForm:
    form = MemberForm(data, prefix="member-")
    form.org = request.state.ctx.org
    return form


def activity_form(request: Request, data: Mapping[str, Any] | None = None, **opts: Any) -> Form:
    return _staff(ActivityForm(data, **opts), request)


# ---------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------


def _link_group(url: Any, group: StakeholderGroup) -> str:
    return url("contacts:group", pk=group.id)


GROUPS = Table(
    StakeholderGroup,
    [
        Column("Name", "name", sortable=True, link=_link_group),
        Column("Members", accessor=lambda g: g.member_count, css="num"),
        Column("Planned activities", accessor=lambda g: g.activity_count, css="num"),
        Column("Overdue activities", accessor=lambda g: _overdue_count(g), css="num"),
        Column("Owner", accessor=user_name("owner")),
    ],
    search=["name"],
    search_label="Search group names",
    sort="name",
    filename="stakeholder-groups",
    empty_message="No stakeholder groups yet.",
    id="stakeholder-groups",
)


def _overdue_count(group: StakeholderGroup) -> int:
    # Two small queries per row: a page shows at most 100 groups, and organisations have tens.
    return sum(1 for status in plan_status(group) if status.overdue)


def groups_query(org: Any) -> Any:
    members = StakeholderMember.select(fn.COUNT(StakeholderMember.id)).where(
        StakeholderMember.group == StakeholderGroup.id
    )
    activities = EngagementActivity.select(fn.COUNT(EngagementActivity.id)).where(
        EngagementActivity.group == StakeholderGroup.id
    )
    return (
        StakeholderGroup.in_org(org)
        .select_extend(
            Owner.id,
            Owner.name,
            members.alias("member_count"),
            activities.alias("activity_count"),
        )
        .join_from(
            StakeholderGroup, Owner, JOIN.LEFT_OUTER, on=(StakeholderGroup.owner == Owner.id)
        )
    )


def group_list(request: Request) -> Response:
    ctx = request.state.ctx
    action = None
    if ctx.can("contacts.edit"):
        action = ("Add a stakeholder group", ctx.url("contacts:group_new"))
    return render_table(
        request,
        GROUPS,
        groups_query(ctx.org),
        template="contacts/groups.html",
        context={"title": "Stakeholder groups"},
        empty_action=action,
    )


# ---------------------------------------------------------------------------
# One group
# ---------------------------------------------------------------------------


def _members(group: StakeholderGroup) -> list[StakeholderMember]:
    return list(
        StakeholderMember.select(StakeholderMember, Person)
        .join(Person)
        .where(StakeholderMember.group == group.id)
        .order_by(
            StakeholderMember.influence.desc(),
            StakeholderMember.interest.desc(),
            Person.last_name,
            Person.first_name,
        )
        .limit(MAX_MEMBERS)
    )


def group_page(
    request: Request,
    group: StakeholderGroup,
    *,
    member: MemberForm | None = None,
    status_code: int = 200,
) -> Response:
    ctx = request.state.ctx
    context = {
        "title": group.name,
        "group": group,
        "owner": User.get_or_none(User.id == group.owner_id) if group.owner_id else None,
        "members": _members(group),
        "max_members": MAX_MEMBERS,
        "member_form": member or member_form(request),
        "plan": plan_status(group),
        "counting": COUNTING,
        "staff": dict(lookups.staff(ctx.org)),
        "health": relationship_health(ctx, group),
        "scale": SCALE,
        "quadrants": QUADRANTS,
        "today": utcnow().date(),
    }
    return render(request, "contacts/group.html", context, status_code=status_code)


def detail(request: Request) -> Response:
    return group_page(request, get_or_404(StakeholderGroup, request, request.path_params["pk"]))


def new(request: Request) -> Response:
    ctx = request.state.ctx
    page = {
        "title": "Add a stakeholder group",
        "action": ctx.url("contacts:group_new"),
        "submit_label": "Add group",
        "cancel_url": ctx.url("contacts:groups"),
        "template": FORM_TEMPLATE,
    }
    if request.method == "GET":
        return render_form(request, group_form(request, initial={"owner": ctx.user.id}), **page)
    form = group_form(request, form_data(request))
    if not form.is_valid() or not _unique_name(request, form):
        return render_form(request, form, **page)
    group = StakeholderGroup.create(org=ctx.org, **_group_values(form))
    emit(ctx.org, "contacts.group.created", {"group_id": group.id, "name": group.name})
    flash(request, f"{group.name} is added. Add its members and its engagement plan.")
    return redirect(request, ctx.url("contacts:group", pk=group.id))


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    group = get_or_404(StakeholderGroup, request, request.path_params["pk"])
    url = ctx.url("contacts:group_edit", pk=group.id)
    back = ctx.url("contacts:group", pk=group.id)
    page = {"title": f"Edit {group.name}", "action": url, "cancel_url": back}
    if request.method == "GET":
        form = _staff(GroupForm.from_instance(group), request)
        return render_form(request, form, template=FORM_TEMPLATE, **page)
    form = group_form(request, form_data(request))
    if not form.is_valid() or not _unique_name(request, form, group):
        return render_form(request, form, template=FORM_TEMPLATE, **page)
    try:
        save_versioned(group, form.version, {**_group_values(form), "updated_at": utcnow()})
    except StaleEdit as stale:
        return conflict_response(request, stale, form, action=url, cancel_url=back)
    flash(request, f"{form.cleaned['name']} is saved.")
    return redirect(request, back)


def delete(request: Request) -> Response:
    ctx = request.state.ctx
    group = get_or_404(StakeholderGroup, request, request.path_params["pk"])
    if request.method == "GET":
        return confirm_page(
            request,
            f"Delete {group.name}?",
            "The group, its member list and its engagement plan are deleted. The people "
            "and their interactions are kept.",
            ctx.url("contacts:group_delete", pk=group.id),
            "Delete group",
            cancel_url=ctx.url("contacts:group", pk=group.id),
        )
    group.delete_instance(recursive=True)
    flash(request, f"{group.name} is deleted.")
    return redirect(request, ctx.url("contacts:groups"))


def _group_values(form: Form) -> dict[str, Any]:
    values = form.cleaned
    return {
        "name": values["name"],
        "description": values["description"] or "",
        "communication_needs": values["communication_needs"] or "",
        "owner": values["owner"],
    }


def _unique_name(request: Request, form: Form, group: StakeholderGroup | None = None) -> bool:
    name = form.cleaned["name"]
    same = StakeholderGroup.in_org(request.state.ctx.org).where(
        fn.LOWER(StakeholderGroup.name) == name.lower()
    )
    if group is not None:
        same = same.where(StakeholderGroup.id != group.id)
    if same.exists():
        form.add_error("name", f"There is already a group called {name}.")
        return False
    return True


# ---------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------


def member_add(request: Request) -> Response:
    """Add a person to the group, or change the influence and interest of a member."""
    ctx = request.state.ctx
    group = get_or_404(StakeholderGroup, request, request.path_params["pk"])
    form = member_form(request, form_data(request))
    if not form.is_valid():
        return group_page(request, group, member=form, status_code=422)
    person = form.cleaned["person"]
    values = {
        "influence": form.cleaned["influence"],
        "interest": form.cleaned["interest"],
        "note": form.cleaned["note"] or "",
    }
    existing = StakeholderMember.get_or_none(
        (StakeholderMember.group == group.id) & (StakeholderMember.person == person.id)
    )
    if existing is not None:
        StakeholderMember.update(**values).where(StakeholderMember.id == existing.id).execute()
        flash(request, f"{person.full_name}’s place in {group.name} is updated.")
    else:
        StakeholderMember.create(org=ctx.org, group=group, person=person, **values)
        flash(request, f"{person.full_name} is now in {group.name}.")
    return redirect(request, ctx.url("contacts:group", pk=group.id) + "#members")


def member_remove(request: Request) -> Response:
    ctx = request.state.ctx
    group = get_or_404(StakeholderGroup, request, request.path_params["pk"])
    member = get_or_404(StakeholderMember, request, request.path_params["mid"])
    if member.group_id != group.id:
        raise HTTPException(404)
    person = Person.get_by_id(member.person_id)
    back = ctx.url("contacts:group", pk=group.id)
    if request.method == "GET":
        return confirm_page(
            request,
            f"Remove {person.full_name} from {group.name}?",
            f"{person.full_name} stays in contacts with their interactions; only their place "
            "in this group goes.",
            ctx.url("contacts:group_member_remove", pk=group.id, mid=member.id),
            "Remove",
            cancel_url=back,
        )
    member.delete_instance()
    flash(request, f"{person.full_name} is no longer in {group.name}.")
    return redirect(request, back + "#members")


def people_suggestions(request: Request) -> Response:
    """``<option>``s of active people matching what is typed in a person picker."""
    typed = next(iter(request.query_params.values()), "")[:200]
    terms = typed.casefold().split()[:8]
    people: list[Person] = []
    if terms and not PICKED.search(typed):
        people = list(
            Person.in_org(request.state.ctx.org)
            .where((Person.status == "active") & Person.search_text.matches(terms))
            .order_by(Person.last_name, Person.first_name)
            .limit(MAX_SUGGESTIONS)
        )
    return render(request, "contacts/_group_person_options.html", {"people": people})


# ---------------------------------------------------------------------------
# The engagement plan
# ---------------------------------------------------------------------------


def activity_new(request: Request) -> Response:
    ctx = request.state.ctx
    group = get_or_404(StakeholderGroup, request, request.path_params["pk"])
    page = {
        "title": f"Plan an activity for {group.name}",
        "action": ctx.url("contacts:group_activity_new", pk=group.id),
        "submit_label": "Add to the plan",
        "cancel_url": ctx.url("contacts:group", pk=group.id),
        "template": FORM_TEMPLATE,
    }
    if request.method == "GET":
        form = activity_form(request, initial={"owner": group.owner_id or ctx.user.id})
        return render_form(request, form, **page)
    form = activity_form(request, form_data(request))
    if not form.is_valid():
        return render_form(request, form, **page)
    EngagementActivity.create(org=ctx.org, group=group, **form.cleaned)
    flash(request, f"{form.cleaned['title']} is in the plan for {group.name}.")
    return redirect(request, ctx.url("contacts:group", pk=group.id) + "#plan")


def _group_and_activity(request: Request) -> tuple[StakeholderGroup, EngagementActivity]:
    group = get_or_404(StakeholderGroup, request, request.path_params["pk"])
    activity = get_or_404(EngagementActivity, request, request.path_params["aid"])
    if activity.group_id != group.id:
        raise HTTPException(404)
    return group, activity


def activity_edit(request: Request) -> Response:
    ctx = request.state.ctx
    group, activity = _group_and_activity(request)
    url = ctx.url("contacts:group_activity_edit", pk=group.id, aid=activity.id)
    back = ctx.url("contacts:group", pk=group.id) + "#plan"
    page = {"title": f"Edit {activity.title}", "action": url, "cancel_url": back}
    if request.method == "GET":
        form = _staff(ActivityForm.from_instance(activity), request)
        return render_form(request, form, template=FORM_TEMPLATE, **page)
    form = activity_form(request, form_data(request))
    if not form.is_valid():
        return render_form(request, form, template=FORM_TEMPLATE, **page)
    try:
        save_versioned(activity, form.version, {**form.cleaned, "updated_at": utcnow()})
    except StaleEdit as stale:
        return conflict_response(request, stale, form, action=url, cancel_url=back)
    flash(request, f"{form.cleaned['title']} is saved.")
    return redirect(request, back)


def activity_remove(request: Request) -> Response:
    ctx = request.state.ctx
    group, activity = _group_and_activity(request)
    back = ctx.url("contacts:group", pk=group.id) + "#plan"
    if request.method == "GET":
        return confirm_page(
            request,
            f"Take {activity.title} out of the plan?",
            "The interactions already logged are kept.",
            ctx.url("contacts:group_activity_remove", pk=group.id, aid=activity.id),
            "Remove from plan",
            cancel_url=back,
        )
    activity.delete_instance()
    flash(request, f"{activity.title} is out of the plan for {group.name}.")
    return redirect(request, back)


class RecordForm(Form):
    occurred_at = forms.DateTime("When")
    summary = forms.TextArea("Summary", max_length=5000)
    outcome = forms.Text("Outcome", required=False, max_length=300)

    def validate(self) -> None:
        if self.cleaned["occurred_at"] > utcnow() + FUTURE_SLACK:
            self.add_error("occurred_at", "Record it once it has happened.")


def _fields(form: Form) -> Fieldset:
    # The fields without the core's error summary: the page shows one for the whole form.
    return Fieldset("", form, tuple(form.fields))


def activity_record(request: Request) -> Response:
    """Record that a planned activity happened: an interaction of its kind with members.

    It is an ordinary interaction (on the members' timelines, with the usual
    event), which is what makes the activity done (see ``engagement.py``).
    """
    ctx = request.state.ctx
    group, activity = _group_and_activity(request)
    members = _members(group)
    url = ctx.url("contacts:group_activity_record", pk=group.id, aid=activity.id)
    back = ctx.url("contacts:group", pk=group.id) + "#plan"
    page: dict[str, Any] = {"group": group, "activity": activity, "members": members}
    page.update(action=url)
    page.update(title=f"Record {activity.title}", cancel_url=back)
    if request.method == "GET":
        initial = {"occurred_at": utcnow().replace(second=0, microsecond=0)}
        form = RecordForm(
            initial={**initial, "summary": activity.title}, prefix="record-", zone=ctx.org.zone
        )
        context = {**page, "form": form, "fields": _fields(form), "chosen": []}
        return render(request, "contacts/group_record.html", context)
    data = form_data(request)
    form = RecordForm(data, prefix="record-", zone=ctx.org.zone)
    allowed = {m.person_id for m in members}
    chosen = [n for n in (integer(v) for v in data.getlist("participants")) if n is not None]
    people = [pk for pk in dict.fromkeys(chosen) if pk in allowed]
    valid = form.is_valid()
    needed = members_needed(len(members))
    if len(people) < needed:
        form.add_error(
            "participants",
            "Choose the member who took part."
            if needed == 1
            else "Choose at least two members who took part: "
            "with one, it is contact with that person, not the group's activity.",
        )
        valid = False
    if not valid:
        context = {**page, "form": form, "fields": _fields(form), "chosen": people}
        return render(request, "contacts/group_record.html", context, status_code=422)
    first = Person.get_by_id(people[0])
    interaction = Interaction.create(
        org=ctx.org,
        kind=activity.kind,
        direction="outbound",
        occurred_at=form.cleaned["occurred_at"],
        summary=form.cleaned["summary"],
        outcome=form.cleaned["outcome"] or "",
        person=first,
        organisation=first.organisation_id,
        logged_by=ctx.user,
    )
    InteractionParticipant.insert_many(
        [{"org": ctx.org.id, "interaction": interaction.id, "person": pk} for pk in people]
    ).execute()
    refresh_contact_dates(people, [first.organisation_id] if first.organisation_id else [])
    emit(
        ctx.org,
        "contacts.interaction.logged",
        {
            "interaction_id": interaction.id,
            "kind": interaction.kind,
            "person_ids": people,
            "organisation_id": interaction.organisation_id,
            "occurred_at": interaction.occurred_at.isoformat(),
            "follow_up_due": None,
        },
    )
    flash(request, f"{activity.title} is recorded for {group.name}.")
    return redirect(request, back)


# ---------------------------------------------------------------------------
# The stakeholder map and overdue engagement
# ---------------------------------------------------------------------------


def stakeholder_map(request: Request) -> Response:
    group = get_or_404(StakeholderGroup, request, request.path_params["pk"])
    members = _members(group)
    placed: dict[str, list[StakeholderMember]] = {key: [] for key in QUADRANTS}
    for member in members:
        placed[member.quadrant].append(member)
    context = {
        "title": f"Stakeholder map: {group.name}",
        "group": group,
        "members": members,
        "placed": placed,
        "dots": _dots(members),
        "quadrants": QUADRANTS,
        "scale": SCALE,
    }
    return render(request, "contacts/stakeholder_map.html", context)


def _dots(members: list[StakeholderMember]) -> list[dict[str, Any]]:
    """Where each member sits on the SVG map; people on the same point fan out around it."""
    band = 58  # pixels per step of the 1–5 scale (see stakeholder_map.html)
    seen: dict[tuple[int, int], int] = {}
    dots = []
    for member in members:
        point = (member.interest, member.influence)
        n = seen[point] = seen.get(point, -1) + 1
        angle = n * 2.4  # radians: the golden angle keeps a crowd from overlapping
        spread = 0 if n == 0 else min(6 + 3 * n, 24)
        dots.append(
            {
                "x": round(40 + (member.interest - 0.5) * band + spread * math.cos(angle), 1),
                "y": round(300 - (member.influence - 0.5) * band + spread * math.sin(angle), 1),
                "name": member.person.full_name,
                "influence": member.influence,
                "interest": member.interest,
            }
        )
    return dots


def overdue(request: Request) -> Response:
    """Every overdue activity, or with ``?mine=1`` those the user owns or whose group they own."""
    ctx = request.state.ctx
    late = overdue_activities(ctx.org)
    mine = request.query_params.get("mine") == "1"
    if mine:
        late = [s for s in late if ctx.user.id in (s.activity.owner_id, s.group.owner_id)]
    context = {
        "title": "Overdue engagement",
        "late": late,
        "mine": mine,
        "staff": dict(lookups.staff(ctx.org)),
        "today": utcnow().date(),
    }
    return render(request, "contacts/stakeholder_overdue.html", context)


# ---------------------------------------------------------------------------
# Slots on contacts' own pages: a person's groups, an organisation's health
# ---------------------------------------------------------------------------


def fill_slot(ctx: RequestContext, slot: str, context: dict[str, Any]) -> str | None:
    if slot == "contacts.person.side":
        person = context["person"]
        return render_to_string(
            ctx.request,
            "contacts/_group_person_side.html",
            {"person": person, "memberships": person_groups(person), "quadrants": QUADRANTS},
        )
    if slot == "contacts.organisation.side":
        organisation: CustomerOrganisation = context["organisation"]
        return render_to_string(
            ctx.request,
            "contacts/_health.html",
            {"health": relationship_health(ctx, organisation), "subject": organisation.name},
        )
    return None
