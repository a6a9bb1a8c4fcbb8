"""The organisation's own rules: the priority matrix and the wording of reporters' emails."""

from __future__ import annotations

from accord import (
    HTTPException,
    Request,
    Response,
    StaleEdit,
    confirm_page,
    conflict_response,
    flash,
    form_data,
    redirect,
    render,
    render_form,
    save_versioned,
)
from accord.inputs import integer

from .. import mail
from ..choices import IMPACT_NAMES, IMPACTS, PRIORITIES, URGENCIES, URGENCY_NAMES, priority_label
from ..forms import EmailTemplateForm
from ..matrix import default_matrix, fingerprint, matrix_for, save_matrix
from ..models import EmailTemplate
from .shared import MANAGE

# --- Priority matrix -----------------------------------------------------------------------------


def _matrix_page(
    request: Request,
    cells: dict,
    *,
    editing: bool,
    errors: dict | None = None,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    org = request.state.ctx.org
    current = matrix_for(org)
    return render(
        request,
        "incidents/matrix.html",
        {
            "title": "Priority matrix",
            "cells": cells,
            "current": current,
            "defaults": default_matrix(),
            "fingerprint": fingerprint(current),
            "impacts": IMPACT_NAMES,
            "impact_words": IMPACTS,
            "urgencies": URGENCY_NAMES,
            "urgency_words": URGENCIES,
            "priorities": [(p, priority_label(p)) for p in PRIORITIES],
            "editing": editing,
            "errors": errors or {},
            "conflict": conflict,
            "manage": request.state.ctx.can(MANAGE),
        },
        status_code=status_code,
    )


def matrix(request: Request) -> Response:
    return _matrix_page(request, matrix_for(request.state.ctx.org), editing=False)


def matrix_edit(request: Request) -> Response:
    """Managers set each cell; a matrix changed by someone else since is a 409, input kept."""
    ctx = request.state.ctx
    current = matrix_for(ctx.org)
    if request.method == "GET":
        return _matrix_page(request, current, editing=True)
    data = form_data(request)
    wanted, errors, typed = {}, {}, {}
    for impact in IMPACTS:
        for urgency in URGENCIES:
            raw = str(data.get(f"cell_{impact}_{urgency}") or "")
            typed[(impact, urgency)] = raw
            if integer(raw) in PRIORITIES:
                wanted[(impact, urgency)] = int(raw)
            else:
                errors[(impact, urgency)] = "Choose P1 to P4."
    if errors:
        return _matrix_page(request, typed, editing=True, errors=errors, status_code=422)
    if data.get("fingerprint") != fingerprint(current):
        return _matrix_page(request, wanted, editing=True, conflict=True, status_code=409)
    changed = save_matrix(ctx.org, wanted)
    flash(
        request,
        f"The priority matrix is saved ({changed} cell{'s' if changed != 1 else ''} "
        "changed). New incidents and edits use it; existing priorities stay.",
    )
    return redirect(request, ctx.url("incidents:matrix"))


# --- Email templates ---------------------------------------------------------------------------


def email_templates(request: Request) -> Response:
    org = request.state.ctx.org
    own = {t.kind: t for t in EmailTemplate.in_org(org)}
    rows = [
        {
            "kind": kind,
            "label": label,
            "own": kind in own,
            "subject": own[kind].subject if kind in own else mail.DEFAULTS[kind][0],
        }
        for kind, label in mail.KINDS.items()
    ]
    return render(
        request,
        "incidents/email_templates.html",
        {
            "title": "Emails to reporters",
            "rows": rows,
            "variables": mail.VARIABLES,
        },
    )


def email_template(request: Request) -> Response:
    ctx = request.state.ctx
    kind = request.path_params["kind"]
    if kind not in mail.KINDS:
        raise HTTPException(404)
    own = EmailTemplate.get_or_none((EmailTemplate.org == ctx.org) & (EmailTemplate.kind == kind))
    title = f"Email: {mail.KINDS[kind].lower()}"
    action = ctx.url("incidents:email_template", kind=kind)
    cancel = ctx.url("incidents:email_templates")
    context = {
        "variables": mail.VARIABLES,
        "own": own is not None,
        "reset_url": ctx.url("incidents:email_template_reset", kind=kind),
    }
    if request.method == "GET":
        subject, body = mail.wording(ctx.org, kind)
        form = EmailTemplateForm(
            initial={"subject": subject, "body": body}, version=own.version if own else None
        )
        return render_form(
            request,
            form,
            title=title,
            action=action,
            cancel_url=cancel,
            template="incidents/email_template.html",
            context=context,
        )
    form = EmailTemplateForm(form_data(request))
    if not form.is_valid():
        return render_form(
            request,
            form,
            title=title,
            action=action,
            cancel_url=cancel,
            template="incidents/email_template.html",
            context=context,
        )
    if own is None:
        EmailTemplate.create(org=ctx.org, kind=kind, **form.cleaned)
    else:
        try:
            save_versioned(own, form.version, form.cleaned)
        except StaleEdit as stale:
            return conflict_response(request, stale, form, action=action, cancel_url=cancel)
    flash(request, f"The email “{mail.KINDS[kind].lower()}” is saved.")
    return redirect(request, cancel)


def email_template_reset(request: Request) -> Response:
    ctx = request.state.ctx
    kind = request.path_params["kind"]
    if kind not in mail.KINDS:
        raise HTTPException(404)
    own = EmailTemplate.get_or_none((EmailTemplate.org == ctx.org) & (EmailTemplate.kind == kind))
    back = ctx.url("incidents:email_templates")
    if request.method == "GET":
        return confirm_page(
            request,
            "Go back to the default wording?",
            "Your organisation's wording of this email is deleted and Accord's default is used.",
            ctx.url("incidents:email_template_reset", kind=kind),
            "Use the default",
            cancel_url=back,
        )
    if own is not None:
        own.delete_instance()
    flash(request, "The default wording is used again.")
    return redirect(request, back)
