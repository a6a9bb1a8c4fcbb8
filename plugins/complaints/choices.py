"""The fixed vocabularies of complaints: statuses and the moves between them, causes, channels."""

from __future__ import annotations

STATUSES = {
    "received": "Received",
    "acknowledged": "Acknowledged",
    "investigating": "Investigating",
    "responded": "Responded",
    "closed": "Closed",
}
STATUS_BADGES = {
    "received": "badge-info",
    "acknowledged": "badge-info",
    "investigating": "badge-warning",
    "responded": "badge-success",
    "closed": "badge-muted",
}
OPEN = ("received", "acknowledged", "investigating", "responded")

# Which status each move may start from, and where it leads.
MOVES = {
    "acknowledge": (("received",), "acknowledged"),
    "investigate": (("received", "acknowledged"), "investigating"),
    "respond": (("acknowledged", "investigating"), "responded"),
    "close": (("responded",), "closed"),
}

CAUSES = {
    "service_failure": "Service failure or outage",
    "slow_response": "Slow response or resolution",
    "quality": "Quality of the work",
    "staff_conduct": "Staff conduct",
    "communication": "Poor communication",
    "policy": "Policy or process",
    "charges": "Charges or billing",
    "other": "Other",
}
CHANNELS = {
    "email": "Email",
    "phone": "Phone",
    "letter": "Letter",
    "portal": "Portal",
    "in_person": "In person",
    "survey": "Satisfaction survey",
}
SEVERITIES = {"low": "Low", "medium": "Medium", "high": "High"}
SEVERITY_BADGES = {"low": "badge-muted", "medium": "badge-warning", "high": "badge-danger"}

ACKNOWLEDGEMENT = {
    "overdue": "Overdue: not acknowledged in time",
    "late": "Acknowledged late",
    "on_time": "Acknowledged on time",
    "waiting": "Waiting, still in time",
}

# Correspondence with the complainant: which way it went, how, and what it did.
DIRECTIONS = {"out": "To the complainant", "in": "From the complainant"}
LETTER_CHANNELS = {
    "email": "Email",
    "letter": "Letter",
    "phone": "Phone call",
    "in_person": "Meeting",
}
# The workflow step a message did, with the move it makes.
STEPS = {"acknowledge": "It acknowledged the complaint", "respond": "It was the response"}
DELIVERY = {
    "pending": "queued",
    "sending": "sending",
    "sent": "sent",
    "failed": "not delivered",
}
