"""People: the lists, a person's page, the forms that add and edit one, archiving."""

from __future__ import annotations

from accord import (
    Request,
    Response,
    StaleEdit,
    confirm_page,
    conflict_response,
    emit,
    flash,
    form_data,
    get_or_404,
    redirect,
    render_form,
    render_table,
    save_versioned,
    utcnow,
)

from ..derived import refresh_people, set_tags
from ..details import details_of, record_changes, set_details
from ..models import Affiliation, CustomerOrganisation, Person
from ..tables import PEOPLE, people_query, with_consent
from .person_page import person_page
from .shared import model_values, person_form

FORM_TEMPLATE = "contacts/form.html"


def index(request: Request) -> Response:
    return redirect(request, request.state.ctx.url("contacts:people"))


def people_list(request: Request) -> Response:
    return _list(request, "active", "People")


def archived_people(request: Request) -> Response:
    return _list(request, "archived", "Archived people")


def _list(request: Request, status: str, title: str) -> Response:
    ctx = request.state.ctx
    action = None
    if status == "active" and ctx.can("contacts.edit"):
        action = ("Add a person", ctx.url("contacts:person_new"))
    query = people_query(ctx.org, status)
    if request.query_params.get("format") == "csv":
        query = with_consent(query)  # the export carries what the import reads, consent too
    return render_table(
        request,
        PEOPLE,
        query,
        template="contacts/people.html",
        context={"title": title, "status": status, "today": utcnow().date()},
        empty_action=action,
    )


def detail(request: Request) -> Response:
    person = get_or_404(Person, request, request.path_params["pk"])
    if person.merged_into_id:
        flash(request, f"{person.full_name} was merged into this person.", "info")
        return redirect(request, request.state.ctx.url("contacts:person", pk=person.merged_into_id))
    return person_page(request, person)


def new(request: Request) -> Response:
    ctx = request.state.ctx
    page = {
        "title": "Add a person",
        "action": ctx.url("contacts:person_new"),
        "submit_label": "Add person",
    }
    cancel = ctx.url("contacts:people")
    if request.method == "GET":
        form = person_form(request)
        return render_form(request, form, cancel_url=cancel, template=FORM_TEMPLATE, **page)
    form = person_form(request, form_data(request))
    if not form.is_valid():
        return render_form(request, form, cancel_url=cancel, template=FORM_TEMPLATE, **page)
    person = Person.create(org=ctx.org, **model_values(Person, form))
    set_details(person, form.cleaned["details"])
    organisation = form.cleaned.get("organisation")
    if organisation:
        Affiliation.create(
            org=ctx.org,
            person=person,
            organisation=CustomerOrganisation.get_in_org(ctx.org, organisation),
            role=form.cleaned.get("role") or "",
            is_primary=True,
        )
    set_tags(person, form.cleaned.get("tag_names") or [])
    refresh_people([person.id])
    emit(ctx.org, "contacts.person.created", {"person_id": person.id, "name": person.full_name})
    flash(request, f"{person.full_name} is added.")
    return redirect(request, ctx.url("contacts:person", pk=person.id))


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    person = get_or_404(Person, request, request.path_params["pk"])
    url = ctx.url("contacts:person_edit", pk=person.id)
    cancel = ctx.url("contacts:person", pk=person.id)
    page = {"title": f"Edit {person.full_name}", "action": url}
    if request.method == "GET":
        form = person_form(request, person=person)
        return render_form(request, form, cancel_url=cancel, template=FORM_TEMPLATE, **page)
    form = person_form(request, form_data(request), person=person)
    if not form.is_valid():
        return render_form(request, form, cancel_url=cancel, template=FORM_TEMPLATE, **page)
    # Email and phone follow the details (set_details), whose change is audited as a whole.
    changes = {**model_values(Person, form), "updated_at": utcnow()}
    del changes["email"], changes["phone"]
    try:
        save_versioned(person, form.version, changes)
    except StaleEdit as stale:
        return conflict_response(request, stale, form, action=url, cancel_url=cancel)
    before = details_of(person)
    set_details(person, form.cleaned["details"])
    record_changes(person, before, details_of(person))
    set_tags(person, form.cleaned.get("tag_names") or [])
    refresh_people([person.id])
    flash(request, f"{person.full_name} is saved.")
    return redirect(request, cancel)


def archive(request: Request) -> Response:
    return _set_status(request, "archived")


def unarchive(request: Request) -> Response:
    return _set_status(request, "active")


def _set_status(request: Request, status: str) -> Response:
    ctx = request.state.ctx
    person = get_or_404(Person, request, request.path_params["pk"])
    back = ctx.url("contacts:person", pk=person.id)
    archiving = status == "archived"
    if person.status == status:
        return redirect(request, back)
    if request.method == "GET":
        if archiving:
            message = (
                f"{person.full_name} will be hidden from the people lists and from new "
                "interactions' choices. Their details, organisations and timeline are kept, "
                "and you can restore them at any time."
            )
        else:
            message = f"{person.full_name} will appear in the people lists again."
        return confirm_page(
            request,
            f"{'Archive' if archiving else 'Restore'} {person.full_name}?",
            message,
            ctx.url(f"contacts:person_{'archive' if archiving else 'unarchive'}", pk=person.id),
            "Archive" if archiving else "Restore",
            cancel_url=back,
            danger=archiving,
        )
    save_versioned(
        person,
        person.version,
        {"status": status, "archived_at": utcnow() if archiving else None, "updated_at": utcnow()},
    )
    event = "contacts.person.archived" if archiving else "contacts.person.restored"
    emit(ctx.org, event, {"person_id": person.id})
    flash(request, f"{person.full_name} is {'archived' if archiving else 'restored'}.")
    return redirect(request, back)
