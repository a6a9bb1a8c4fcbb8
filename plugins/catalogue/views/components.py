"""Service components: what services rely on, and which services each one supports."""

from __future__ import annotations

from accord import (
    Column,
    Filter,
    Request,
    Response,
    StaleEdit,
    Table,
    audit_timeline,
    confirm_page,
    conflict_response,
    flash,
    form_data,
    get_or_404,
    redirect,
    render,
    render_form,
    render_table,
    save_versioned,
)

from ..forms import ComponentForm
from ..models import COMPONENT_KINDS, Service, ServiceComponent, ServiceComponentLink

COMPONENTS = Table(
    ServiceComponent,
    [
        Column(
            "Component",
            "name",
            sortable=True,
            link=lambda url, c: url("catalogue:component", pk=c.id),
        ),
        Column("Kind", accessor=lambda c: c.kind_label),
        Column("Description", "description"),
    ],
    search=["name", "description"],
    filters=[Filter("kind", "Kind", list(COMPONENT_KINDS.items()))],
    sort="name",
    filename="service-components",
    empty_message="No components yet: add the applications, servers, networks and licence "
    "pools your services rely on.",
    search_label="Search components",
)


def component_list(request: Request) -> Response:
    ctx = request.state.ctx
    action = (
        ("New component", ctx.url("catalogue:component_new"))
        if ctx.can("catalogue.manage")
        else None
    )
    return render_table(
        request,
        COMPONENTS,
        ServiceComponent.in_org(ctx.org),
        "catalogue/components.html",
        {"title": "Service components"},
        empty_action=action,
    )


def _component(request: Request) -> ServiceComponent:
    return get_or_404(ServiceComponent, request, request.path_params["pk"])


def detail(request: Request) -> Response:
    component = _component(request)
    services = (
        Service.in_org(request.state.ctx.org)
        .join(ServiceComponentLink, on=(ServiceComponentLink.service == Service.id))
        .where(ServiceComponentLink.component == component.id)
        .order_by(Service.name)
    )
    return render(
        request,
        "catalogue/component.html",
        {
            "component": component,
            "services": list(services),
            "timeline": audit_timeline(component, limit=20),
            "title": component.name,
        },
    )


def create(request: Request) -> Response:
    ctx = request.state.ctx
    action, cancel = ctx.url("catalogue:component_new"), ctx.url("catalogue:components")
    form = ComponentForm(form_data(request)) if request.method == "POST" else ComponentForm()
    if not form.is_valid():
        return render_form(request, form, title="New component", action=action, cancel_url=cancel)
    component = ServiceComponent.create(org=ctx.org, **form.cleaned)
    flash(request, f"Component “{component.name}” is saved.")
    return redirect(request, ctx.url("catalogue:component", pk=component.id))


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    component = _component(request)
    title = f"Edit {component.name}"
    action = ctx.url("catalogue:component_edit", pk=component.id)
    cancel = ctx.url("catalogue:component", pk=component.id)
    if request.method == "GET":
        form = ComponentForm.from_instance(component)
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    form = ComponentForm(form_data(request))
    if not form.is_valid():
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    try:
        save_versioned(component, form.version, form.cleaned)
    except StaleEdit as stale:
        return conflict_response(request, stale, form, action=action, cancel_url=cancel)
    flash(request, f"Component “{component.name}” is saved.")
    return redirect(request, cancel)


def delete(request: Request) -> Response:
    ctx = request.state.ctx
    component = _component(request)
    if request.method == "GET":
        used = (
            ServiceComponentLink.select()
            .where(ServiceComponentLink.component == component.id)
            .count()
        )
        return confirm_page(
            request,
            f"Delete {component.name}?",
            f"It supports {used} service{'s' if used != 1 else ''}; those links go with it. "
            "Anything other plugins recorded against it (capacity measurements) may go too.",
            ctx.url("catalogue:component_delete", pk=component.id),
            "Delete component",
            cancel_url=ctx.url("catalogue:component", pk=component.id),
        )
    component.delete_instance()
    flash(request, f"Component “{component.name}” is deleted.")
    return redirect(request, ctx.url("catalogue:components"))
