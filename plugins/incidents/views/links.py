"""Major incidents, their children, and merging duplicates: the pages that tie incidents together.

Each picker page (link a child, link to a major incident, merge) is a search:
GET with ``q`` lists the candidates (the results alone for htmx), each with
a button that POSTs the choice. Merging asks for confirmation on a page of
its own, where the user chooses which incident survives.
"""

from __future__ import annotations

from typing import Any

import peewee

from accord import (
    HTTPException,
    Request,
    Response,
    StaleEdit,
    flash,
    form_data,
    redirect,
    render,
    wants_fragment,
)
from accord.inputs import integer

from .. import links, workflow
from ..choices import OPEN
from ..models import Incident
from .shared import incident_or_404, stale_response

PICK = "incidents/pick.html"
LIMIT = 20


def _search(request: Request, where: Any, exclude: int) -> list[Incident]:
    """The organisation's incidents matching ``q`` (a reference or words of the title)."""
    text = str(request.query_params.get("q") or "").strip()[:100]
    query = Incident.in_org(request.state.ctx.org).where(where & (Incident.id != exclude))
    if text:
        number = text.upper().removeprefix("INC-").lstrip("0")
        match = Incident.title.contains(text)
        if integer(number) is not None:
            match = match | (Incident.number == integer(number))
        query = query.where(match)
    return list(query.order_by(Incident.number.desc()).limit(LIMIT))


def _pick_page(
    request: Request,
    incident: Incident,
    *,
    title: str,
    intro: str,
    found: list[Incident],
    action: str,
    field: str,
    button: str,
    search_url: str,
) -> Response:
    context = {
        "title": f"{title}: {incident.reference}",
        "heading": title,
        "intro": intro,
        "incident": incident,
        "found": found,
        "action": action,
        "field": field,
        "button": button,
        "search_url": search_url,
        "q": request.query_params.get("q") or "",
    }
    block = "results" if wants_fragment(request) else None
    return render(request, PICK, context, block=block)


def _chosen(request: Request, name: str) -> Incident:
    raw = str(form_data(request).get(name) or "")
    found = (
        Incident.in_org(request.state.ctx.org).where(Incident.id == integer(raw)).first()
        if integer(raw) is not None
        else None
    )
    if found is None:
        raise HTTPException(404)
    return found


def _back(request: Request, incident: Incident) -> Response:
    return redirect(request, request.state.ctx.url("incidents:detail", pk=incident.id))


def major(request: Request) -> Response:
    """Mark the incident as major (``major=1``) or no longer major."""
    ctx = request.state.ctx
    incident = incident_or_404(request)
    data = form_data(request)
    wanted = str(data.get("major") or "") == "1"
    version = data.get("version") or incident.version
    try:
        if str(version) != str(incident.version):
            raise StaleEdit(incident, incident, {})
        links.mark_major(incident, version, wanted, user=ctx.user)
    except StaleEdit as stale:
        return stale_response(request, stale, incident, "change whether it is major")
    except workflow.NotAllowed as exc:
        flash(request, str(exc), "error")
        return _back(request, incident)
    words = "is a major incident: link its children" if wanted else "is no longer major"
    flash(request, f"{incident.reference} {words}.")
    return _back(request, incident)


def link_children(request: Request) -> Response:
    """From a major incident: find incidents and link them as its children."""
    ctx = request.state.ctx
    incident = incident_or_404(request)
    if not incident.is_major:
        raise HTTPException(404)
    if request.method == "POST":
        child = _chosen(request, "child")
        try:
            links.link_child(incident, child, user=ctx.user)
        except workflow.NotAllowed as exc:
            flash(request, str(exc), "error")
            return redirect(request, ctx.url("incidents:children", pk=incident.id))
        flash(request, f"{child.reference} is linked to {incident.reference}.")
        return redirect(request, ctx.url("incidents:children", pk=incident.id))
    linkable = Incident.status.in_(OPEN) & Incident.parent.is_null() & ~Incident.is_major
    return _pick_page(
        request,
        incident,
        title="Link child incidents",
        intro=f"Find the open incidents that {incident.reference} causes: each linked one is "
        "resolved with it, and its reporter told.",
        found=_search(request, linkable, incident.id),
        action=ctx.url("incidents:children", pk=incident.id),
        field="child",
        button="Link as child",
        search_url=ctx.url("incidents:children", pk=incident.id),
    )


def unlink_child(request: Request) -> Response:
    ctx = request.state.ctx
    incident = incident_or_404(request)
    child = (
        Incident.in_org(ctx.org)
        .where((Incident.id == request.path_params["cid"]) & (Incident.parent == incident.id))
        .first()
    )
    if child is None:
        raise HTTPException(404)
    links.unlink_child(child, user=ctx.user)
    flash(request, f"{child.reference} is no longer a child of {incident.reference}.")
    return _back(request, incident)


def link_parent(request: Request) -> Response:
    """From an incident: link it to a major incident (or, with ``unlink``, take it away)."""
    ctx = request.state.ctx
    incident = incident_or_404(request)
    if request.method == "POST":
        if form_data(request).get("unlink"):
            links.unlink_child(incident, user=ctx.user)
            flash(request, f"{incident.reference} is no longer linked to a major incident.")
            return _back(request, incident)
        parent = _chosen(request, "parent")
        try:
            links.link_child(parent, incident, user=ctx.user)
        except workflow.NotAllowed as exc:
            flash(request, str(exc), "error")
            return redirect(request, ctx.url("incidents:parent", pk=incident.id))
        flash(request, f"{incident.reference} is linked to major incident {parent.reference}.")
        return _back(request, incident)
    majors = Incident.is_major & (Incident.status != "closed")
    return _pick_page(
        request,
        incident,
        title="Link to a major incident",
        intro="Choose the major incident this one is part of: it is resolved with it.",
        found=_search(request, majors, incident.id),
        action=ctx.url("incidents:parent", pk=incident.id),
        field="parent",
        button="Link to this one",
        search_url=ctx.url("incidents:parent", pk=incident.id),
    )


def merge(request: Request) -> Response:
    """Merge a duplicate: pick the other incident, confirm which survives, merge."""
    ctx = request.state.ctx
    incident = incident_or_404(request)
    here = ctx.url("incidents:merge", pk=incident.id)
    if request.method == "POST":
        other = _chosen(request, "other")
        if not form_data(request).get("confirmed"):
            return _merge_confirm(request, incident, other)
        keep = str(form_data(request).get("keep") or "")
        survivor, duplicate = (other, incident) if keep == "other" else (incident, other)
        try:
            links.merge(survivor, duplicate, user=ctx.user)
        except workflow.NotAllowed as exc:
            flash(request, str(exc), "error")
            return redirect(request, here)
        flash(request, f"{duplicate.reference} is merged into {survivor.reference}.")
        return redirect(request, ctx.url("incidents:detail", pk=survivor.id))
    others = (Incident.status != "closed") & Incident.merged_into.is_null()
    return _pick_page(
        request,
        incident,
        title="Merge a duplicate",
        intro=f"Find the incident that is the same as {incident.reference}. You choose which "
        "one is kept on the next page.",
        found=_search(request, others, incident.id),
        action=here,
        field="other",
        button="Merge…",
        search_url=here,
    )


def _merge_confirm(request: Request, incident: Incident, other: Incident) -> Response:
    ctx = request.state.ctx
    context = {
        "title": f"Merge {incident.reference} and {other.reference}?",
        "incident": incident,
        "other": other,
        "action": ctx.url("incidents:merge", pk=incident.id),
        "cancel": ctx.url("incidents:detail", pk=incident.id),
    }
    return render(request, "incidents/merge_confirm.html", context)


def close_major(request: Request, incident: Incident, children: list[Incident]) -> Response:
    """Ask before closing a major incident whose children are not closed."""
    ctx = request.state.ctx
    context = {
        "title": f"Close {incident.reference} and its children?",
        "incident": incident,
        "children": children,
        "action": ctx.url("incidents:close", pk=incident.id),
        "cancel": ctx.url("incidents:detail", pk=incident.id),
    }
    return render(request, "incidents/close_major.html", context)


def children_with_status(incident: Incident) -> list[Incident]:
    return links.children(incident) if incident.is_major else []


def parent_of(incident: Incident) -> Incident | None:
    if not incident.parent_id:
        return None
    return Incident.get_or_none(Incident.id == incident.parent_id)


def merged_into(incident: Incident) -> Incident | None:
    if not incident.merged_into_id:
        return None
    return Incident.get_or_none(Incident.id == incident.merged_into_id)


def merged_from(incident: Incident) -> peewee.ModelSelect:
    return Incident.select().where(Incident.merged_into == incident.id).order_by(Incident.number)
