"""Satisfaction on incidents' pages: the survey of an incident and its answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peewee import fn

from accord import Period, RequestContext, Widget, render_to_string, utcnow
from accord.plugins.incidents.models import OutboundEmail

from . import links, results
from .models import RecoveryTask, Survey
from .routes import COPY_LINK
from .surveys import SCORE_WORDS


def incident_side(ctx: RequestContext, incident) -> str:
    surveys = list(
        Survey.in_org(ctx.org).where(Survey.incident == incident.id).order_by(Survey.id.desc())
    )
    survey = surveys[0] if surveys else None
    task_url = complaint_url = None
    if survey is not None and survey.follow_up:
        kind, _, pk = survey.follow_up.partition(":")
        if kind == "task":
            task_url = ctx.url("satisfaction:task", pk=int(pk))
        elif kind == "complaint" and "complaints" in ctx.enabled:
            complaint_url = ctx.url("complaints:detail", pk=int(pk))
    return render_to_string(
        ctx.request,
        "satisfaction/_incident_side.html",
        {
            "incident": incident,
            "survey": survey,
            "earlier": max(len(surveys) - 1, 0),
            "words": SCORE_WORDS,
            "task_url": task_url,
            "complaint_url": complaint_url,
            "now": utcnow(),
            **_delivery(ctx, survey),
        },
    )


def _delivery(ctx: RequestContext, survey: Survey | None) -> dict[str, Any]:
    """Whether the survey's email really left (the outbox says), and its link for those allowed.

    A survey is "sent" once its email is in incidents' outbox; without a mail
    server it never leaves, so the card reads the email, not the survey.
    """
    if survey is None or survey.status != "sent":
        return {"undelivered": None, "survey_link": ""}
    email = OutboundEmail.get_or_none(OutboundEmail.id == survey.email_id)
    open_link = survey.expires_at is None or survey.expires_at > utcnow()
    return {
        "undelivered": _undelivered(email),
        "survey_link": links.survey_url(ctx.org, survey)
        if ctx.can(COPY_LINK) and open_link
        else "",
    }


def _undelivered(email: OutboundEmail | None) -> tuple[str, str] | None:
    """``(badge, sentence)`` for an email that has not reached the mail server; else None."""
    if email is None or email.status in ("sent", "sending"):
        return None
    why = str(email.last_error).rstrip(".")
    if email.status == "skipped":
        return "Not sent", f"The survey email was not sent: {why}."
    if email.status == "failed":
        return "Not sent", f"The survey email could not be sent ({why}); no more attempts are made."
    if email.attempts:
        return "Not sent yet", f"The survey email could not be sent yet ({why}); it is tried again."
    return "Not sent yet", f"The survey email to {email.to_address} is waiting to be sent."


def dashboard_widget(ctx: RequestContext) -> Widget:
    last_30_days = Period.preset_for("30d", ctx.org.zone, utcnow().date())
    count, average = results.overall(ctx.org, last_30_days)
    open_tasks = RecoveryTask.in_org(ctx.org).where(RecoveryTask.status == "open")
    html = render_to_string(
        ctx.request,
        "satisfaction/_widget.html",
        {
            "count": count,
            "average": average,
            "open_tasks": open_tasks.count(),
            "mine": open_tasks.where(RecoveryTask.assignee == ctx.user.id).count(),
        },
    )
    return Widget(title="Satisfaction", html=html, order=26)


def service_side(ctx: RequestContext, service) -> str:
    """The service's satisfaction over the last 90 days."""
    since = utcnow() - dt.timedelta(days=90)
    count, average = (
        Survey.in_org(ctx.org, fn.COUNT(Survey.id), fn.AVG(Survey.score))
        .where(
            (Survey.service_id == service.id)
            & (Survey.answered_at >= since)
            & Survey.score.is_null(False)
        )
        .tuples()
        .get()
    )
    return render_to_string(
        ctx.request,
        "satisfaction/_service_side.html",
        {"count": int(count), "average": float(average) if average is not None else None},
    )
