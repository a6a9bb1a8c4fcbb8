"""Charts drawn on the server as inline SVG (pygal), each with its figures as a table.

A chart is data: categories along one axis and one or more named series of
numbers. Pages show the SVG and, under it, the same figures in a table that
screen readers and keyboard users can read; nothing needs JavaScript.

    chart = Chart("Incidents by channel", kind="bar", labels=["Phone", "Email"],
                  series={"Logged": [12, 30], "Resolved": [10, 28]})
    {{ chart_figure(chart) }}      {# in a template #}
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pygal
from markupsafe import Markup
from pygal.etree import etree
from pygal.style import Style

# pygal registers a legacy import finder for its map plugins (which we do not use); it
# makes every later import warn, so it is taken off the import path again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

ChartKind = Literal["bar", "stacked", "hbar", "line", "pie"]

# The site's palette (web/static/site.css), in an order where neighbours stay distinct.
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2937",
    foreground_strong="#111827",
    foreground_subtle="#5b6472",
    opacity=".9",
    opacity_hover="1",
    transition="0ms",
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
    value_font_size=11,
    colors=(
        "#1d4ed8",
        "#15803d",
        "#b45309",
        "#b91c1c",
        "#6d28d9",
        "#0e7490",
        "#be185d",
        "#4d7c0f",
        "#475569",
        "#c2410c",
    ),
)

_KINDS: dict[str, type] = {
    "bar": pygal.Bar,
    "stacked": pygal.StackedBar,
    "hbar": pygal.HorizontalBar,
    "line": pygal.Line,
    "pie": pygal.Pie,
}


def plain_number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


@dataclass
class Chart:
    """What to draw: ``series`` maps a name to one value per label (None: no value)."""

    title: str
    labels: Sequence[str]
    series: Mapping[str, Sequence[float | None]]
    kind: ChartKind = "bar"
    unit: str = ""  # shown after values in the table and on the value axis title
    value_format: Callable[[float | None], str] = plain_number
    description: str = ""  # a sentence for screen readers: what the chart shows
    height: int = 300
    max_value: float | None = None  # e.g. 100 for percentages
    _id: str = field(default="", repr=False)

    @property
    def is_empty(self) -> bool:
        return not self.labels or all(
            value in (None, 0) for values in self.series.values() for value in values
        )

    def rows(self) -> list[tuple[str, list[str]]]:
        """The figures as table rows: a label and one formatted value per series."""
        return [
            (label, [self.value_format(values[i]) for values in self.series.values()])
            for i, label in enumerate(self.labels)
        ]

    def svg(self) -> Markup:
        """The chart as an inline ``<svg>`` element, without pygal's scripts."""
        chart = _KINDS[self.kind](
            style=STYLE,
            js=[],
            disable_xml_declaration=True,
            explicit_size=False,
            width=760,
            height=self.height,
            show_legend=len(self.series) > 1 or self.kind == "pie",
            legend_at_bottom=True,
            legend_at_bottom_columns=min(len(self.series) or 1, 4),
            x_label_rotation=30 if len(self.labels) > 8 and self.kind != "hbar" else 0,
            show_minor_x_labels=len(self.labels) <= 16,
            truncate_label=24,
            print_values=False,
            y_title=self.unit or None,
            range=(0, self.max_value) if self.max_value is not None else None,
            include_x_axis=self.kind != "pie",
            margin=8,
            no_data_text="No data for this period",
            value_formatter=self.value_format,
        )
        labels, series = list(self.labels), {k: list(v) for k, v in self.series.items()}
        if self.kind == "hbar":  # pygal draws the first bar at the bottom; people read down
            labels, series = labels[::-1], {k: v[::-1] for k, v in series.items()}
        ticks = _whole_number_ticks(series.values(), stacked=self.kind == "stacked")
        if ticks and self.max_value is None:
            chart.y_labels = ticks
        if self.kind == "pie":
            for name, values in zip(labels, _columns(series), strict=False):
                chart.add(name, values[0] if values else None)
        else:
            chart.x_labels = labels
            if len(labels) > 16:
                step = math.ceil(len(labels) / 12)
                chart.x_labels_major = labels[::step]
            for name, values in series.items():
                chart.add(name, values)
        root = chart.render_tree()
        for parent in root.iter():
            for child in list(parent):
                # Scripts (blocked by our CSP anyway) and the generator's comments.
                if not isinstance(child.tag, str) or child.tag.endswith("script"):
                    parent.remove(child)
        root.set("role", "img")
        root.set("aria-label", self.description or self.title)
        root.set("focusable", "false")
        return Markup(etree.tostring(root, encoding="unicode"))


def _whole_number_ticks(
    series: Iterable[Sequence[float | None]], *, stacked: bool = False
) -> list[int] | None:
    """Ticks 0, n, 2n … for counts, so an axis never reads 0.2 people; None for fractions."""
    rows = [list(values) for values in series]
    values = [v for row in rows for v in row if v is not None]
    if not values or any(float(v) != int(v) for v in values):
        return None
    if stacked:
        top = max(sum(v or 0 for v in column) for column in zip(*rows, strict=False))
    else:
        top = max(values)
    top = max(int(top), 1)
    step = max(1, math.ceil(top / 8))
    return list(range(0, top + step, step))


def _columns(series: Mapping[str, Sequence[float | None]]) -> list[list[float | None]]:
    """A pie has one value per label: the first series, one slice per label."""
    first = next(iter(series.values()), [])
    return [[value] for value in first]
