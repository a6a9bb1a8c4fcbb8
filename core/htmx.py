"""Everything that knows htmx's headers lives here."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

REQUEST = "HX-Request"
REQUEST_TYPE = "HX-Request-Type"  # htmx 4: "full" or "partial"
BOOSTED = "HX-Boosted"
HISTORY_RESTORE = "HX-History-Restore-Request"
REDIRECT = "HX-Redirect"
CURRENT_URL = "HX-Current-URL"  # the page an htmx request was sent from
CSRF_HEADER = "X-CSRF-Token"
# What RedirectResponse leaves as it is in a Location header.
URL_SAFE = ":/%#?=@[]!$&'()*+,;"


def is_htmx(request: Request) -> bool:
    return request.headers.get(REQUEST) == "true"


def wants_fragment(request: Request) -> bool:
    """True when htmx asked for part of a page rather than a whole one.

    htmx 4 says so itself: ``HX-Request-Type`` is "full" for boosted
    requests, history restores and ``hx-select``, "partial" otherwise.
    """
    h = request.headers
    return h.get(REQUEST) == "true" and h.get(REQUEST_TYPE) == "partial"


def add_vary(response: Response) -> Response:
    vary = response.headers.get("Vary")
    if not vary or REQUEST_TYPE not in vary:
        response.headers["Vary"] = f"{vary}, {REQUEST_TYPE}" if vary else REQUEST_TYPE
    return response


def redirect(request: Request, url: str) -> Response:
    """Send the browser to ``url``: a 303, or for htmx a full-page redirect."""
    if is_htmx(request):
        # Percent-encoded as Starlette encodes a Location: a CR or LF from user input
        # in a header would make the server drop the connection.
        return Response(status_code=204, headers={REDIRECT: quote(url, safe=URL_SAFE)})
    return RedirectResponse(url, status_code=303)
