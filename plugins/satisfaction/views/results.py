"""The results page: the score's trend and its average per service, team and agent, for any
period, with charts and CSV (the core's report component)."""

from __future__ import annotations

from urllib.parse import urlencode

from accord import Chart, Period, ReportTable, Request, Response, Section, render_report

from .. import results
from ..surveys import settings_of

TITLES = {
    "month": "Trend",
    "service": "By service",
    "team": "By team",
    "agent": "By agent",
}


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def section(org, key: str, period: Period, low: int, answers_url: str = "") -> Section:
    lines = results.lines(org, key, period, low)

    def link(line: results.Line) -> str | None:
        """The answers list showing exactly the answers a line averages."""
        if not answers_url:
            return None
        if key == "month":
            return f"{answers_url}?{urlencode(period.days_query('answered', line.key))}"
        value = "none" if line.key is None else line.key
        return f"{answers_url}?{urlencode({key: value, **period.days_query('answered')})}"

    label = period.granularity.title() if key == "month" else results.GROUPS[key]
    if key == "month":
        by_label = {line.label: line for line in lines}
        labels = [name for _, name in period.buckets()]
        chart = Chart(
            "Average score",
            labels,
            {"Average score": [by_label[n].average if n in by_label else None for n in labels]},
            kind="line",
            max_value=5,
            value_format=_score,
            links={"Average score": [link(by_label[n]) if n in by_label else None for n in labels]},
        )
    else:
        chart = Chart(
            f"Average score by {label.lower()}",
            [line.label for line in lines],
            {"Average score": [line.average for line in lines]},
            kind="hbar",
            max_value=5,
            value_format=_score,
            height=max(160, 34 * len(lines) + 80),
            links={"Average score": [link(line) for line in lines]},
        )
    return Section(
        key,
        TITLES[key],
        chart=chart,
        table=ReportTable(
            [label, "Responses", "Average score", "Low scores"],
            [(line.label, line.responses, line.average, line.low) for line in lines],
            formats={2: _score},
        ),
    )


def results_page(request: Request) -> Response:
    org = request.state.ctx.org
    low = int(settings_of(org).get("low_score") or 2)
    answers = request.state.ctx.url("satisfaction:answers")

    def build(period: Period) -> list[Section]:
        count, average = results.overall(org, period)
        trend = section(org, "month", period, low, answers)
        trend.figures = [("answers", f"{count:,}"), ("average score of 5", _score(average))]
        return [
            trend,
            *(section(org, key, period, low, answers) for key in ("service", "team", "agent")),
        ]

    return render_report(
        request,
        "Satisfaction results",
        build,
        default="90d",
        intro=f"Scores reporters gave from 1 to 5; {low} or less counts as low.",
    )
