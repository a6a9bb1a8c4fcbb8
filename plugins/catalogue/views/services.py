"""Services: the list, one service, creating, editing and retiring one."""

from __future__ import annotations

import peewee

from accord import (
    Column,
    Filter,
    Request,
    Response,
    StaleEdit,
    Table,
    User,
    audit_timeline,
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
)

from .. import choices
from ..api import service_levels
from ..forms import ServiceForm
from ..models import (
    PRIORITIES,
    STATUSES,
    BusinessCalendar,
    Service,
    ServiceCategory,
    ServiceComponent,
    ServiceComponentLink,
)
from ..wording import duration_words, holidays_words, week_words


def _org_choices(pick):
    return lambda request: pick(request.state.ctx.org)


SERVICES = Table(
    Service,
    [
        Column(
            "Service",
            "name",
            sortable=True,
            link=lambda url, s: url("catalogue:service", pk=s.id),
        ),
        Column("Code", "code", sortable=True),
        Column("Category", accessor=lambda s: s.category.name if s.category_id else ""),
        Column("Owner", accessor=lambda s: s.owner.name if s.owner_id else ""),
        Column("Status", "status", sortable=True, template="catalogue/_status_cell.html"),
        Column("Requestable", "requestable"),
    ],
    search=["name", "code", "summary"],
    filters=[
        Filter(
            "category",
            "Category",
            _org_choices(choices.categories),
            where=lambda v: Service.category == int(v),
        ),
        Filter("status", "Status", list(STATUSES.items())),
        Filter(
            "owner", "Owner", _org_choices(choices.staff), where=lambda v: Service.owner == int(v)
        ),
    ],
    sort="name",
    filename="services",
    empty_message="No services in the catalogue yet.",
    search_label="Search services",
)


def with_category_and_owner(query: peewee.ModelSelect) -> peewee.ModelSelect:
    """``query`` of services with each one's category and owner fetched in the same query."""
    return (
        query.select_extend(ServiceCategory.id, ServiceCategory.name, User.id, User.name)
        .join(ServiceCategory, peewee.JOIN.LEFT_OUTER, on=(Service.category == ServiceCategory.id))
        .switch(Service)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(Service.owner == User.id))
    )


def service_list(request: Request) -> Response:
    ctx = request.state.ctx
    query = with_category_and_owner(Service.in_org(ctx.org))
    action = (
        ("New service", ctx.url("catalogue:service_new")) if ctx.can("catalogue.manage") else None
    )
    return render_table(
        request,
        SERVICES,
        query,
        "catalogue/services.html",
        {"title": "Services"},
        empty_action=action,
    )


def _service(request: Request) -> Service:
    return get_or_404(Service, request, request.path_params["pk"])


def detail_context(request: Request, service: Service) -> dict:
    """What the service page shows; the components block is re-rendered on its own."""
    org = request.state.ctx.org
    levels = service_levels(service)
    links = list(
        ServiceComponentLink.in_org(org)
        .select_extend(ServiceComponent)
        .join(ServiceComponent)
        .where(ServiceComponentLink.service == service.id)
        .order_by(ServiceComponent.name)
    )
    calendar = (
        BusinessCalendar.in_org(org).where(BusinessCalendar.id == service.calendar_id).first()
        if service.calendar_id
        else None
    )
    return {
        "service": service,
        "title": service.name,
        "levels": [(p, name, levels.get(p)) for p, name in PRIORITIES.items()],
        "duration": duration_words,
        "manage": request.state.ctx.can("catalogue.manage"),
        "links": links,
        "addable": choices.components(org, excluding={link.component_id for link in links}),
        "calendar": calendar,
        "calendar_week": week_words(calendar.week) if calendar else [],
        "calendar_holidays": (
            holidays_words(calendar.country, calendar.subdivision) if calendar else ""
        ),
        "owner": User.get_or_none(User.id == service.owner_id) if service.owner_id else None,
        "category": (
            ServiceCategory.get_or_none(ServiceCategory.id == service.category_id)
            if service.category_id
            else None
        ),
        "timeline": audit_timeline(service, limit=20),
    }


def detail(request: Request) -> Response:
    service = _service(request)
    return render(request, "catalogue/service.html", detail_context(request, service))


def _prepared(request: Request, form: ServiceForm, service: Service | None = None) -> ServiceForm:
    org = request.state.ctx.org
    form.org, form.instance_id = org, service.id if service else None
    form.fields["category"].choices = choices.categories(org)
    form.fields["owner"].choices = choices.staff(org)
    form.fields["calendar"].choices = choices.calendars(org)
    if not form.fields["calendar"].choices:  # say why the picker is empty, and what to do
        form.fields["calendar"].hint = (
            "There is no business-hours calendar yet, so service levels count around the "
            "clock. Add one under Business hours to stop the clocks outside working hours."
        )
    return form


def create(request: Request) -> Response:
    ctx = request.state.ctx
    action, cancel = ctx.url("catalogue:service_new"), ctx.url("catalogue:services")
    if request.method == "GET":
        form = _prepared(request, ServiceForm(initial={"owner": ctx.user.id}))
        return render_form(request, form, title="New service", action=action, cancel_url=cancel)
    form = _prepared(request, ServiceForm(form_data(request)))
    if not form.is_valid():
        return render_form(request, form, title="New service", action=action, cancel_url=cancel)
    service = Service.create(org=ctx.org, **form.cleaned)
    flash(request, f"“{service.name}” is in the catalogue.")
    return redirect(request, ctx.url("catalogue:service", pk=service.id))


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    service = _service(request)
    title = f"Edit {service.name}"
    action = ctx.url("catalogue:service_edit", pk=service.id)
    cancel = ctx.url("catalogue:service", pk=service.id)
    if request.method == "GET":
        form = _prepared(request, ServiceForm.from_instance(service), service)
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    form = _prepared(request, ServiceForm(form_data(request)), service)
    if not form.is_valid():
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    was = service.status
    try:
        save_versioned(service, form.version, form.cleaned)
    except StaleEdit as stale:
        return conflict_response(request, stale, form, action=action, cancel_url=cancel)
    if was != service.status:
        emit(ctx.org, "catalogue.service_status_changed", _status_event(service, was))
    flash(request, f"“{service.name}” is saved.")
    return redirect(request, cancel)


def retire(request: Request) -> Response:
    ctx = request.state.ctx
    service = _service(request)
    url = ctx.url("catalogue:service", pk=service.id)
    if request.method == "GET":
        return confirm_page(
            request,
            f"Retire {service.name}?",
            "A retired service leaves the customer catalogue and can no longer be requested. "
            "Its record, levels and history stay, and you can make it live again by editing it.",
            ctx.url("catalogue:service_retire", pk=service.id),
            "Retire service",
            cancel_url=url,
        )
    if service.status != "retired":
        was = service.status
        service.status, service.requestable = "retired", False
        service.save()
        emit(ctx.org, "catalogue.service_status_changed", _status_event(service, was))
        flash(request, f"“{service.name}” is retired.")
    return redirect(request, url)


def _status_event(service: Service, was: str) -> dict:
    return {"service_id": service.id, "from": was, "to": service.status}
