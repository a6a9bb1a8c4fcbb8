"""Pages: the list, one announcement, the form to publish one, and deleting one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import peewee
from accord import (
    Request,
    RequestContext,
    Response,
    SearchResult,
    User,
    Widget,
    flash,
    form_data,
    get_or_404,
    redirect,
    render,
)
from markupsafe import Markup

from .models import SEVERITIES, Announcement, utcnow

LISTS = {"current": "On show now", "upcoming": "Upcoming", "ended": "Ended", "all": "All"}
LIST_LIMIT = 100
WIDGET_LIMIT = 5
FIELDS = ("title", "body", "severity", "starts_at", "ends_at")
DATETIME_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
BADGES = {"outage": "badge-danger", "maintenance": "badge-warning", "info": "badge-info"}


# --- Pages -------------------------------------------------------------------------------------


def announcement_list(request: Request) -> Response:
    org = request.state.ctx.org
    show = request.query_params.get("show", "current")
    if show not in LISTS:
        show = "current"
    now = utcnow()
    if show == "current":
        query = Announcement.current(org, now)
    else:
        query = Announcement.in_org(org)
        if show == "upcoming":
            query = query.where(Announcement.starts_at > now).order_by(Announcement.starts_at)
        elif show == "ended":
            query = query.where(Announcement.ends_at <= now).order_by(Announcement.ends_at.desc())
        else:
            query = query.order_by(Announcement.starts_at.desc())
    rows = list(_with_author(query).limit(LIST_LIMIT))
    return render(
        request,
        "announcements/list.html",
        {
            "rows": rows,
            "show": show,
            "lists": LISTS,
            "now": now,
            "badges": BADGES,
            "limit": LIST_LIMIT,
            "title": "Announcements",
        },
        block="listing",
    )


def detail(request: Request) -> Response:
    announcement = get_or_404(Announcement, request, request.path_params["pk"])
    return render(
        request,
        "announcements/detail.html",
        {"a": announcement, "badges": BADGES, "title": announcement.title},
    )


def create(request: Request) -> Response:
    ctx = request.state.ctx
    if request.method == "GET":
        values = dict.fromkeys(FIELDS, "")
        values.update(severity="info", starts_at=utcnow().strftime(DATETIME_INPUT))
        return _form(request, values, {})
    form = form_data(request)
    values = {name: str(form.get(name, "")).strip() for name in FIELDS}
    cleaned, errors = validate(values)
    if errors:
        return _form(request, values, errors, status_code=422)
    announcement = Announcement.create(org=ctx.org, created_by=ctx.user, **cleaned)
    flash(request, f"“{announcement.title}” is published.")
    return redirect(request, ctx.url("announcements:list") + _list_for(announcement))


def delete(request: Request) -> Response:
    ctx = request.state.ctx
    announcement = get_or_404(Announcement, request, request.path_params["pk"])
    if request.method == "GET":
        return render(
            request,
            "announcements/delete.html",
            {"a": announcement, "title": "Delete announcement"},
        )
    announcement.delete_instance()
    flash(request, f"“{announcement.title}” is deleted.")
    return redirect(request, ctx.url("announcements:list"))


def _form(
    request: Request, values: dict[str, str], errors: dict[str, str], *, status_code: int = 200
) -> Response:
    return render(
        request,
        "announcements/form.html",
        {"values": values, "errors": errors, "severities": SEVERITIES, "title": "New announcement"},
        status_code=status_code,
    )


def _list_for(announcement: Announcement) -> str:
    # After publishing, show the list the new announcement is in.
    status = announcement.status()
    return "" if status == "current" else f"?show={status}"


def _with_author(query: peewee.ModelSelect) -> peewee.ModelSelect:
    """``query`` with each row's author fetched in the same query."""
    return query.select_extend(User).join(
        User, peewee.JOIN.LEFT_OUTER, on=(Announcement.created_by == User.id)
    )


# --- Validation --------------------------------------------------------------------------------


def parse_when(text: str) -> datetime | None:
    """A date and time typed as ``2026-05-02T22:00`` (or with a space), read as UTC."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when.replace(second=0, microsecond=0)


def validate(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields to save, and a message for each field that is not valid."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {"title": values["title"], "body": values["body"]}
    if not values["title"]:
        errors["title"] = "Give the announcement a title."
    elif len(values["title"]) > 200:
        errors["title"] = "Keep the title under 200 characters."
    if len(values["body"]) > 10_000:
        errors["body"] = "Keep the text under 10,000 characters."
    if values["severity"] not in SEVERITIES:
        errors["severity"] = "Choose a kind of announcement."
    cleaned["severity"] = values["severity"]
    starts_at = parse_when(values["starts_at"])
    if starts_at is None:
        errors["starts_at"] = "Enter a date and time, such as 2026-05-02 22:00."
    cleaned["starts_at"] = starts_at
    cleaned["ends_at"] = None
    if values["ends_at"]:
        ends_at = parse_when(values["ends_at"])
        if ends_at is None:
            errors["ends_at"] = "Enter a date and time, or leave it empty to show it until deleted."
        elif starts_at is not None and ends_at <= starts_at:
            errors["ends_at"] = "The end must come after the start."
        cleaned["ends_at"] = ends_at
    return cleaned, errors


# --- Dashboard and search ----------------------------------------------------------------------


def dashboard_widget(ctx: RequestContext) -> Widget:
    current = list(Announcement.current(ctx.org).limit(WIDGET_LIMIT + 1))
    if current:
        items = Markup("").join(_widget_item(ctx, a) for a in current[:WIDGET_LIMIT])
        html = Markup('<ul class="stack">{}</ul>').format(items)
    else:
        html = Markup('<p class="muted">No service notices right now.</p>')
    more = "More announcements" if len(current) > WIDGET_LIMIT else "All announcements"
    html += Markup('<p><a href="{}">{} →</a></p>').format(ctx.url("announcements:list"), more)
    # An outage gets the full width of the dashboard.
    wide = any(a.severity == "outage" for a in current)
    return Widget(title="Announcements", html=html, order=10, width="wide" if wide else "normal")


def _widget_item(ctx: RequestContext, a: Announcement) -> Markup:
    until = ""
    if a.ends_at:
        until = Markup('<br><span class="muted">until {} UTC</span>').format(
            a.ends_at.strftime("%Y-%m-%d %H:%M")
        )
    return Markup('<li><span class="badge {}">{}</span> <a href="{}">{}</a>{}</li>').format(
        BADGES.get(a.severity, "badge-muted"),
        a.severity_label,
        ctx.url("announcements:detail", pk=a.id),
        a.title,
        until,
    )


def search(ctx: RequestContext, query: str, limit: int) -> list[SearchResult]:
    matches = (
        Announcement.in_org(ctx.org)
        .where(Announcement.title.contains(query) | Announcement.body.contains(query))
        .order_by(Announcement.starts_at.desc())
        .limit(limit)
    )
    needle = query.lower()
    return [
        SearchResult(
            title=a.title,
            url=ctx.url("announcements:detail", pk=a.id),
            kind=a.severity_label,
            snippet=_snippet(a.body, needle),
            # A hit in the title beats one in the text; current beats past.
            score=(2.0 if needle in a.title.lower() else 1.0)
            + (0.5 if a.status() == "current" else 0),
        )
        for a in matches
    ]


def _snippet(body: str, needle: str, width: int = 80) -> str:
    at = body.lower().find(needle)
    if at < 0:
        return body[:width] + ("…" if len(body) > width else "")
    start = max(0, at - width // 2)
    text = body[start : start + width]
    return ("…" if start else "") + text + ("…" if start + width < len(body) else "")
