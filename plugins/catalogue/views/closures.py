"""A calendar's closures: the organisation's own closed days, added and removed."""

from __future__ import annotations

from accord import (
    HTTPException,
    Request,
    Response,
    confirm_page,
    emit,
    flash,
    form_data,
    get_or_404,
    redirect,
)

from ..forms import ClosureForm
from ..models import BusinessCalendar, Closure
from . import calendars


def add(request: Request) -> Response:
    ctx = request.state.ctx
    calendar = get_or_404(BusinessCalendar, request, request.path_params["pk"])
    form = ClosureForm(form_data(request), prefix="closure-")
    if not form.is_valid():
        return calendars.detail(request, closure_form=form)
    closure = Closure.create(org=ctx.org, calendar=calendar, **form.cleaned)
    emit(ctx.org, "catalogue.calendar_changed", {"calendar_id": calendar.id})
    flash(request, f"Closed for “{closure.reason}” from {closure.starts_on:%d %B %Y}.")
    return redirect(request, ctx.url("catalogue:calendar", pk=calendar.id))


def delete(request: Request) -> Response:
    ctx = request.state.ctx
    calendar = get_or_404(BusinessCalendar, request, request.path_params["pk"])
    closure = (
        Closure.in_org(ctx.org)
        .where((Closure.id == request.path_params["closure"]) & (Closure.calendar == calendar.id))
        .first()
    )
    if closure is None:
        raise HTTPException(404)
    url = ctx.url("catalogue:calendar", pk=calendar.id)
    if request.method == "GET":
        return confirm_page(
            request,
            f"Remove the closure “{closure.reason}”?",
            f"{calendar.name} will follow its usual hours from {closure.starts_on:%d %B %Y} "
            f"to {closure.ends_on:%d %B %Y}; SLA clocks that ran over those days change.",
            ctx.url("catalogue:closure_delete", pk=calendar.id, closure=closure.id),
            "Remove closure",
            cancel_url=url,
        )
    closure.delete_instance()
    emit(ctx.org, "catalogue.calendar_changed", {"calendar_id": calendar.id})
    flash(request, f"The closure “{closure.reason}” is removed.")
    return redirect(request, url)
