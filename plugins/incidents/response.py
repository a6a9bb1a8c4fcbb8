"""What stops an incident's response clock, by the organisation's ``response_met_by`` setting.

Service desks disagree on what a response is: a reply the customer reads, or
someone starting the work. The incident keeps both moments (``first_reply_at``,
``work_started_at``) and ``responded_at`` is the one the organisation's rule
counts, with ``response_via`` saying which it was. A resolution answers the
customer too (they are told), so it stops the response clock under every rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord import plugin_settings

from .models import Incident

REPLY, START, FIRST = "reply", "start", "first"
RULES = {
    REPLY: "First reply to the customer",
    START: "Start work",
    FIRST: "Whichever comes first",
}
# The moments each rule counts as the response.
COUNTS = {
    REPLY: ("reply", "resolution"),
    START: ("start", "resolution"),
    FIRST: ("reply", "start", "resolution"),
}
# "met by first reply at 10:42 BST"
VIA_WORDS = {"reply": "first reply", "start": "start of work", "resolution": "resolution"}


def rule_for(incident: Incident) -> str:
    chosen = plugin_settings.get(incident.org, "incidents").get("response_met_by")
    return chosen if chosen in RULES else REPLY


def changes(incident: Incident, moment: str, now: dt.datetime) -> dict[str, Any]:
    """The incident's fields to change when ``moment`` (reply, start, resolution) happens.

    Records the first reply or start of work, and makes it the response when the
    organisation's rule counts it and nothing counted came before.
    """
    found: dict[str, Any] = {}
    if moment == "reply" and incident.first_reply_at is None:
        found["first_reply_at"] = now
    if moment == "start" and incident.work_started_at is None:
        found["work_started_at"] = now
    if incident.responded_at is None and moment in COUNTS[rule_for(incident)]:
        found["responded_at"] = now
        found["response_via"] = moment
    return found


def met_by(incident: Incident) -> str:
    """What stopped the response clock, in words (``first reply``), or empty."""
    if incident.responded_at is None:
        return ""
    return VIA_WORDS.get(str(incident.response_via), "first response")
