"""The daily look for recurring incidents, in every organisation where problems is on."""

from __future__ import annotations

import logging

from accord import Organisation, database
from accord.models import PluginEnablement

from . import proposals

log = logging.getLogger("accord.plugins.problems")


def organisations() -> list[Organisation]:
    return list(
        Organisation.select()
        .join(PluginEnablement, on=(PluginEnablement.org == Organisation.id))
        .where((PluginEnablement.plugin == "problems") & PluginEnablement.enabled)
        .order_by(Organisation.id)
    )


def detect_recurring_incidents() -> int:
    """Refresh every organisation's proposals; how many are waiting for a decision."""
    waiting = 0
    with database.connection_context():
        for org in organisations():
            try:
                with database.atomic():
                    waiting += len(proposals.refresh(org))
            except Exception:  # one organisation's trouble must not stop the others'
                log.exception("looking for recurring incidents in %s failed", org.slug)
    return waiting
