"""Error pages. A ``trylast`` fallback: any plugin may render its own instead."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse

from accord import hookimpl


@hookimpl
def register_template_dir() -> Path:
    return Path(__file__).parent / "templates"


@hookimpl(trylast=True)
def render_error(request: Request, status_code: int, message: str) -> HTMLResponse:
    # Rendered without the menu or the session: an error page must work when
    # the database does not, and must not run plugin code that might fail again.
    env = request.app.state.accord.templates
    ctx = getattr(request.state, "ctx", None)
    html = env.get_template("errors/error.html").render(
        status_code=status_code,
        message=message,
        signed_in=bool(ctx and ctx.user),
        static=lambda path: f"/static/{path}",
    )
    return HTMLResponse(html, status_code=status_code)
