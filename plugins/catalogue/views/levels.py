"""A service's levels: one matrix of priorities × response, resolution and warning threshold.

The levels are several rows, so the form carries a fingerprint of the rows it
was opened on instead of one version: if anyone changed them since, saving
answers 409 with what is stored now beside the user's input, kept.
"""

from __future__ import annotations

import hashlib
from typing import Any

from accord import Request, Response, emit, flash, form_data, get_or_404, redirect, render

from ..api import service_levels
from ..forms import LevelsForm
from ..models import Service, ServiceLevel
from ..wording import level_sentence


def fingerprint(levels: dict[int, ServiceLevel]) -> str:
    """Changes whenever any level of the service changes."""
    text = ";".join(
        f"{p}:{lv.response_minutes}:{lv.resolution_minutes}:{lv.warning_percent}"
        for p, lv in sorted(levels.items())
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _initial(levels: dict[int, ServiceLevel]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for p, level in levels.items():
        values[f"p{p}_response"] = level.response_minutes
        values[f"p{p}_resolution"] = level.resolution_minutes
        values[f"p{p}_warning"] = level.warning_percent
    return values


def _page(
    request: Request,
    service: Service,
    form: Any,
    levels: dict[int, ServiceLevel],
    *,
    conflict: bool = False,
) -> Response:
    status = 409 if conflict else form.status_code
    context = {
        "service": service,
        "form": form,
        "current": levels,
        "fingerprint": fingerprint(levels),
        "conflict": conflict,
        "level_sentence": level_sentence,
        "title": f"Service levels of {service.name}",
    }
    return render(request, "catalogue/levels.html", context, status_code=status)


def edit_levels(request: Request) -> Response:
    ctx = request.state.ctx
    service = get_or_404(Service, request, request.path_params["pk"])
    levels = service_levels(service)
    if request.method == "GET":
        return _page(request, service, LevelsForm(initial=_initial(levels)), levels)
    data = form_data(request)
    form = LevelsForm(data)
    if not form.is_valid():
        return _page(request, service, form, levels)
    if data.get("fingerprint") != fingerprint(levels):
        return _page(request, service, form, levels, conflict=True)
    changed = False
    for priority, wanted in form.levels().items():
        level = levels.get(priority)
        if wanted is None:
            if level is not None:
                level.delete_instance()
                changed = True
            continue
        response, resolution, warning = wanted
        if level is None:
            level = ServiceLevel(org=ctx.org, service=service, priority=priority)
        elif (level.response_minutes, level.resolution_minutes, level.warning_percent) == wanted:
            continue
        level.response_minutes, level.resolution_minutes = response, resolution
        level.warning_percent = warning
        level.save()
        changed = True
    if changed:
        emit(ctx.org, "catalogue.levels_changed", {"service_id": service.id})
        flash(request, f"The service levels of “{service.name}” are saved.")
    else:
        flash(request, "Nothing changed.", "info")
    return redirect(request, ctx.url("catalogue:service", pk=service.id))
