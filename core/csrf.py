"""CSRF tokens bound to the browser's session, or to an anonymous cookie before sign-in."""

from __future__ import annotations

from starlette.requests import Request

from . import sessions
from .security import csrf_token, new_token


def binding(request: Request) -> str:
    """What this browser's token is bound to; creates the anonymous cookie value if needed."""
    ctx = getattr(request.state, "ctx", None)
    if ctx is not None and ctx.session is not None:
        return str(ctx.session.token_hash)
    token = request.cookies.get(sessions.ANON_COOKIE) or getattr(request.state, "anon_token", None)
    if not token:
        token = new_token()
        request.state.anon_token = token
    return token


def token_for(request: Request) -> str:
    return csrf_token(request.app.state.accord.settings.secret_key, binding(request))
