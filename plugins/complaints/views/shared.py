"""What the complaints pages share: permissions, the record, the form with its choices."""

from __future__ import annotations

from accord import Request, get_or_404

from .. import related
from ..forms import ComplaintForm
from ..models import Complaint

VIEW, WORK, MANAGE = "complaints.view", "complaints.work", "complaints.manage"


def complaint_or_404(request: Request) -> Complaint:
    return get_or_404(Complaint, request, request.path_params["pk"])


def with_choices(request: Request, form: ComplaintForm, complaint: Complaint | None = None):
    """``form`` with the organisation's options, and only the fields of plugins that are on."""
    ctx = request.state.ctx
    form.org = ctx.org
    form.with_incidents = related.has(ctx, "incidents")
    if related.has(ctx, "catalogue"):
        options = related.services(ctx.org)
        if complaint and complaint.service_id and complaint.service_id not in dict(options):
            options.append((complaint.service_id, "(the service it was about)"))
        form.fields["service_id"].choices = options
    else:
        del form.fields["service_id"]
    if not form.with_incidents:
        del form.fields["incident"]
    form.fields["owner"].choices = related.staff(ctx.org)
    return form
