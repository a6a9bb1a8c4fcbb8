"""The organisation itself: its name and the time zone its dates and reports are in."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from accord import Form, flash, form_data, forms, redirect, render_form
from accord.accounts import time_zone_problem, time_zones
from accord.audit import record
from accord.db import database


def _zones() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zones())]


class OrganisationForm(Form):
    name = forms.Text("Name", max_length=200)
    time_zone = forms.Choice(
        "Time zone",
        hint="Reports count days and months, and quiet hours are kept, in this time zone.",
    )

    def validate(self) -> None:
        if problem := time_zone_problem(self.cleaned.get("time_zone", "")):
            self.add_error("time_zone", problem)


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    org = ctx.org
    action = ctx.url("settings:organisation")
    if request.method == "GET":
        form = OrganisationForm.from_instance(org)
    else:
        form = OrganisationForm(form_data(request))
    form.fields["time_zone"].choices = _zones()
    if request.method == "GET" or not form.is_valid():
        return render_form(request, form, title="Organisation", action=action)
    changes = {
        key: [getattr(org, key), value]
        for key, value in form.cleaned.items()
        if getattr(org, key) != value
    }
    if changes:
        with database.atomic():
            for key, (_, value) in changes.items():
                setattr(org, key, value)
            org.save(only=[getattr(type(org), key) for key in changes])
            record(
                org,
                "update",
                "changed the organisation's details",
                table="accord_organisation",
                record_id=org.id,
                changes=changes,
            )
    flash(request, "The organisation's details are saved.")
    return redirect(request, action)
