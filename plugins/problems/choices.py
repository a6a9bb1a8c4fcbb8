"""The fixed vocabularies of problems: statuses, the moves between them, priorities."""

from __future__ import annotations

STATUSES = {
    "new": "New",
    "investigating": "Investigating",
    "known_error": "Known error",
    "resolved": "Resolved",
    "closed": "Closed",
}
STATUS_BADGES = {
    "new": "badge-info",
    "investigating": "badge-warning",
    "known_error": "badge-danger",
    "resolved": "badge-success",
    "closed": "badge-muted",
}
# Still to be fixed: what the service page and an incident's page call "open".
OPEN = ("new", "investigating", "known_error")

# move name: (label, the statuses it starts from, the status it leads to)
MOVES = {
    "investigate": ("Start investigating", ("new",), "investigating"),
    "known_error": ("Record as known error", ("new", "investigating"), "known_error"),
    "resolve": ("Resolve", ("new", "investigating", "known_error"), "resolved"),
    "close": ("Close", ("resolved",), "closed"),
    "reopen": ("Reopen", ("resolved", "closed"), "investigating"),
}

PRIORITIES = {1: "P1 Critical", 2: "P2 High", 3: "P3 Medium", 4: "P4 Low"}
PRIORITY_BADGES = {1: "badge-danger", 2: "badge-warning", 3: "badge-info", 4: "badge-muted"}

PROPOSAL_STATUSES = {"proposed": "Proposed", "accepted": "Accepted", "dismissed": "Dismissed"}

# Timeline entry kinds of ProblemEvent.
EVENT_KINDS = {
    "created": "Recorded",
    "status": "Status",
    "linked": "Incident linked",
    "unlinked": "Incident unlinked",
    "proposal": "From the detector",
}
