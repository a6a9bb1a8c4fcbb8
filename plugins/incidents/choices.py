"""The fixed vocabularies of incidents: statuses and the moves between them, channels, codes."""

from __future__ import annotations

STATUSES = {
    "new": "New",
    "assigned": "Assigned",
    "in_progress": "In progress",
    "pending": "Pending",
    "resolved": "Resolved",
    "closed": "Closed",
}
STATUS_BADGES = {
    "new": "badge-info",
    "assigned": "badge-info",
    "in_progress": "badge-warning",
    "pending": "badge-muted",
    "resolved": "badge-success",
    "closed": "badge-muted",
}
# Being worked on or waiting to be: what queues show and what counts as "open".
OPEN = ("new", "assigned", "in_progress", "pending")
DONE = ("resolved", "closed")

# Which status each action may start from. Assigning keeps pending incidents pending.
MOVES = {
    "assign": ("new", "assigned", "in_progress", "pending"),
    "start": ("new", "assigned"),
    "pend": ("new", "assigned", "in_progress"),
    "resume": ("pending",),
    "resolve": ("new", "assigned", "in_progress", "pending"),
    "close": ("resolved",),
    "reopen": ("resolved",),
}

CHANNELS = {
    "phone": "Phone",
    "email": "Email",
    "portal": "Portal",
    "walk_in": "Walk-in",
    "monitoring": "Monitoring",
}

CATEGORIES = {
    "hardware": "Hardware",
    "software": "Software",
    "network": "Network and connectivity",
    "access": "Accounts and access",
    "email": "Email and collaboration",
    "printing": "Printing",
    "data": "Data and files",
    "security": "Security",
    "other": "Other",
}

IMPACTS = {
    1: "Extensive: many people or a whole service",
    2: "Significant: a team or a site",
    3: "Moderate: a few people",
    4: "Minor: one person",
}
URGENCIES = {
    1: "Critical: work has stopped",
    2: "High: work is badly slowed",
    3: "Medium: a workaround exists",
    4: "Low: it can wait",
}
IMPACT_NAMES = {1: "Extensive", 2: "Significant", 3: "Moderate", 4: "Minor"}
URGENCY_NAMES = {1: "Critical", 2: "High", 3: "Medium", 4: "Low"}
PRIORITIES = {1: "Critical", 2: "High", 3: "Medium", 4: "Low"}
PRIORITY_BADGES = {1: "badge-danger", 2: "badge-warning", 3: "badge-info", 4: "badge-muted"}

PENDING_REASONS = {
    "customer": "Awaiting the customer",
    "supplier": "Awaiting a supplier",
    "change": "Awaiting a change",
    "scheduled": "Scheduled visit or work",
    "other": "Other",
}

RESOLUTION_CODES = {
    "fixed": "Fixed",
    "workaround": "Workaround given",
    "advice": "Advice or training given",
    "configuration": "Configuration changed",
    "replaced": "Hardware replaced",
    "supplier": "Fixed by a supplier",
    "no_fault": "No fault found",
    "duplicate": "Duplicate of another incident",
    "cancelled": "Cancelled by the reporter",
}

TIERS = {1: "Tier 1", 2: "Tier 2", 3: "Tier 3"}

SLA_STATES = {
    "on_track": "On track",
    "at_risk": "At risk",
    "breached": "Breached",
    "met": "Met",
    "paused": "Paused",
    "none": "No target",
}
SLA_BADGES = {
    "on_track": "badge-success",
    "at_risk": "badge-warning",
    "breached": "badge-danger",
    "met": "badge-success",
    "paused": "badge-muted",
    "none": "badge-muted",
}

# Timeline entry kinds.
ACTIVITY_KINDS = {
    "note": "Internal note",
    "reply": "Reply to reporter",
    "status": "Status",
    "assignment": "Assignment",
    "escalation": "Escalation",
    "priority": "Priority",
    "sla": "SLA",
    "sla_alert": "SLA alert",
    "email": "Email",
    "attachment": "Attachment",
    "link": "Major incident",
    "merge": "Merge",
}


def priority_label(priority: int | None) -> str:
    if not priority:
        return ""
    return f"P{priority} {PRIORITIES.get(int(priority), '')}".strip()
