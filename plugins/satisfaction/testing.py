"""Helpers for tests of satisfaction: the link in a survey email, the survey of an incident.

from accord.plugins.satisfaction.testing import survey_link, survey_of

survey = survey_of(incident)
path = survey_link(survey)  # "/survey/<token>" as in the email
"""

from __future__ import annotations

import re
from typing import Any

from accord.plugins.incidents.models import OutboundEmail

from .models import Survey

LINK = re.compile(r"https?://[^/\s]+(/survey/[A-Za-z0-9_.\-]+)(\?[^\s]*)?")


def survey_of(incident: Any) -> Survey | None:
    return Survey.select().where(Survey.incident == incident.id).order_by(Survey.id.desc()).first()


def links_in(email: OutboundEmail) -> list[str]:
    """The survey links of an email, as paths with their query (``/survey/…?score=4``)."""
    return [path + (query or "") for path, query in LINK.findall(str(email.body))]


def survey_email(incident: Any) -> OutboundEmail | None:
    return (
        OutboundEmail.select()
        .where((OutboundEmail.incident == incident.id) & (OutboundEmail.kind == "survey"))
        .order_by(OutboundEmail.id.desc())
        .first()
    )
