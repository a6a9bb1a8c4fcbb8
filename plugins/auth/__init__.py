"""Sign-in, sign-out, passwords and the organisation switcher."""

from __future__ import annotations

from pathlib import Path

from accord import Page, hookimpl

from . import views


@hookimpl
def register_template_dir() -> Path:
    return Path(__file__).parent / "templates"


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/", views.home, name="home", scope="global"),
        Page(
            "/login", views.login, name="login", methods=("GET", "POST"), scope="public", once=False
        ),
        Page("/logout", views.logout, name="logout", methods=("POST",), scope="global"),
        Page(
            "/account/password",
            views.change_password,
            name="password",
            methods=("GET", "POST"),
            scope="global",
        ),
        Page("/switch", views.switch_org, name="switch", scope="global"),
        Page("/o/{org}/", views.org_home, name="org_home", scope="global"),
    ]
