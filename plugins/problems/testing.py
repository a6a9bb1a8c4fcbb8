"""Factories for tests of problems and of plugins that build on it.

    from accord.plugins.problems.testing import make_problem

    problem = make_problem(org, "VPN drops", service=vpn, status="known_error",
                           workaround="Use the SSL profile")

They go through the same functions as the pages, quietly: no events.
"""

from __future__ import annotations

from typing import Any

from accord import Organisation, User

from . import records
from .models import Problem

PATHS = {
    "new": [],
    "investigating": ["investigate"],
    "known_error": ["known_error"],
    "resolved": ["resolve"],
    "closed": ["resolve", "close"],
}


def make_problem(
    org: Organisation,
    title: str = "Outlook asks for the password again and again",
    *,
    service: Any = None,
    status: str = "new",
    user: User | None = None,
    **values: Any,
) -> Problem:
    """A problem in ``status``; give the fields that status needs (workaround, root cause …)."""
    fields = {"title": title, "service": service.id if service is not None else None, **values}
    problem = records.create(org, fields, user=user, quiet=True)
    for name in PATHS[status]:
        records.move(problem, name, problem.version, {}, user=user, quiet=True)
    return problem


def reload(problem: Problem) -> Problem:
    return Problem.get_by_id(problem.id)
