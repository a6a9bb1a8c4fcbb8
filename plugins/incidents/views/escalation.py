"""The organisation's escalation rules: what happens when an incident's clock warns or breaches."""

from __future__ import annotations

from accord import Request, Response, flash, form_data, redirect, render

from ..choices import PRIORITIES, priority_label
from ..escalation import ACTIONS, DEFAULT_RULES, TRIGGERS, Rule, all_keys, rules_for, save_rules
from .shared import MANAGE


def _page(request: Request, rules: dict, *, editing: bool) -> Response:
    return render(
        request,
        "incidents/escalation.html",
        {
            "title": "Escalation rules",
            "rules": rules,
            "defaults": DEFAULT_RULES,
            "priorities": [(p, priority_label(p)) for p in PRIORITIES],
            "triggers": TRIGGERS,
            "actions": ACTIONS,
            "editing": editing,
            "manage": request.state.ctx.can(MANAGE),
        },
    )


def rules(request: Request) -> Response:
    return _page(request, rules_for(request.state.ctx.org), editing=False)


def rules_edit(request: Request) -> Response:
    """Managers tick what each priority's warning and breach do (unticked: nothing)."""
    ctx = request.state.ctx
    if request.method == "GET":
        return _page(request, rules_for(ctx.org), editing=True)
    data = form_data(request)
    wanted = {
        (priority, trigger): Rule(
            **{action: data.get(f"{priority}_{trigger}_{action}") == "1" for action in ACTIONS}
        )
        for priority, trigger in all_keys()
    }
    changed = save_rules(ctx.org, wanted)
    flash(
        request,
        f"The escalation rules are saved ({changed} rule{'s' if changed != 1 else ''} changed). "
        "They apply from the next warning or breach.",
    )
    return redirect(request, ctx.url("incidents:escalation"))
