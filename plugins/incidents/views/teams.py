"""Teams: resolver groups by tier, their lead and members."""

from __future__ import annotations

from peewee import JOIN, fn

from accord import (
    Column,
    HTTPException,
    Request,
    Response,
    StaleEdit,
    Table,
    User,
    conflict_response,
    flash,
    form_data,
    get_or_404,
    redirect,
    render,
    render_form,
    render_table,
    save_versioned,
)

from ..choices import OPEN
from ..forms import MemberForm, TeamForm
from ..models import Incident, Team, TeamMember
from .shared import MANAGE, staff, with_choices

TEAMS = Table(
    Team,
    [
        Column("Team", "name", sortable=True, link=lambda url, t: url("incidents:team", pk=t.id)),
        Column("Tier", "tier", accessor=lambda t: t.tier_label, sortable=True),
        Column("Lead", accessor=lambda t: getattr(t.__rel__.get("lead"), "name", None) or ""),
        Column("Members", accessor=lambda t: t.member_count, css="num"),
        Column("Open incidents", accessor=lambda t: t.open_count, css="num"),
    ],
    search=["name"],
    sort="tier",
    filename="teams",
    empty_message="No teams yet. Teams are who incidents are assigned to.",
    search_label="Search teams",
)


def team_list(request: Request) -> Response:
    ctx = request.state.ctx
    members = TeamMember.select(fn.COUNT(TeamMember.id)).where(TeamMember.team == Team.id)
    open_ = Incident.select(fn.COUNT(Incident.id)).where(
        (Incident.org == ctx.org) & (Incident.team == Team.id) & Incident.status.in_(OPEN)
    )
    query = (
        Team.in_org(ctx.org)
        .select_extend(members.alias("member_count"), open_.alias("open_count"), User.id, User.name)
        .join(User, JOIN.LEFT_OUTER, on=(Team.lead == User.id))
    )
    action = ("New team", ctx.url("incidents:team_new")) if ctx.can(MANAGE) else None
    return render_table(
        request,
        TEAMS,
        query,
        context={
            "title": "Teams",
            "actions": [action] if action else [],
            "intro": "Resolver groups: tier 1 is the service desk, tier 2 specialists, tier 3 "
            "suppliers and vendors. Moving an incident to a higher tier is an escalation.",
        },
        empty_action=action,
    )


def _team(request: Request) -> Team:
    return get_or_404(Team, request, request.path_params["pk"])


def _members(team: Team) -> list[TeamMember]:
    return list(
        TeamMember.select(TeamMember, User)
        .join(User, on=(TeamMember.user == User.id))
        .where(TeamMember.team == team.id)
        .order_by(User.name)
    )


def detail(
    request: Request, *, member_form: MemberForm | None = None, status_code: int = 200
) -> Response:
    ctx = request.state.ctx
    team = _team(request)
    members = _members(team)
    form = member_form or MemberForm()
    present = {m.user_id for m in members}
    form.fields["user"].choices = [(i, n) for i, n in staff(ctx.org) if i not in present]
    lead = User.get_or_none(User.id == team.lead_id) if team.lead_id else None
    open_count = (
        Incident.in_org(ctx.org)
        .where((Incident.team == team.id) & Incident.status.in_(OPEN))
        .count()
    )
    return render(
        request,
        "incidents/team.html",
        {
            "title": team.name,
            "team": team,
            "members": members,
            "member_form": form,
            "lead": lead,
            "open_count": open_count,
            "manage": ctx.can(MANAGE),
        },
        status_code=status_code,
    )


def create(request: Request) -> Response:
    ctx = request.state.ctx
    action, cancel = ctx.url("incidents:team_new"), ctx.url("incidents:teams")
    if request.method == "GET":
        form = with_choices(TeamForm(), ctx.org)
        return render_form(request, form, title="New team", action=action, cancel_url=cancel)
    form = with_choices(TeamForm(form_data(request)), ctx.org)
    if not form.is_valid():
        return render_form(request, form, title="New team", action=action, cancel_url=cancel)
    team = Team.create(org=ctx.org, **form.cleaned)
    if team.lead_id:
        TeamMember.create(org=ctx.org, team=team, user=team.lead_id)
    flash(request, f"Team “{team.name}” is set up. Add its members.")
    return redirect(request, ctx.url("incidents:team", pk=team.id))


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    team = _team(request)
    title, action = f"Edit {team.name}", ctx.url("incidents:team_edit", pk=team.id)
    cancel = ctx.url("incidents:team", pk=team.id)
    if request.method == "GET":
        form = with_choices(TeamForm.from_instance(team), ctx.org)
        form.instance_id = team.id
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    form = with_choices(TeamForm(form_data(request)), ctx.org)
    form.instance_id = team.id
    if not form.is_valid():
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    try:
        save_versioned(team, form.version, form.cleaned)
    except StaleEdit as stale:
        return conflict_response(request, stale, form, action=action, cancel_url=cancel)
    flash(request, f"Team “{team.name}” is saved.")
    return redirect(request, cancel)


def add_member(request: Request) -> Response:
    ctx = request.state.ctx
    team = _team(request)
    form = MemberForm(form_data(request))
    form.fields["user"].choices = staff(ctx.org)
    if not form.is_valid():
        request.path_params["pk"] = team.id
        return detail(request, member_form=form, status_code=422)
    user_id = form.cleaned["user"]
    if not TeamMember.get_or_none((TeamMember.team == team.id) & (TeamMember.user == user_id)):
        TeamMember.create(org=ctx.org, team=team, user=user_id)
    flash(request, f"{User.get_by_id(user_id).name} is in {team.name}.")
    return redirect(request, ctx.url("incidents:team", pk=team.id))


def remove_member(request: Request) -> Response:
    ctx = request.state.ctx
    team = _team(request)
    member = (
        TeamMember.in_org(ctx.org)
        .where((TeamMember.team == team.id) & (TeamMember.id == request.path_params["mid"]))
        .first()
    )
    if member is None:
        raise HTTPException(404)
    name = User.get_by_id(member.user_id).name
    member.delete_instance()
    flash(request, f"{name} is no longer in {team.name}. Incidents assigned to them stay theirs.")
    return redirect(request, ctx.url("incidents:team", pk=team.id))
