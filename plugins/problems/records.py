"""Changing problems: creating one, linking incidents, moving its status; each leaves a trace.

Call inside a transaction (a POST page is one). ``quiet=True`` announces
nothing: for demo data and tests, which run outside a request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peewee import IntegrityError

from accord import Organisation, User, database, emit, save_versioned, utcnow
from accord.plugins.incidents.models import Incident

from .choices import MOVES, STATUSES
from .models import Counter, Problem, ProblemEvent, ProblemIncident, format_reference


class MoveRefused(ValueError):
    """A status move the problem's status or fields do not allow; the message says why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def next_number(org: Organisation) -> int:
    """The organisation's next problem number; the row lock serialises concurrent creation."""
    if Counter.update(value=Counter.value + 1).where(Counter.org == org).execute():
        return int(Counter.get(Counter.org == org).value)
    try:
        with database.atomic():  # a savepoint: a concurrent first insert may win
            Counter.insert(org=org, value=1).execute()
        return 1
    except IntegrityError:
        return next_number(org)


def note(problem: Problem, kind: str, body: str, *, user: User | None, at: dt.datetime) -> None:
    ProblemEvent.create(
        org=problem.org_id,
        problem=problem.id,
        at=at,
        kind=kind,
        author_label=str(user.name) if user else "Accord",
        body=body,
    )


def _announce(problem: Problem, name: str, quiet: bool, **payload: Any) -> None:
    if not quiet:
        emit(problem.org, f"problems.{name}", {"problem_id": problem.id, **payload})


def create(
    org: Organisation,
    values: dict[str, Any],
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Problem:
    now = now or utcnow()
    number = next_number(org)
    problem = Problem.create(
        org=org,
        number=number,
        reference=format_reference(number),
        created_by=user,
        created_at=now,
        updated_at=now,
        **values,
    )
    note(problem, "created", "", user=user, at=now)
    _announce(problem, "created", quiet, reference=problem.reference)
    return problem


def edit(
    problem: Problem, version: Any, values: dict[str, Any], *, now: dt.datetime | None = None
) -> Problem:
    """Change what the problem says (raises ``StaleEdit`` when someone saved since)."""
    return save_versioned(problem, version, {**values, "updated_at": now or utcnow()})


def link(
    problem: Problem,
    incident: Incident,
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> bool:
    """Link ``incident`` to ``problem``; False when it already was."""
    now = now or utcnow()
    if (
        ProblemIncident.select()
        .where((ProblemIncident.problem == problem.id) & (ProblemIncident.incident == incident.id))
        .exists()
    ):
        return False
    ProblemIncident.create(
        org=problem.org_id, problem=problem.id, incident=incident.id, linked_by=user, linked_at=now
    )
    note(problem, "linked", f"{incident.reference} {incident.title}", user=user, at=now)
    _announce(problem, "incident_linked", quiet, incident_id=incident.id)
    return True


def unlink(problem: Problem, incident: Incident, *, user: User | None, quiet: bool = False) -> bool:
    row = ProblemIncident.get_or_none(
        (ProblemIncident.problem == problem.id) & (ProblemIncident.incident == incident.id)
    )
    if row is None:
        return False
    row.delete_instance()
    note(problem, "unlinked", f"{incident.reference} {incident.title}", user=user, at=utcnow())
    _announce(problem, "incident_unlinked", quiet, incident_id=incident.id)
    return True


def moves_from(status: str) -> list[str]:
    """The moves a problem in ``status`` may make, in display order."""
    return [name for name, (_, starts, _) in MOVES.items() if status in starts]


def check_move(problem: Problem, move: str, values: dict[str, Any]) -> None:
    """Raise ``MoveRefused`` unless ``problem`` with ``values`` applied may make ``move``.

    A known error must say how to work around it; a resolved problem must
    say what caused it and which change fixed it.
    """
    if move not in MOVES or problem.status not in MOVES[move][1]:
        raise MoveRefused(f"A {problem.status_label.lower()} problem cannot make that move.")
    merged = {**problem.__data__, **values}
    if move == "known_error" and not (merged.get("workaround") or "").strip():
        raise MoveRefused(
            "A known error needs its workaround: say how to get around it.", "workaround"
        )
    if move == "resolve":
        if not (merged.get("root_cause") or "").strip():
            raise MoveRefused("Say what the root cause was.", "root_cause")
        if not (merged.get("fix_change") or "").strip():
            raise MoveRefused("Name the change that fixed it, like CHG-1042.", "fix_change")


def move(
    problem: Problem,
    name: str,
    version: Any,
    values: dict[str, Any],
    *,
    user: User | None,
    now: dt.datetime | None = None,
    quiet: bool = False,
) -> Problem:
    """Move ``problem`` on, saving ``values`` (workaround, root cause …) with it."""
    now = now or utcnow()
    check_move(problem, name, values)
    before, after = problem.status, MOVES[name][2]
    changes = {**values, "status": after, "updated_at": now}
    if after == "known_error":
        changes["known_error_at"] = now
    elif after == "resolved":
        changes["resolved_at"] = now
    elif after == "closed":
        changes["closed_at"] = now
    elif name == "reopen":
        changes.update(resolved_at=None, closed_at=None)
    save_versioned(problem, version, changes)
    words = f"{STATUSES[before]} → {STATUSES[after]}"
    note(problem, "status", words, user=user, at=now)
    _announce(problem, "status_changed", quiet, **{"from": before, "to": after})
    return problem
