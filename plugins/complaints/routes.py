"""Every page of complaints, with the permission it needs."""

from __future__ import annotations

from accord import Page

from .views import activity, complaints, correspondence, report
from .views.shared import MANAGE, VIEW, WORK

FORM = ("GET", "POST")
POST = ("POST",)
ONE = "/{pk:int}"


def pages() -> list[Page]:
    return [
        Page("/", complaints.index, name="index", permission=VIEW),
        Page("/new", complaints.new, name="new", methods=FORM, permission=WORK),
        Page("/people", complaints.people, name="people", permission=WORK),
        Page("/report", report.report, name="report", permission=VIEW),
        Page(ONE, complaints.detail, name="detail", permission=VIEW),
        Page(f"{ONE}/edit", complaints.edit, name="edit", methods=FORM, permission=WORK),
        Page(
            f"{ONE}/acknowledge",
            complaints.acknowledge,
            name="acknowledge",
            methods=POST,
            permission=WORK,
        ),
        Page(
            f"{ONE}/investigate",
            complaints.investigate,
            name="investigate",
            methods=POST,
            permission=WORK,
        ),
        Page(f"{ONE}/respond", complaints.respond, name="respond", methods=FORM, permission=WORK),
        Page(f"{ONE}/close", complaints.close, name="close", methods=FORM, permission=MANAGE),
        Page(f"{ONE}/delete", complaints.delete, name="delete", methods=FORM, permission=MANAGE),
        Page(f"{ONE}/notes", activity.add_note, name="note", methods=POST, permission=WORK),
        Page(
            f"{ONE}/correspondence",
            correspondence.record,
            name="correspondence",
            methods=FORM,
            permission=WORK,
        ),
        Page(f"{ONE}/email", correspondence.email, name="email", methods=FORM, permission=WORK),
        Page(
            f"{ONE}/files",
            activity.upload,
            name="files",
            methods=POST,
            permission=WORK,
            uploads=True,
        ),
        Page(f"{ONE}/files/{{aid:int}}", activity.download, name="file", permission=VIEW),
        Page(
            f"{ONE}/files/{{aid:int}}/delete",
            activity.delete,
            name="file_delete",
            methods=FORM,
            permission=WORK,
        ),
    ]
