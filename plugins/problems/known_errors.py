"""The known-error database: known errors that match an incident being logged.

An organisation has tens to a few thousand known errors, so matching scores
the candidates of the service (and those of no service) in Python with
rapidfuzz rather than asking the database to rank text.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from accord import Organisation

from .detector import normalise
from .models import Problem

MIN_TEXT = 8  # characters typed before anything is suggested
MIN_SCORE = 60  # out of 100: token_set_ratio of the typed words against the known error's
SHOWN = 3
CANDIDATES = 2000


def known_errors(org: Organisation) -> Any:
    return Problem.in_org(org).where(Problem.status == "known_error")


def suggest(org: Organisation, service: Any, text: str, limit: int = SHOWN) -> list[Problem]:
    """The known errors most like ``text``, of ``service`` or of no service, best first.

    Nothing while fewer than ``MIN_TEXT`` characters are typed: a word or two
    matches too much to help.
    """
    typed = normalise(text or "")
    if len(typed) < MIN_TEXT:
        return []
    candidates = known_errors(org)
    if service is not None:
        candidates = candidates.where((Problem.service == service.id) | Problem.service.is_null())
    scored = []
    for problem in candidates.order_by(Problem.updated_at.desc()).limit(CANDIDATES):
        about = normalise(f"{problem.title} {problem.symptoms}")
        score = fuzz.token_set_ratio(typed, about)
        if score >= MIN_SCORE:
            # The same service first: its known errors are the likelier cause.
            scored.append(
                (score + (5 if service is not None and problem.service_id else 0), problem)
            )
    scored.sort(key=lambda pair: (-pair[0], -pair[1].number))
    return [problem for _, problem in scored[:limit]]
