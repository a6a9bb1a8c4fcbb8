"""The notifications page: newest first, a page at a time; mark one or all read."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from accord import HTTPException, flash, notifications, redirect, render

PER_PAGE = 25


def _page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


def index(request: Request) -> Response:
    ctx = request.state.ctx
    page = _page_number(request)
    # One more than shown tells whether an older page exists.
    rows = list(
        notifications.of(ctx.org, ctx.user).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
    )
    unread = notifications.unread_count(ctx.org, ctx.user)
    return render(
        request,
        "notifications/index.html",
        {
            "title": "Notifications",
            "notifications": rows[:PER_PAGE],
            "page": page,
            "has_older": len(rows) > PER_PAGE,
            "unread": unread,
            "unread_shown": notifications.shown(unread),
            "zone": str(ctx.org.zone),
        },
    )


def _back(request: Request) -> str:
    # Back to the page of the list the person was on.
    page = _page_number(request)
    base = request.state.ctx.url("notifications:index")
    return base if page == 1 else f"{base}?page={page}"


def open_one(request: Request) -> Response:
    """Follow a notification to its record; following it is reading it."""
    ctx = request.state.ctx
    found = (
        notifications.of(ctx.org, ctx.user)
        .where(notifications.Notification.id == request.path_params["pk"])
        .first()
    )
    if found is None:
        raise HTTPException(404)
    notifications.mark_read(ctx.org, ctx.user, found.id)
    target = str(found.url)
    # Only a path of this site: a notification never sends anyone elsewhere.
    if not target.startswith("/") or target.startswith("//"):
        target = ctx.url("notifications:index")
    return redirect(request, target)


def read_one(request: Request) -> Response:
    ctx = request.state.ctx
    if not notifications.mark_read(ctx.org, ctx.user, request.path_params["pk"]):
        # Someone else's, another organisation's, or already read: only the last is fine.
        exists = notifications.of(ctx.org, ctx.user).where(
            notifications.Notification.id == request.path_params["pk"]
        )
        if not exists.exists():
            raise HTTPException(404)
    return redirect(request, _back(request))


def read_all(request: Request) -> Response:
    ctx = request.state.ctx
    count = notifications.mark_read(ctx.org, ctx.user)
    flash(request, f"{count} notification{'' if count == 1 else 's'} marked read.")
    return redirect(request, _back(request))
