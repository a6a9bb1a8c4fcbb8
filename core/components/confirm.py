"""Confirmation pages for destructive actions, so nothing is deleted by one stray click."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from ..templating import render


def _same_site_referer(request: Request) -> str | None:
    referer = urlsplit(str(request.headers.get("referer", "")))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
        return None
    return str(referer.path) + (f"?{referer.query}" if referer.query else "")


def confirm_page(
    request: Request,
    title: str,
    message: str,
    action_url: str,
    button_label: str,
    *,
    cancel_url: str | None = None,
    danger: bool = True,
) -> Response:
    """A page asking "are you sure?" whose button POSTs to ``action_url``.

    Serve it on GET of the destructive route and do the work on POST; with
    JavaScript, ``data-confirm`` on the button skips this page. ``cancel_url``
    defaults to the page the user came from, when it is on this site.
    """
    context = {
        "title": title,
        "message": message,
        "action": action_url,
        "button_label": button_label,
        "cancel_url": cancel_url or _same_site_referer(request),
        "danger": danger,
    }
    return render(request, "components/confirm.html", context, block="confirm")
