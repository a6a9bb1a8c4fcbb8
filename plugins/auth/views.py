"""Sign-in, sign-out, password change and organisation switching."""

from __future__ import annotations

from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import NoMatchFound

from accord import audit, flash, form_data, redirect, render, sessions, throttle, two_factor
from accord.audit import Actor, acting_as
from accord.clock import utcnow
from accord.models import User
from accord.security import hash_password, password_problem, verify_password


def _safe_next(target: str | None) -> str:
    # Only paths on this site: never an absolute URL or a protocol-relative one.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _landing(request: Request, slug: str) -> str:
    landing = request.app.state.accord.settings.get("server", "landing", "dashboard:index")
    try:
        return str(request.url_for(landing, org=slug).path)
    except NoMatchFound:  # the configured landing page's plugin is not loaded
        return f"/o/{slug}/settings/plugins"


def home(request: Request) -> Response:
    ctx = request.state.ctx
    if not ctx.memberships:
        return render(request, "auth/no_org.html")
    last = ctx.session.data.get("org")
    slug = last if any(m.org.slug == last for m in ctx.memberships) else ctx.memberships[0].org.slug
    return RedirectResponse(_landing(request, slug), status_code=303)


def org_home(request: Request) -> Response:
    ctx = request.state.ctx
    slug = request.path_params["org"]
    if not any(m.org.slug == slug for m in ctx.memberships):
        raise HTTPException(404)
    ctx.session.data = {**ctx.session.data, "org": slug}
    ctx.session.save(only=["data"])
    return RedirectResponse(_landing(request, slug), status_code=303)


def switch_org(request: Request) -> Response:
    slug = request.query_params.get("org", "")
    if slug not in {m.org.slug for m in request.state.ctx.memberships}:
        raise HTTPException(404)
    return redirect(request, f"/o/{slug}/")


def _source(request: Request) -> str:
    # uvicorn has already replaced the peer with X-Forwarded-For's client when the
    # peer is a trusted proxy (--forwarded-allow-ips), so this is the client's address.
    return request.client.host if request.client else "unknown"


def login(request: Request) -> Response:
    settings = request.app.state.accord.settings
    next_url = _safe_next(request.query_params.get("next"))
    if request.method == "GET":
        if request.state.ctx.user is not None:
            return RedirectResponse(next_url, status_code=303)
        return render(request, "auth/login.html", {"email": "", "error": None, "next": next_url})
    form = form_data(request)
    email = str(form.get("email", "")).strip().lower()
    password = str(form.get("password", ""))
    context = {"email": email, "next": next_url}
    rules, source = throttle.Rules.from_settings(settings), _source(request)
    wait = throttle.wait_for(rules, source, email)
    if wait:
        context["error"] = (
            f"Too many failed sign-ins from your address. Try again in {throttle.in_words(wait)}."
        )
        response = render(request, "auth/login.html", context, status_code=429)
        response.headers["Retry-After"] = str(throttle.retry_after(wait))
        return response
    user = User.get_or_none(User.email == email)
    # Verified even for an unknown email (against a dummy hash), so the time taken
    # does not tell which accounts exist.
    matches = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active or not matches:
        throttle.record_failure(rules, source, email)
        context["error"] = "That email and password do not match an account."
        return render(request, "auth/login.html", context, status_code=422)
    throttle.record_success(source, email)
    return after_password(request, user, next_url)


def after_password(request: Request, user: User, next_url: str) -> Response:
    """The password was right: sign in, or first ask for the second factor if it is on."""
    if not user.two_factor:
        return signed_in_response(request, user, next_url)
    settings = request.app.state.accord.settings
    response = RedirectResponse(f"/login/code?next={quote(next_url)}", status_code=303)
    response.set_cookie(
        sessions.PENDING_COOKIE,
        sessions.start_pending(settings, user),
        httponly=True,
        samesite="lax",
        secure=request.app.state.accord.secure_cookies,
        max_age=sessions.PENDING_MINUTES * 60,
    )
    return response


def signed_in_response(
    request: Request, user: User, next_url: str, message: str | None = None
) -> Response:
    """A new session for ``user`` and a redirect to ``next_url``, with ``message`` shown there."""
    settings = request.app.state.accord.settings
    token, session = sessions.start(user)
    if message:
        session.data = {"flash": [["success", message]]}
        session.save(only=["data"])
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.accord.secure_cookies,
        max_age=int(settings.get("sessions", "absolute_hours", 72)) * 3600,
    )
    response.delete_cookie(sessions.PENDING_COOKIE)
    return response


def second_step(request: Request) -> Response:
    """After the password, a code from the authenticator app or a recovery code."""
    settings = request.app.state.accord.settings
    next_url = _safe_next(request.query_params.get("next"))
    user = sessions.pending_user(settings, request.cookies.get(sessions.PENDING_COOKIE))
    if user is None:
        return RedirectResponse(f"/login?next={quote(next_url)}", status_code=303)
    context: dict[str, object] = {"next": next_url, "error": None}
    if request.method == "GET":
        return render(request, "auth/code.html", context)
    code = str(form_data(request).get("code", "")).strip()
    rules, source = throttle.Rules.from_settings(settings), _source(request)
    wait = throttle.wait_for(rules, source, user.email, kind="code")
    if wait:
        context["error"] = f"Too many wrong codes. Try again in {throttle.in_words(wait)}."
        response = render(request, "auth/code.html", context, status_code=429)
        response.headers["Retry-After"] = str(throttle.retry_after(wait))
        return response
    secret_key = settings.secret_key
    if two_factor.verify_code(secret_key, user, code):
        throttle.record_success(source, user.email, kind="code")
        return signed_in_response(request, user, next_url)
    if two_factor.use_recovery_code(user, code):
        throttle.record_success(source, user.email, kind="code")
        left = two_factor.recovery_codes_left(user)
        with acting_as(Actor(user, user.email)):
            audit.record(
                None,
                "user.recovery_code",
                f"{user.email} signed in with a recovery code ({left} left)",
                table="accord_user",
                record_id=user.id,
            )
        return signed_in_response(
            request,
            user,
            next_url,
            f"You signed in with a recovery code; {left} of them are left. "
            "Make new ones on your Account page if you are running out.",
        )
    throttle.record_failure(rules, source, user.email, kind="code")
    context["error"] = "That code is not right. Codes change every 30 seconds: try the newest."
    return render(request, "auth/code.html", context, status_code=422)


def logout(request: Request) -> Response:
    sessions.end(request.state.ctx.session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(sessions.COOKIE)
    return response


def change_password(request: Request) -> Response:
    ctx = request.state.ctx
    if request.method == "GET":
        return render(request, "auth/password.html", {"errors": {}})
    form = form_data(request)
    current = str(form.get("current_password", ""))
    new = str(form.get("new_password", ""))
    confirm = str(form.get("confirm_password", ""))
    errors: dict[str, str] = {}
    if not verify_password(ctx.user.password_hash, current):
        errors["current_password"] = "This is not your current password."
    problem = password_problem(new)
    if problem:
        errors["new_password"] = problem
    elif new != confirm:
        errors["confirm_password"] = "The two new passwords differ."
    if errors:
        return render(request, "auth/password.html", {"errors": errors}, status_code=422)
    ctx.user.password_hash = hash_password(new)
    ctx.user.password_changed_at = utcnow()
    ctx.user.save()
    ended = sessions.end_all(ctx.user, keep=ctx.session)
    others = f" {ended} other session(s) were signed out." if ended else ""
    flash(request, f"Your password has been changed.{others}")
    return redirect(request, "/account")
