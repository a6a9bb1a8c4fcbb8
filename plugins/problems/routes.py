"""Every page of problems, with the permission it needs."""

from __future__ import annotations

from accord import Page

from .views import known_errors, links, problems, proposals
from .views.shared import MANAGE, VIEW, WORK

FORM = ("GET", "POST")
POST = ("POST",)
ONE = "/{pk:int}"


def pages() -> list[Page]:
    return [
        Page("/", problems.problem_list, name="index", permission=VIEW),
        Page("/new", problems.create, name="new", methods=FORM, permission=WORK),
        Page("/known-errors", known_errors.known_error_list, name="known_errors", permission=VIEW),
        # One problem
        Page(ONE, problems.detail, name="detail", permission=VIEW),
        Page(f"{ONE}/edit", problems.edit, name="edit", methods=FORM, permission=WORK),
        Page(f"{ONE}/move/{{move}}", problems.move, name="move", methods=FORM, permission=WORK),
        Page(f"{ONE}/incidents", links.link_incident, name="link", methods=POST, permission=WORK),
        Page(
            f"{ONE}/incidents/{{iid:int}}/unlink",
            links.unlink_incident,
            name="unlink",
            methods=POST,
            permission=WORK,
        ),
        # From an incident's page
        Page(
            f"/incident{ONE}/link",
            links.link_from_incident,
            name="link_from_incident",
            methods=FORM,
            permission=WORK,
        ),
        # The recurring-incident detector
        Page("/proposed", proposals.proposal_list, name="proposals", permission=VIEW),
        Page("/proposed/run", proposals.run_now, name="run", methods=POST, permission=MANAGE),
        Page(
            f"/proposed{ONE}/accept", proposals.accept, name="accept", methods=POST, permission=WORK
        ),
        Page(
            f"/proposed{ONE}/dismiss",
            proposals.dismiss,
            name="dismiss",
            methods=POST,
            permission=MANAGE,
        ),
    ]
