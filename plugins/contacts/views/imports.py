"""Import people from a CSV file (upload, map the columns, check, import) and export vCards."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile

from accord import Request, Response, flash, form_data, get_or_404, redirect, render

from .. import importing, vcard
from ..models import Person
from ..tables import PEOPLE, people_query

TEMPLATE = "contacts/import.html"
VCARD_TYPE = "text/vcard; charset=utf-8"


def upload(request: Request) -> Response:
    """One page, three steps: choose a file; map its columns; check or import every row."""
    values: dict[str, Any] = {
        "title": "Import people",
        "fields": importing.FIELDS,
        "error": "",
        "checked": False,
        "plan": None,
    }
    if request.method != "POST":
        return render(request, TEMPLATE, {**values, "step": "upload"})
    form = form_data(request)
    file = form.get("file")
    try:
        if isinstance(file, UploadFile):
            text = file.file.read().decode("utf-8-sig")
            table = importing.read_csv(text)
            mapping = importing.guess_mapping(table.headers)
            on_match = "skip"
            action = "map"
        else:
            text = str(form.get("csv") or "")
            table = importing.read_csv(text)
            mapping = {
                header: str(form.get(f"map-{i}"))
                for i, header in enumerate(table.headers)
                if form.get(f"map-{i}") in importing.FIELDS
            }
            on_match = str(form.get("on_match") or "skip")
            if on_match not in importing.ON_MATCH:
                on_match = "skip"
            action = "import" if form.get("action") == "import" else "check"
    except (importing.ImportError_, UnicodeDecodeError) as exc:
        message = str(exc) if isinstance(exc, importing.ImportError_) else "Save the file as UTF-8."
        return render(
            request, TEMPLATE, {**values, "step": "upload", "error": message}, status_code=422
        )
    values.update(
        step="map",
        csv=text,
        headers=table.headers,
        mapping=mapping,
        on_match=on_match,
        sample=table.rows[:3],
        count=len(table.rows),
    )
    if action == "map":
        return render(request, TEMPLATE, values)
    try:
        plan = importing.check(request.state.ctx.org, table, mapping)
    except importing.ImportError_ as exc:
        return render(request, TEMPLATE, {**values, "error": str(exc)}, status_code=422)
    values.update(plan=plan, checked=True)
    if action == "check" or not plan.ok:
        return render(request, TEMPLATE, values, status_code=200 if plan.ok else 422)
    result = importing.apply(request.state.ctx.org, plan, on_match=on_match)
    flash(
        request,
        f"Imported: {result.created} added, {result.updated} updated, {result.skipped} skipped.",
    )
    return redirect(request, request.state.ctx.url("contacts:people"))


def person_vcard(request: Request) -> Response:
    person = get_or_404(Person, request, request.path_params["pk"])
    return _vcard(vcard.card(person), vcard.filename(person.full_name))


def people_vcards(request: Request) -> Response:
    """Every active person the list's search and filters (the same query string) find."""
    org = request.state.ctx.org
    query, _state = PEOPLE.narrow(request, people_query(org, "active"))
    return _vcard(
        vcard.cards(query.order_by(Person.last_name, Person.first_name, Person.id)), "people.vcf"
    )


def _vcard(text: str, name: str) -> Response:
    return Response(
        text,
        media_type=VCARD_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
