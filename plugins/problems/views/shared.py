"""What problems' pages share: permissions, the record of the URL, the organisation's choices."""

from __future__ import annotations

from typing import Any

from accord import Organisation, Request, get_or_404, members_of
from accord.plugins.catalogue import live_services
from accord.plugins.incidents.models import Incident

from ..models import Problem

VIEW, WORK, MANAGE = "problems.view", "problems.work", "problems.manage"
WORKING_ROLES = ("admin", "manager", "agent")


def problem_or_404(request: Request) -> Problem:
    return get_or_404(Problem, request, request.path_params["pk"])


def incident_or_404(request: Request, key: str = "iid") -> Incident:
    return get_or_404(Incident, request, request.path_params[key])


def services(org: Organisation) -> list[tuple[int, str]]:
    return [(s.id, f"{s.name} ({s.code})") for s in live_services(org)]


def staff(org: Organisation) -> list[tuple[int, str]]:
    return [(u.id, str(u.name)) for u in members_of(org, roles=WORKING_ROLES)]


def with_choices(form: Any, org: Organisation, problem: Problem | None = None) -> Any:
    """``form`` with the organisation's services and staff (keeping a retired service)."""
    options = services(org)
    if problem is not None and problem.service_id and problem.service_id not in dict(options):
        options.append((problem.service_id, "(its service, now retired)"))
    form.fields["service"].choices = options
    people = staff(org)
    if problem is not None and problem.owner_id and problem.owner_id not in dict(people):
        people.append((problem.owner_id, "(its owner, no longer on the desk)"))
    form.fields["owner"].choices = people
    return form
