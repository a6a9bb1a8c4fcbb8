"""Pages reached from an email: "forgot your password", a reset link, an invitation link."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from accord import (
    account_links,
    flash,
    form_data,
    mail,
    redirect,
    render,
    sessions,
    throttle,
)
from accord.account_links import INVITE, RESET, LinkError
from accord.models import AccountToken, User

from .views import _source, after_password, signed_in_response

# Reset links asked for: three for one address from one place, then a wait that grows.
RESET_REQUESTS = throttle.Rules(
    max_failures=3,
    source_max_failures=10,
    first_wait=timedelta(minutes=15),
    max_wait=timedelta(hours=1),
    forget_after=timedelta(hours=1),
)


def forgot(request: Request) -> Response:
    """Ask for a reset link. The answer never says whether the address has an account."""
    settings = request.app.state.accord.settings
    context: dict[str, object] = {
        "email": "",
        "error": None,
        "mail_on": mail.configured(settings),
        "sent": False,
    }
    if request.method == "GET":
        return render(request, "auth/forgot.html", context)
    email = str(form_data(request).get("email", "")).strip().lower()
    context["email"] = email
    if "@" not in email:
        context["error"] = "Enter the email address you sign in with."
        return render(request, "auth/forgot.html", context, status_code=422)
    source = _source(request)
    wait = throttle.wait_for(RESET_REQUESTS, source, email, kind="reset")
    if wait:
        context["error"] = (
            "Too many reset links were asked for from your address. "
            f"Try again in {throttle.in_words(wait)}."
        )
        response = render(request, "auth/forgot.html", context, status_code=429)
        response.headers["Retry-After"] = str(throttle.retry_after(wait))
        return response
    # Every request counts, whether or not the address has an account.
    throttle.record_failure(RESET_REQUESTS, source, email, kind="reset")
    user = User.get_or_none(User.email == email)
    if context["mail_on"] and user is not None and user.is_active:
        account_links.email_reset_link(request, user, account_links.issue(RESET, user))
    context["sent"] = True
    return render(request, "auth/forgot.html", context)


def _password_form(
    request: Request, template: str, context: dict[str, object], status_code: int = 200
) -> Response:
    context.setdefault("errors", {})
    return render(request, template, context, status_code=status_code)


def _new_password(request: Request) -> tuple[str, dict[str, str]]:
    form = form_data(request)
    new = str(form.get("new_password", ""))
    errors: dict[str, str] = {}
    if new != str(form.get("confirm_password", "")):
        errors["confirm_password"] = "The two passwords differ."
    return new, errors


def reset(request: Request) -> Response:
    """Choose a new password through a reset link; every session of the account ends."""
    token = request.path_params["token"]
    try:
        link = account_links.find(RESET, token)
    except LinkError as exc:
        return render(request, "auth/link_invalid.html", {"error": str(exc)}, status_code=404)
    context: dict[str, object] = {"person": link.user, "token": token}
    if request.method == "GET":
        return _password_form(request, "auth/reset.html", context)
    new, errors = _new_password(request)
    if not errors:
        try:
            user = account_links.redeem(link, new)
        except LinkError as exc:
            errors["new_password"] = str(exc)
    if errors:
        context["errors"] = errors
        return _password_form(request, "auth/reset.html", context, status_code=422)
    sessions.end_all(user)
    return after_password(request, user, "/")


def invite(request: Request) -> Response:
    """Accept an invitation: a new address chooses its first password and is signed in; an
    existing account accepts it signed in as itself."""
    token = request.path_params["token"]
    try:
        link = account_links.find(INVITE, token)
    except LinkError as exc:
        return render(request, "auth/link_invalid.html", {"error": str(exc)}, status_code=404)
    if link.user.has_password:
        return _join(request, link, token)
    context: dict[str, object] = {"person": link.user, "invited_to": link.org, "token": token}
    if request.method == "GET":
        return _password_form(request, "auth/invite.html", context)
    new, errors = _new_password(request)
    if not errors:
        try:
            user = account_links.redeem(link, new)
        except LinkError as exc:
            errors["new_password"] = str(exc)
    if errors:
        context["errors"] = errors
        return _password_form(request, "auth/invite.html", context, status_code=422)
    return signed_in_response(
        request, user, f"/o/{link.org.slug}/", f"Welcome to {link.org.name}, {user.name}."
    )


def _join(request: Request, link: AccountToken, token: str) -> Response:
    """The invited address has an account: only that account, signed in, can accept."""
    signed_in_as = request.state.ctx.user
    context = {
        "link": link,
        "invited_to": link.org,
        "token": token,
        "signed_in_as": signed_in_as,
        "is_them": signed_in_as is not None and signed_in_as.id == link.user_id,
    }
    if request.method == "GET" or not context["is_them"]:
        status = 200 if request.method == "GET" else 403
        return render(request, "auth/invite_join.html", context, status_code=status)
    account_links.accept(link, signed_in_as)
    flash(request, f"You are now a member of {link.org.name}.")
    return redirect(request, f"/o/{link.org.slug}/")
