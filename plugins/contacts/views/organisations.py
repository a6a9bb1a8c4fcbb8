"""Customer organisations: the lists, one organisation's page, its form, archiving."""

from __future__ import annotations

from peewee import fn

from accord import (
    Request,
    Response,
    StaleEdit,
    User,
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

from .. import lookups
from ..derived import COUNTED, refresh_organisations
from ..forms import InteractionForm, OrganisationForm
from ..models import CustomerOrganisation
from ..tables import ORGANISATIONS, organisations_query
from ..timeline import LIMIT as TIMELINE_LIMIT
from ..timeline import organisation_timeline
from .shared import (
    first_affiliations,
    model_values,
    organisation_form,
    organisation_interaction_form,
    organisation_people,
)

FORM_TEMPLATE = "contacts/form.html"
MAX_PEOPLE = 200
MAX_PARTS = 500  # departments listed under an organisation; more would be a data problem


def organisation_list(request: Request) -> Response:
    return _list(request, "active", "Organisations")


def archived_organisations(request: Request) -> Response:
    return _list(request, "archived", "Archived organisations")


def _list(request: Request, status: str, title: str) -> Response:
    ctx = request.state.ctx
    action = None
    if status == "active" and ctx.can("contacts.edit"):
        action = ("Add an organisation", ctx.url("contacts:organisation_new"))
    return render_table(
        request,
        ORGANISATIONS,
        organisations_query(ctx.org, status),
        template="contacts/organisations.html",
        context={"title": title, "status": status, "today": utcnow().date()},
        empty_action=action,
    )


def detail(request: Request) -> Response:
    organisation = get_or_404(CustomerOrganisation, request, request.path_params["pk"])
    return organisation_page(request, organisation)


def organisation_page(
    request: Request,
    organisation: CustomerOrganisation,
    *,
    log_form: InteractionForm | None = None,
    participants: list[int] | None = None,
    status_code: int = 200,
) -> Response:
    """The organisation's page; a timeline filter's htmx request gets only the timeline."""
    ctx = request.state.ctx
    # Some people by the (organisation, person) index, then by name: an organisation of
    # 100,000 people must not be sorted whole to show a page of them.
    people = first_affiliations(organisation.id, MAX_PEOPLE + 1)
    people.sort(key=lambda a: (a.person.last_name, a.person.first_name, a.person.id))
    # Narrowed by the parent's index, never the organisation's (see within_org).
    parts = CustomerOrganisation.within_org(ctx.org).where(
        CustomerOrganisation.parent == organisation.id
    )
    parent = None
    if organisation.parent_id is not None:
        parent = (
            CustomerOrganisation.in_org(ctx.org)
            .where(CustomerOrganisation.id == organisation.parent_id)
            .first()
        )
    context = {
        "title": organisation.name,
        "organisation": organisation,
        "parent": parent,
        "parts": list(parts.order_by(CustomerOrganisation.name).limit(MAX_PARTS)),
        "people": people[:MAX_PEOPLE],
        "more_people": len(people) > MAX_PEOPLE,
        "account_owner": User.get_or_none(User.id == organisation.account_owner_id),
        "timeline": organisation_timeline(request, organisation),
        "timeline_limit": TIMELINE_LIMIT,
        "timeline_url": ctx.url("contacts:organisation", pk=organisation.id),
        "today": utcnow().date(),
        "counted": COUNTED,
        "log_form": log_form or organisation_interaction_form(request, organisation),
        "log_people": organisation_people(organisation),
        "participants": set(participants or []),
    }
    block = "timeline" if "show" in request.query_params else None
    return render(
        request, "contacts/organisation.html", context, block=block, status_code=status_code
    )


def new(request: Request) -> Response:
    ctx = request.state.ctx
    page = {
        "title": "Add an organisation",
        "action": ctx.url("contacts:organisation_new"),
        "submit_label": "Add organisation",
        "cancel_url": ctx.url("contacts:organisations"),
        "template": FORM_TEMPLATE,
    }
    if request.method == "GET":
        return render_form(request, organisation_form(request), **page)
    form = organisation_form(request, form_data(request))
    if not form.is_valid() or not _unique_name(request, form):
        return render_form(request, form, **page)
    organisation = CustomerOrganisation.create(
        org=ctx.org, **model_values(CustomerOrganisation, form)
    )
    refresh_organisations([organisation.id])
    emit(ctx.org, "contacts.organisation.created", {"organisation_id": organisation.id})
    flash(request, f"{organisation.name} is added.")
    return redirect(request, ctx.url("contacts:organisation", pk=organisation.id))


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    organisation = get_or_404(CustomerOrganisation, request, request.path_params["pk"])
    url = ctx.url("contacts:organisation_edit", pk=organisation.id)
    back = ctx.url("contacts:organisation", pk=organisation.id)
    page = {"title": f"Edit {organisation.name}", "action": url, "cancel_url": back}
    if request.method == "GET":
        form = organisation_form(request, organisation=organisation)
        return render_form(request, form, template=FORM_TEMPLATE, **page)
    form = organisation_form(request, form_data(request), organisation=organisation)
    valid = form.is_valid() and _unique_name(request, form, organisation)
    if valid and _makes_a_cycle(organisation, form.cleaned.get("parent")):
        form.add_error("parent", f"{organisation.name} cannot be part of one of its own parts.")
        valid = False
    if not valid:
        return render_form(request, form, template=FORM_TEMPLATE, **page)
    changes = {**model_values(CustomerOrganisation, form), "updated_at": utcnow()}
    try:
        save_versioned(organisation, form.version, changes)
    except StaleEdit as stale:
        return conflict_response(request, stale, form, action=url, cancel_url=back)
    refresh_organisations([organisation.id])
    flash(request, f"{organisation.name} is saved.")
    return redirect(request, back)


def suggestions(request: Request) -> Response:
    """``<option>``s of organisations matching what is typed in an organisation field."""
    typed = next(iter(request.query_params.values()), "")[:200]
    found = lookups.organisation_suggestions(request.state.ctx.org, typed)
    return render(request, "contacts/_organisation_options.html", {"organisations": found})


def _unique_name(
    request: Request, form: OrganisationForm, organisation: CustomerOrganisation | None = None
) -> bool:
    name = form.cleaned["name"]
    same = CustomerOrganisation.in_org(request.state.ctx.org).where(
        fn.LOWER(CustomerOrganisation.name) == name.lower()
    )
    if organisation is not None:
        same = same.where(CustomerOrganisation.id != organisation.id)
    if same.exists():
        form.add_error("name", f"There is already an organisation called {name}.")
        return False
    return True


def _makes_a_cycle(organisation: CustomerOrganisation, parent_id: int | None) -> bool:
    seen = set()
    while parent_id is not None and parent_id not in seen:
        if parent_id == organisation.id:
            return True
        seen.add(parent_id)
        parent = CustomerOrganisation.get_or_none(CustomerOrganisation.id == parent_id)
        parent_id = parent.parent_id if parent is not None else None
    return False


def archive(request: Request) -> Response:
    return _set_status(request, "archived")


def unarchive(request: Request) -> Response:
    return _set_status(request, "active")


def _set_status(request: Request, status: str) -> Response:
    ctx = request.state.ctx
    organisation = get_or_404(CustomerOrganisation, request, request.path_params["pk"])
    back = ctx.url("contacts:organisation", pk=organisation.id)
    archiving = status == "archived"
    if organisation.status == status:
        return redirect(request, back)
    if request.method == "GET":
        message = (
            f"{organisation.name} will be hidden from the organisation lists and from the "
            "choices on forms. Its people, details and timeline are kept; you can restore it "
            "at any time."
            if archiving
            else f"{organisation.name} will appear in the organisation lists again."
        )
        verb = "archive" if archiving else "unarchive"
        return confirm_page(
            request,
            f"{'Archive' if archiving else 'Restore'} {organisation.name}?",
            message,
            ctx.url(f"contacts:organisation_{verb}", pk=organisation.id),
            "Archive" if archiving else "Restore",
            cancel_url=back,
            danger=archiving,
        )
    save_versioned(
        organisation,
        organisation.version,
        {"status": status, "archived_at": utcnow() if archiving else None, "updated_at": utcnow()},
    )
    flash(request, f"{organisation.name} is {'archived' if archiving else 'restored'}.")
    return redirect(request, back)
