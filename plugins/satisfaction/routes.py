"""Every page of satisfaction: the public survey, results, recovery tasks."""

from __future__ import annotations

from accord import Page

from .views import answers, public, recovery, results

VIEW, RECOVER = "satisfaction.view", "satisfaction.recover"
COPY_LINK = "satisfaction.copy_link"


def pages() -> list[Page]:
    return [
        # The reporter's page: no sign-in; the signed token is the only key.
        Page(
            "/survey/{token}",
            public.survey_page,
            name="survey",
            methods=("GET", "POST"),
            scope="public",
        ),
        Page("/results", results.results_page, name="results", permission=VIEW),
        Page("/answers", answers.answer_list, name="answers", permission=VIEW),
        Page("/recovery/", recovery.task_list, name="tasks", permission=VIEW),
        Page("/recovery/{pk:int}", recovery.task_detail, name="task", permission=VIEW),
        Page(
            "/recovery/{pk:int}/done",
            recovery.task_done,
            name="task_done",
            methods=("POST",),
            permission=RECOVER,
        ),
    ]
