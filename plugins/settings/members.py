"""The organisation's members: add people, change their role, remove them."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from accord import flash, form_data, redirect, render
from accord.accounts import AccountError, add_member, create_user
from accord.audit import record
from accord.models import ROLES, Membership, User

ROLE_HELP = {
    "admin": "everything, including members and plugins",
    "manager": "all work, reports and the audit log",
    "agent": "day-to-day work on records",
    "viewer": "read only",
}


def _members(org):
    return list(
        Membership.select(Membership, User)
        .join(User)
        .where(Membership.org == org)
        .order_by(User.name)
    )


def _page(request: Request, *, values=None, errors=None, status_code=200) -> Response:
    ctx = request.state.ctx
    return render(
        request,
        "settings/members.html",
        {
            "members": _members(ctx.org),
            "roles": ROLES,
            "role_help": ROLE_HELP,
            "values": values or {"role": "agent"},
            "errors": errors or {},
            "title": "Members",
        },
        status_code=status_code,
    )


def member_list(request: Request) -> Response:
    return _page(request)


def add(request: Request) -> Response:
    """Add an existing user by email, or create the account with a first password."""
    ctx = request.state.ctx
    form = form_data(request)
    values = {key: str(form.get(key, "")).strip() for key in ("email", "name", "role")}
    password = str(form.get("password", ""))
    errors: dict[str, str] = {}
    if values["role"] not in ROLES:
        errors["role"] = "Choose a role."
    if "@" not in values["email"]:
        errors["email"] = "Enter the person's email address."
    user = User.get_or_none(User.email == values["email"].lower())
    if user is None and not errors:
        if not values["name"]:
            errors["name"] = "New accounts need a name."
        if not password:
            errors["password"] = (
                "New accounts need a first password; they can change it after signing in."
            )
    elif user is not None and Membership.get_or_none(
        (Membership.user == user) & (Membership.org == ctx.org)
    ):
        errors["email"] = f"{user.name} is already a member."
    if not errors and user is None:
        try:
            user = create_user(values["email"], values["name"], password)
        except AccountError as exc:
            errors["password"] = str(exc)
    if errors:
        return _page(request, values=values, errors=errors, status_code=422)
    add_member(user, ctx.org, values["role"])
    flash(request, f"{user.name} is now {values['role']} of {ctx.org.name}.")
    return redirect(request, ctx.url("settings:members"))


def _membership(request: Request) -> Membership:
    ctx = request.state.ctx
    membership = Membership.get_or_none(
        (Membership.id == request.path_params["member"]) & (Membership.org == ctx.org)
    )
    if membership is None:
        raise HTTPException(404)
    return membership


def _last_admin(membership: Membership) -> bool:
    admins = Membership.select().where(
        (Membership.org == membership.org) & (Membership.role == "admin")
    )
    return membership.role == "admin" and admins.count() == 1


def change_role(request: Request) -> Response:
    ctx = request.state.ctx
    membership = _membership(request)
    role = str(form_data(request).get("role", ""))
    if role not in ROLES:
        raise HTTPException(422, "Choose one of the roles offered.")
    if role != "admin" and _last_admin(membership):
        flash(
            request,
            "The organisation needs at least one admin: make someone else admin first.",
            "error",
        )
    else:
        add_member(membership.user, ctx.org, role)
        flash(request, f"{membership.user.name} is now {role}.")
    return redirect(request, ctx.url("settings:members"))


def remove(request: Request) -> Response:
    ctx = request.state.ctx
    membership = _membership(request)
    if request.method == "GET":
        return render(
            request,
            "settings/remove_member.html",
            {"membership": membership, "title": "Remove member"},
        )
    if _last_admin(membership):
        flash(request, "The last admin cannot be removed.", "error")
        return redirect(request, ctx.url("settings:members"))
    record(
        ctx.org,
        "member.remove",
        f"removed {membership.user.email}",
        table="accord_membership",
        record_id=membership.id,
    )
    membership.delete_instance()
    flash(request, f"{membership.user.name} no longer has access to {ctx.org.name}.")
    return redirect(request, ctx.url("settings:members"))
