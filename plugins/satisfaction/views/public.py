"""The survey page reporters reach from their email, without signing in."""

from __future__ import annotations

from accord import Request, Response, form_data, render

from .. import answers
from ..models import Survey
from ..surveys import SCORE_WORDS

TEMPLATE = "satisfaction/survey.html"
PROBLEMS = {
    "invalid": (
        404,
        "This link does not work",
        "It may have been copied incompletely. Please use the link in your email as it is.",
    ),
    "answered": (
        409,
        "You have already answered",
        "Thank you: we have your answer to this survey. Each survey can be answered once.",
    ),
    "expired": (
        410,
        "This survey has closed",
        "Its link was valid for a limited time. If something is still wrong, please contact "
        "the service desk.",
    ),
    "closed": (
        410,
        "This survey has closed",
        "It is no longer open for answers. If something is still wrong, please contact "
        "the service desk.",
    ),
}


def _problem(request: Request, problem: str) -> Response:
    status, title, text = PROBLEMS[problem]
    return render(
        request, TEMPLATE, {"title": title, "problem": text, "survey": None}, status_code=status
    )


def _page(
    request: Request, survey: Survey, *, score: str = "", comment: str = "", error: str = ""
) -> Response:
    incident = survey.incident
    context = {
        "title": f"How did we do with {incident.reference}?",
        "problem": "",
        "survey": survey,
        "incident": incident,
        "organisation": survey.org.name,
        "scores": list(SCORE_WORDS.items()),
        "chosen": score,
        "comment": comment,
        "not_resolved": request.query_params.get("not_resolved") == "1",
        "error": error,
        "action": str(request.url.path),
    }
    return render(request, TEMPLATE, context, status_code=422 if error else 200)


def survey_page(request: Request) -> Response:
    found = answers.find(request.path_params["token"])
    if found.problem:
        return _problem(request, found.problem)
    assert found.survey is not None
    if request.method == "GET":
        raw = request.query_params.get("score", "")
        return _page(request, found.survey, score=raw if raw in {"1", "2", "3", "4", "5"} else "")
    form = form_data(request)
    comment = str(form.get("comment") or "")[:5000]
    if form.get("answer") == "not_resolved":
        message = answers.not_resolved(found.survey, comment)
        if message is None:
            return _problem(request, "answered")
        return _thanks(request, "Thank you for telling us", message)
    raw = str(form.get("score") or "")
    if raw not in {"1", "2", "3", "4", "5"}:
        return _page(request, found.survey, comment=comment, error="Choose a score from 1 to 5.")
    if not answers.rate(found.survey, int(raw), comment):
        return _problem(request, "answered")
    return _thanks(
        request, "Thank you", "Your answer helps us improve. You can close this page now."
    )


def _thanks(request: Request, title: str, text: str) -> Response:
    return render(
        request, TEMPLATE, {"title": title, "thanks": text, "problem": "", "survey": None}
    )
