"""Sign-in (with an optional second factor), sign-out, the Account page, links from emails
(invitations, password resets) and the organisation switcher."""

from __future__ import annotations

from pathlib import Path

from accord import Page, hookimpl

from . import account, links, views


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
        Page(
            "/login/code",
            views.second_step,
            name="code",
            methods=("GET", "POST"),
            scope="public",
            once=False,
        ),
        Page("/logout", views.logout, name="logout", methods=("POST",), scope="global"),
        # Links from emails, and asking for one.
        Page("/login/forgot", links.forgot, name="forgot", methods=("GET", "POST"), scope="public"),
        Page("/reset/{token}", links.reset, name="reset", methods=("GET", "POST"), scope="public"),
        Page(
            "/invite/{token}", links.invite, name="invite", methods=("GET", "POST"), scope="public"
        ),
        # The signed-in person's own account: password and two-factor sign-in.
        Page("/account", account.overview, name="account", scope="global"),
        Page(
            "/account/password",
            views.change_password,
            name="password",
            methods=("GET", "POST"),
            scope="global",
        ),
        Page(
            "/account/two-factor",
            account.turn_on,
            name="two_factor_on",
            methods=("GET", "POST"),
            scope="global",
        ),
        Page(
            "/account/two-factor/off",
            account.turn_off,
            name="two_factor_off",
            methods=("GET", "POST"),
            scope="global",
        ),
        Page(
            "/account/two-factor/recovery-codes",
            account.recovery_codes,
            name="recovery_codes",
            methods=("GET", "POST"),
            scope="global",
        ),
        Page("/switch", views.switch_org, name="switch", scope="global"),
        Page("/o/{org}/", views.org_home, name="org_home", scope="global"),
    ]
