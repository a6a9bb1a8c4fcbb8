"""Which components a service relies on: adding and removing links from the service page."""

from __future__ import annotations

from accord import (
    HTTPException,
    Request,
    Response,
    flash,
    form_data,
    get_or_404,
    redirect,
    render,
    wants_fragment,
)
from accord.inputs import integer

from ..models import Service, ServiceComponent, ServiceComponentLink
from .services import detail_context


def _answer(request: Request, service: Service, message: str) -> Response:
    # htmx swaps the components card in place; a plain form post goes back to the page.
    if wants_fragment(request):
        context = {**detail_context(request, service), "notice": message}
        return render(request, "catalogue/service.html", context, block="components")
    flash(request, message)
    return redirect(request, request.state.ctx.url("catalogue:service", pk=service.id))


def add(request: Request) -> Response:
    org = request.state.ctx.org
    service = get_or_404(Service, request, request.path_params["pk"])
    raw = str(form_data(request).get("component", ""))
    component = (
        ServiceComponent.in_org(org).where(ServiceComponent.id == (integer(raw) or 0)).first()
    )
    if component is None:
        raise HTTPException(422, "Choose one of this organisation's components.")
    exists = ServiceComponentLink.select().where(
        (ServiceComponentLink.service == service.id)
        & (ServiceComponentLink.component == component.id)
    )
    if not exists.exists():
        ServiceComponentLink.create(org=org, service=service, component=component)
    return _answer(request, service, f"{service.name} now relies on {component.name}.")


def remove(request: Request) -> Response:
    org = request.state.ctx.org
    service = get_or_404(Service, request, request.path_params["pk"])
    link = (
        ServiceComponentLink.in_org(org)
        .where(
            (ServiceComponentLink.id == request.path_params["link"])
            & (ServiceComponentLink.service == service.id)
        )
        .first()
    )
    if link is None:
        raise HTTPException(404)
    name = ServiceComponent.get_by_id(link.component_id).name
    link.delete_instance()
    return _answer(request, service, f"{service.name} no longer relies on {name}.")
