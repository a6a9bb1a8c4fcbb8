"""What the incidents pages share: the organisation's choices, the plugin's settings, 409s."""

from __future__ import annotations

from typing import Any

from accord import (
    Organisation,
    Request,
    Response,
    StaleEdit,
    User,
    get_or_404,
    members_of,
    plugin_settings,
    render,
)
from accord.plugins.catalogue import live_services
from accord.plugins.contacts.models import CustomerOrganisation

from ..models import Incident, Team

PLUGIN = "incidents"
VIEW, WORK, MANAGE = "incidents.view", "incidents.work", "incidents.manage"
WORKING_ROLES = ("admin", "manager", "agent")


def incident_or_404(request: Request) -> Incident:
    return get_or_404(Incident, request, request.path_params["pk"])


def settings_of(org: Organisation) -> dict[str, Any]:
    return plugin_settings.get(org, PLUGIN)


def reopen_days(org: Organisation) -> int:
    return int(settings_of(org).get("reopen_days") or 7)


def staff(org: Organisation) -> list[tuple[int, str]]:
    """Members who can work incidents, by name."""
    return [(u.id, str(u.name)) for u in members_of(org, roles=WORKING_ROLES)]


def staff_member(org: Organisation, user_id: int | None) -> User | None:
    if not user_id:
        return None
    allowed = dict(staff(org))
    return User.get_by_id(user_id) if user_id in allowed else None


def teams(org: Organisation) -> list[tuple[int, str]]:
    rows = Team.in_org(org).order_by(Team.tier, Team.name)
    return [(t.id, f"{t.name} ({t.tier_label})") for t in rows]


def services(org: Organisation) -> list[tuple[int, str]]:
    return [(s.id, f"{s.name} ({s.code})") for s in live_services(org)]


def customers(org: Organisation) -> list[tuple[int, str]]:
    rows = (
        CustomerOrganisation.in_org(org, CustomerOrganisation.id, CustomerOrganisation.name)
        .where(CustomerOrganisation.status == "active")
        .order_by(CustomerOrganisation.name)
    )
    return [(o.id, str(o.name)) for o in rows]


def with_choices(form: Any, org: Organisation, incident: Incident | None = None) -> Any:
    """``form`` with the organisation's options in its pickers (keeping a retired service)."""
    form.org = org
    form.instance_id = incident.id if incident else None
    fields = form.fields
    if "service" in fields:
        options = services(org)
        if incident and incident.service_id and incident.service_id not in dict(options):
            options.append((incident.service_id, "(the service it was logged against)"))
        fields["service"].choices = options
    if "customer" in fields:
        fields["customer"].choices = customers(org)
    if "team" in fields:
        fields["team"].choices = teams(org)
    if "assignee" in fields:
        fields["assignee"].choices = staff(org)
    if "lead" in fields:
        fields["lead"].choices = staff(org)
    return form


def stale_response(request: Request, stale: StaleEdit, incident: Incident, what: str) -> Response:
    """409 for an action (a button) on an incident someone changed since the page was shown."""
    ctx = request.state.ctx
    current = stale.current
    return render(
        request,
        "incidents/stale.html",
        {
            "title": "Someone else changed this incident",
            "incident": incident,
            "current": current,
            "what": what,
            "action": str(request.url.path),
            "back": ctx.url("incidents:detail", pk=incident.id),
        },
        status_code=409,
    )
