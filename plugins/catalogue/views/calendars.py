"""Business-hours calendars: the list, a week at a glance, creating and editing one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord import (
    Column,
    Request,
    Response,
    StaleEdit,
    Table,
    confirm_page,
    conflict_response,
    emit,
    flash,
    form_data,
    get_or_404,
    redirect,
    render,
    render_form,
    render_table,
    save_versioned,
    utcnow,
)

from ..api import calendar_spec
from ..forms import CalendarForm, ClosureForm
from ..hours import WEEKDAYS, BusinessHours, public_holidays
from ..models import BusinessCalendar, Closure, Service
from ..wording import holidays_words, week_words, windows_words

HOLIDAYS_SHOWN = 12

CALENDARS = Table(
    BusinessCalendar,
    [
        Column(
            "Calendar",
            "name",
            sortable=True,
            link=lambda url, c: url("catalogue:calendar", pk=c.id),
        ),
        Column("Time zone", "timezone", sortable=True),
        Column("Hours", accessor=lambda c: "; ".join(week_words(c.week))),
        Column("Public holidays of", accessor=lambda c: holidays_words(c.country, c.subdivision)),
    ],
    search=["name", "timezone"],
    sort="name",
    filename="business-calendars",
    empty_message="No business-hours calendars yet.",
    search_label="Search calendars",
)


def calendar_list(request: Request) -> Response:
    ctx = request.state.ctx
    action = (
        ("New calendar", ctx.url("catalogue:calendar_new")) if ctx.can("catalogue.manage") else None
    )
    return render_table(
        request,
        CALENDARS,
        BusinessCalendar.in_org(ctx.org),
        "catalogue/calendars.html",
        {"title": "Business-hours calendars"},
        empty_action=action,
    )


def _calendar(request: Request) -> BusinessCalendar:
    return get_or_404(BusinessCalendar, request, request.path_params["pk"])


def _monday(request: Request, hours: BusinessHours) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.query_params.get("week", ""))
    except ValueError:
        day = hours.local(utcnow()).date()
    return day - dt.timedelta(days=day.weekday())


def week(hours: BusinessHours, monday: dt.date) -> list[dict[str, Any]]:
    """Each day of the week starting ``monday``: its hours or why it is closed, and bars."""
    days = []
    for offset in range(7):
        plan = hours.day(monday + dt.timedelta(days=offset))
        days.append(
            {
                "name": WEEKDAYS[offset],
                "plan": plan,
                "text": windows_words(plan.windows) if plan.is_open else plan.reason,
                # Each bar's left edge and width as a percentage of the day.
                "bars": [(s / 14.4, (e - s) / 14.4) for s, e in plan.windows],
            }
        )
    return days


def upcoming_holidays(calendar: BusinessCalendar, today: dt.date) -> list[tuple[dt.date, str]]:
    found = []
    for year in (today.year, today.year + 1):
        found += sorted(public_holidays(calendar.country, calendar.subdivision, year).items())
    return [(d, name) for d, name in found if d >= today][:HOLIDAYS_SHOWN]


def detail(request: Request, closure_form: ClosureForm | None = None) -> Response:
    ctx = request.state.ctx
    calendar = _calendar(request)
    hours = BusinessHours(calendar_spec(calendar))
    today = hours.local(utcnow()).date()
    monday = _monday(request, hours)
    closures = Closure.in_org(ctx.org).where(
        (Closure.calendar == calendar.id) & (Closure.ends_on >= today)
    )
    days = week(hours, monday)
    context = {
        "calendar": calendar,
        "title": calendar.name,
        "week": days,
        "monday": monday,
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
        "week_minutes": sum(day["plan"].minutes for day in days),
        "today": today,
        "pattern": week_words(calendar.week),
        "holidays_of": holidays_words(calendar.country, calendar.subdivision),
        "holidays": upcoming_holidays(calendar, today),
        "closures": list(closures.order_by(Closure.starts_on)),
        "services": list(
            Service.in_org(ctx.org).where(Service.calendar == calendar.id).order_by(Service.name)
        ),
        "closure_form": closure_form or ClosureForm(prefix="closure-"),
    }
    status = closure_form.status_code if closure_form else 200
    return render(request, "catalogue/calendar.html", context, block="week", status_code=status)


OFFICE = {day: "08:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}


def _save(request: Request, calendar: BusinessCalendar | None) -> Response:
    ctx = request.state.ctx
    if calendar is None:
        title, action = "New calendar", ctx.url("catalogue:calendar_new")
        cancel = ctx.url("catalogue:calendars")
    else:
        title = f"Edit {calendar.name}"
        action = ctx.url("catalogue:calendar_edit", pk=calendar.id)
        cancel = ctx.url("catalogue:calendar", pk=calendar.id)
    if request.method == "GET":
        form = CalendarForm.from_instance(calendar) if calendar else CalendarForm(initial=OFFICE)
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    form = CalendarForm(form_data(request))
    if not form.is_valid():
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    if calendar is None:
        calendar = BusinessCalendar.create(org=ctx.org, **form.cleaned)
    else:
        try:
            save_versioned(calendar, form.version, form.cleaned)
        except StaleEdit as stale:
            return conflict_response(request, stale, form, action=action, cancel_url=cancel)
        emit(ctx.org, "catalogue.calendar_changed", {"calendar_id": calendar.id})
    flash(request, f"Calendar “{calendar.name}” is saved.")
    return redirect(request, ctx.url("catalogue:calendar", pk=calendar.id))


def create(request: Request) -> Response:
    return _save(request, None)


def edit(request: Request) -> Response:
    return _save(request, _calendar(request))


def delete(request: Request) -> Response:
    ctx = request.state.ctx
    calendar = _calendar(request)
    url = ctx.url("catalogue:calendar", pk=calendar.id)
    used = Service.select().where(Service.calendar == calendar.id).count()
    if used:
        flash(
            request,
            f"“{calendar.name}” is the business hours of {used} service"
            f"{'s' if used != 1 else ''}; give them another calendar first.",
            "error",
        )
        return redirect(request, url)
    if request.method == "GET":
        return confirm_page(
            request,
            f"Delete the calendar {calendar.name}?",
            "Its closures are deleted with it. No service uses it.",
            ctx.url("catalogue:calendar_delete", pk=calendar.id),
            "Delete calendar",
            cancel_url=url,
        )
    calendar.delete_instance()
    flash(request, f"Calendar “{calendar.name}” is deleted.")
    return redirect(request, ctx.url("catalogue:calendars"))
