"""The signed-in person's Account page: their password and two-factor sign-in."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from accord import flash, form_data, redirect, render, throttle, two_factor
from accord.security import verify_password

from .views import _source

# The key being set up lives in the (server-side) session until a code confirms it.
SETUP_KEY = "totp_setup"


def overview(request: Request) -> Response:
    user = request.state.ctx.user
    return render(
        request,
        "auth/account.html",
        {
            "title": "Your account",
            "codes_left": two_factor.recovery_codes_left(user) if user.two_factor else 0,
        },
    )


def _setup_page(request: Request, key: str, error: str | None, status_code: int = 200) -> Response:
    user = request.state.ctx.user
    return render(
        request,
        "auth/two_factor_on.html",
        {
            "title": "Turn on two-factor sign-in",
            "qr": two_factor.qr_svg(two_factor.setup_uri(user, key)),
            "key": two_factor.grouped(key),
            "error": error,
        },
        status_code=status_code,
    )


def turn_on(request: Request) -> Response:
    """Show a new key as a QR code and as text; a current code from the app switches it on."""
    ctx = request.state.ctx
    if ctx.user.two_factor:
        return redirect(request, "/account")
    key = ctx.session.data.get(SETUP_KEY)
    if request.method == "GET":
        if not key:
            key = two_factor.new_key()
            ctx.session.data = {**ctx.session.data, SETUP_KEY: key}
            ctx.session.save(only=["data"])
        return _setup_page(request, key, None)
    if not key:  # the session changed since the page was shown
        return redirect(request, "/account/two-factor")
    code = str(form_data(request).get("code", ""))
    codes = two_factor.turn_on(request.app.state.accord.settings.secret_key, ctx.user, key, code)
    if codes is None:
        return _setup_page(
            request,
            key,
            "That code does not match. Check the app shows Accord and type the newest code.",
            422,
        )
    ctx.session.data = {k: v for k, v in ctx.session.data.items() if k != SETUP_KEY}
    ctx.session.save(only=["data"])
    return _codes_page(request, codes, first=True)


def _codes_page(request: Request, codes: list[str], *, first: bool) -> Response:
    return render(
        request,
        "auth/recovery_codes.html",
        {"title": "Your recovery codes", "codes": codes, "first": first},
    )


def recovery_codes(request: Request) -> Response:
    """Make new recovery codes (the old ones stop working); asks for the password first."""
    user = request.state.ctx.user
    if not user.two_factor:
        return redirect(request, "/account")
    context: dict[str, object] = {"title": "New recovery codes", "errors": {}}
    if request.method == "GET":
        return render(request, "auth/recovery_new.html", context)
    if not verify_password(user.password_hash, str(form_data(request).get("password", ""))):
        context["errors"] = {"password": "This is not your password."}
        return render(request, "auth/recovery_new.html", context, status_code=422)
    return _codes_page(request, two_factor.new_recovery_codes(user), first=False)


def turn_off(request: Request) -> Response:
    """Switch two-factor off: needs the password and a code (or a recovery code)."""
    ctx = request.state.ctx
    user = ctx.user
    if not user.two_factor:
        return redirect(request, "/account")
    context: dict[str, object] = {"title": "Turn off two-factor sign-in", "errors": {}}
    if request.method == "GET":
        return render(request, "auth/two_factor_off.html", context)
    form = form_data(request)
    settings = request.app.state.accord.settings
    rules, source = throttle.Rules.from_settings(settings), _source(request)
    wait = throttle.wait_for(rules, source, user.email, kind="code")
    errors: dict[str, str] = {}
    if wait:
        errors["code"] = f"Too many wrong codes. Try again in {throttle.in_words(wait)}."
        return render(
            request, "auth/two_factor_off.html", {**context, "errors": errors}, status_code=429
        )
    if not verify_password(user.password_hash, str(form.get("password", ""))):
        errors["password"] = "This is not your password."
    code = str(form.get("code", ""))
    if not errors and not (
        two_factor.verify_code(settings.secret_key, user, code)
        or two_factor.use_recovery_code(user, code)
    ):
        throttle.record_failure(rules, source, user.email, kind="code")
        errors["code"] = "That code is not right: type the newest code from your app."
    if errors:
        return render(
            request, "auth/two_factor_off.html", {**context, "errors": errors}, status_code=422
        )
    two_factor.turn_off(user)
    flash(request, "Two-factor sign-in is off. Your password alone now signs you in.")
    return redirect(request, "/account")
