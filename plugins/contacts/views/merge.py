"""Duplicates: the list of likely pairs, comparing two people, merging them, or saying they
are two different people."""

from __future__ import annotations

from typing import Any

from accord import (
    HTTPException,
    Request,
    RequestContext,
    Response,
    flash,
    form_data,
    get_or_404,
    redirect,
    render,
    render_to_string,
)
from accord.inputs import integer

from .. import normalise
from ..details import details_for
from ..merging import (
    MergeRefused,
    candidates,
    differences,
    duplicates_of,
    merge,
    not_duplicates,
)
from ..models import Person

MAX_FOUND = 20


def duplicates(request: Request) -> Response:
    org = request.state.ctx.org
    return render(
        request,
        "contacts/duplicates.html",
        {"title": "Possible duplicates", "candidates": candidates(org)},
    )


def _other(request: Request, person: Person, raw: str | None) -> Person | None:
    if integer(raw) is None:
        return None
    other = get_or_404(Person, request, raw)
    if other.id == person.id:
        raise HTTPException(404)
    return other


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _compare_page(
    request: Request,
    person: Person,
    other: Person | None,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    org = request.state.ctx.org
    query = request.query_params.get("q", "").strip()[:200]
    found: list[Person] = []
    if other is None and query:
        terms = normalise.search_query(query).casefold().split()[:6]
        if terms:
            found = list(
                Person.in_org(org)
                .where(Person.search_text.matches(terms) & (Person.status == "active"))
                .where(Person.id != person.id)
                .order_by(Person.last_name, Person.first_name, Person.id)
                .limit(MAX_FOUND)
            )
    values = form_data(request) if request.method == "POST" else {}
    return render(
        request,
        "contacts/merge.html",
        {
            "title": f"Merge {person.full_name}",
            "person": person,
            "other": other,
            "query": query,
            "found": found,
            "rows": [
                (name, label, _display(mine), _display(theirs))
                for name, label, mine, theirs in (differences(person, other) if other else [])
            ],
            "picked": {k: str(v) for k, v in dict(values).items()},
            "reach": details_for([person, other]) if other else {},
            "error": error,
            "suggested": duplicates_of(person) if other is None else [],
        },
        status_code=status_code,
    )


def _plugin_moves(ctx: RequestContext):
    def call(survivor: Person, duplicate: Person):
        for impl in reversed(ctx.hooks.merge_people.get_hookimpls()):
            try:
                yield (
                    impl.plugin_name,
                    impl.function(org=ctx.org, survivor=survivor, duplicate=duplicate),
                )
            except Exception as exc:
                raise MergeRefused(
                    f"The {impl.plugin_name} plugin could not move its records ({exc}); "
                    "nothing was merged."
                ) from exc

    return call


def compare(request: Request) -> Response:
    """GET: choose the other person, then compare; POST: merge with the chosen values."""
    ctx = request.state.ctx
    person = get_or_404(Person, request, request.path_params["pk"])
    if person.merged_into_id:
        raise HTTPException(404)
    other = _other(request, person, request.query_params.get("with"))
    if request.method == "GET" or other is None:
        return _compare_page(request, person, other)
    values = form_data(request)
    keep = str(values.get("keep") or "")
    if keep not in (str(person.id), str(other.id)):
        return _compare_page(request, person, other, error="Choose who stays.", status_code=422)
    survivor, duplicate = (person, other) if keep == str(person.id) else (other, person)
    chosen = {}
    for name, _, _, _ in differences(person, other):
        picked = str(values.get(f"pick_{name}") or "")
        # The form names records by id; the merge by role.
        chosen[name] = "duplicate" if picked == str(duplicate.id) else "survivor"
    try:
        result = merge(
            ctx.org, survivor, duplicate, chosen, user=ctx.user, plugin_moves=_plugin_moves(ctx)
        )
    except MergeRefused as exc:
        return _compare_page(request, person, other, error=str(exc), status_code=422)
    moved = ", ".join(f"{label} {n}" for label, n in result.moved.items())
    flash(
        request,
        f"{_which(duplicate, survivor)} is merged into {_which(survivor, duplicate)}"
        + (f". Moved: {moved}." if moved else ".")
        + (f" Added: {', '.join(result.gained)}." if result.gained else ""),
    )
    return redirect(request, ctx.url("contacts:person", pk=survivor.id))


def _which(person: Person, other: Person) -> str:
    """``person``'s name, with what tells them from ``other``: their email, else their number."""
    email, other_email = (person.email or "").lower(), (other.email or "").lower()
    if email and email != other_email:
        return f"{person.full_name} ({person.email})"
    return f"{person.full_name} (no. {person.id})"


def dismiss(request: Request) -> Response:
    """Record that two people are different, so they are not proposed again."""
    ctx = request.state.ctx
    person = get_or_404(Person, request, request.path_params["pk"])
    other = get_or_404(Person, request, request.path_params["other"])
    if other.id == person.id:
        raise HTTPException(404)
    form_data(request)
    not_duplicates(ctx.org, person, other, ctx.user)
    flash(request, f"{person.full_name} and {other.full_name} are kept as two people.")
    return redirect(request, ctx.url("contacts:duplicates"))


def card(ctx: RequestContext, person: Person) -> str | None:
    """People who may be ``person`` too, on their page (nothing when there are none)."""
    found = duplicates_of(person)
    if not found:
        return None
    return render_to_string(
        ctx.request, "contacts/_duplicates_card.html", {"person": person, "found": found}
    )
