"""Service categories: how the catalogue is grouped, for staff and customers."""

from __future__ import annotations

import peewee

from accord import (
    Request,
    Response,
    confirm_page,
    flash,
    form_data,
    get_or_404,
    redirect,
    render,
    render_form,
)

from ..forms import CategoryForm
from ..models import Service, ServiceCategory


def category_list(request: Request) -> Response:
    org = request.state.ctx.org
    count = peewee.fn.COUNT(Service.id)
    rows = (
        ServiceCategory.in_org(org)
        .select_extend(count.alias("service_count"))
        .join(Service, peewee.JOIN.LEFT_OUTER, on=(Service.category == ServiceCategory.id))
        .group_by(ServiceCategory.id)
        .order_by(ServiceCategory.position, ServiceCategory.name)
    )
    return render(
        request,
        "catalogue/categories.html",
        {"categories": list(rows), "title": "Service categories"},
    )


def _save(request: Request, category: ServiceCategory | None) -> Response:
    ctx = request.state.ctx
    if category is None:
        title, action = "New category", ctx.url("catalogue:category_new")
    else:
        title = f"Edit {category.name}"
        action = ctx.url("catalogue:category_edit", pk=category.id)
    cancel = ctx.url("catalogue:categories")
    if request.method == "GET":
        form = CategoryForm.from_instance(category) if category else CategoryForm()
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    form = CategoryForm(form_data(request))
    form.org, form.instance_id = ctx.org, category.id if category else None
    if not form.is_valid():
        return render_form(request, form, title=title, action=action, cancel_url=cancel)
    if category is None:
        category = ServiceCategory.create(org=ctx.org, **form.cleaned)
    else:
        for name, value in form.cleaned.items():
            setattr(category, name, value)
        category.save()
    flash(request, f"Category “{category.name}” is saved.")
    return redirect(request, cancel)


def create(request: Request) -> Response:
    return _save(request, None)


def edit(request: Request) -> Response:
    return _save(request, get_or_404(ServiceCategory, request, request.path_params["pk"]))


def delete(request: Request) -> Response:
    ctx = request.state.ctx
    category = get_or_404(ServiceCategory, request, request.path_params["pk"])
    if request.method == "GET":
        used = Service.select().where(Service.category == category.id).count()
        consequence = (
            f"Its {used} service{'s' if used != 1 else ''} will have no category."
            if used
            else "No service is in it."
        )
        return confirm_page(
            request,
            f"Delete the category {category.name}?",
            consequence,
            ctx.url("catalogue:category_delete", pk=category.id),
            "Delete category",
            cancel_url=ctx.url("catalogue:categories"),
        )
    category.delete_instance()
    flash(request, f"Category “{category.name}” is deleted.")
    return redirect(request, ctx.url("catalogue:categories"))
