"""Every page of incidents, with the permission it needs."""

from __future__ import annotations

from accord import Page

from . import reports
from .views import (
    actions,
    canned,
    escalation,
    files,
    incidents,
    links,
    queues,
    setup,
    teams,
    watchers,
)
from .views.shared import MANAGE, VIEW, WORK

FORM = ("GET", "POST")
POST = ("POST",)
ONE = "/{pk:int}"


def pages() -> list[Page]:
    return [
        # Queues and logging
        Page("/", queues.index, name="index", permission=VIEW),
        Page("/queues/{queue}", queues.queue, name="queue", methods=FORM, permission=VIEW),
        Page(
            "/views/{vid:int}/delete",
            queues.delete_view,
            name="view_delete",
            methods=POST,
            permission=VIEW,
        ),
        Page("/bulk", queues.bulk, name="bulk", methods=POST, permission=WORK),
        Page("/new", incidents.new, name="new", methods=FORM, permission=WORK),
        Page("/priority", incidents.priority, name="priority", permission=WORK),
        Page("/reporters", incidents.reporter_search, name="reporters", permission=WORK),
        Page("/suggestions", incidents.suggestions, name="suggestions", permission=WORK),
        Page("/report", reports.service_desk, name="report", permission=VIEW),
        # One incident
        Page(ONE, incidents.detail, name="detail", permission=VIEW),
        Page(f"{ONE}/edit", incidents.edit, name="edit", methods=FORM, permission=WORK),
        Page(f"{ONE}/assign", actions.assign, name="assign", methods=FORM, permission=WORK),
        Page(f"{ONE}/start", actions.start, name="start", methods=POST, permission=WORK),
        Page(f"{ONE}/pend", actions.pend, name="pend", methods=FORM, permission=WORK),
        Page(f"{ONE}/resume", actions.resume, name="resume", methods=POST, permission=WORK),
        Page(f"{ONE}/resolve", actions.resolve, name="resolve", methods=FORM, permission=WORK),
        Page(f"{ONE}/close", actions.close, name="close", methods=FORM, permission=WORK),
        Page(f"{ONE}/reopen", actions.reopen, name="reopen", methods=FORM, permission=WORK),
        Page(f"{ONE}/notes", actions.note, name="note", methods=POST, permission=WORK),
        Page(f"{ONE}/major", links.major, name="major", methods=POST, permission=WORK),
        Page(
            f"{ONE}/children", links.link_children, name="children", methods=FORM, permission=WORK
        ),
        Page(
            f"{ONE}/children/{{cid:int}}/unlink",
            links.unlink_child,
            name="unlink_child",
            methods=POST,
            permission=WORK,
        ),
        Page(f"{ONE}/parent", links.link_parent, name="parent", methods=FORM, permission=WORK),
        Page(f"{ONE}/merge", links.merge, name="merge", methods=FORM, permission=WORK),
        Page(f"{ONE}/watch", watchers.watch, name="watch", methods=POST, permission=VIEW),
        Page(f"{ONE}/unwatch", watchers.unwatch, name="unwatch", methods=POST, permission=VIEW),
        Page(f"{ONE}/watchers", watchers.add, name="watcher_add", methods=POST, permission=WORK),
        Page(
            f"{ONE}/attachments",
            actions.attach,
            name="attach",
            methods=POST,
            permission=WORK,
            uploads=True,
        ),
        Page(f"{ONE}/attachments/{{aid:int}}", files.download, name="attachment", permission=VIEW),
        # Teams
        Page("/teams/", teams.team_list, name="teams", permission=VIEW),
        Page("/teams/new", teams.create, name="team_new", methods=FORM, permission=MANAGE),
        Page(f"/teams{ONE}", teams.detail, name="team", permission=VIEW),
        Page(f"/teams{ONE}/edit", teams.edit, name="team_edit", methods=FORM, permission=MANAGE),
        Page(
            f"/teams{ONE}/members",
            teams.add_member,
            name="team_member_add",
            methods=POST,
            permission=MANAGE,
        ),
        Page(
            f"/teams{ONE}/members/{{mid:int}}/remove",
            teams.remove_member,
            name="team_member_remove",
            methods=POST,
            permission=MANAGE,
        ),
        # Canned replies
        Page("/canned/", canned.canned_list, name="canned", permission=WORK),
        Page("/canned/new", canned.create, name="canned_new", methods=FORM, permission=MANAGE),
        Page(
            f"/canned{ONE}/edit", canned.edit, name="canned_edit", methods=FORM, permission=MANAGE
        ),
        Page(
            f"/canned{ONE}/delete",
            canned.delete,
            name="canned_delete",
            methods=FORM,
            permission=MANAGE,
        ),
        Page("/canned/text", canned.text, name="canned_text", permission=WORK),
        # The organisation's rules
        Page("/matrix", setup.matrix, name="matrix", permission=VIEW),
        Page(
            "/matrix/edit", setup.matrix_edit, name="matrix_edit", methods=FORM, permission=MANAGE
        ),
        Page("/escalation", escalation.rules, name="escalation", permission=VIEW),
        Page(
            "/escalation/edit",
            escalation.rules_edit,
            name="escalation_edit",
            methods=FORM,
            permission=MANAGE,
        ),
        Page("/emails/", setup.email_templates, name="email_templates", permission=MANAGE),
        Page(
            "/emails/{kind}",
            setup.email_template,
            name="email_template",
            methods=FORM,
            permission=MANAGE,
        ),
        Page(
            "/emails/{kind}/reset",
            setup.email_template_reset,
            name="email_template_reset",
            methods=FORM,
            permission=MANAGE,
        ),
    ]
