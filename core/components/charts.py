"""Charts drawn on the server as inline SVG (pygal), each with its figures as a table.

A chart is data: categories along one axis and one or more named series of
numbers. Pages show the SVG and, under it, the same figures in a table that
screen readers and keyboard users can read; nothing needs JavaScript.

    chart = Chart("Incidents by channel", kind="bar", labels=["Phone", "Email"],
                  series={"Logged": [12, 30], "Resolved": [10, 28]},
                  links={"Logged": [url_phone, url_email], "Resolved": [None, None]})
    {{ chart.svg() }}      {# in a template: one drawing for a card, one for a phone #}
"""

from __future__ import annotations

import math
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from markupsafe import Markup

if TYPE_CHECKING:
    from pygal.etree import etree

ChartKind = Literal["bar", "stacked", "hbar", "line", "pie"]  # drawing may also use "hstacked"

# One type scale for every chart, in px at 1:1, from site.css: labels and values as the
# tables' headers (0.8125rem), legends and axis titles as small text (0.875rem).
LABEL_PX, LEGEND_PX, TITLE_PX = 13, 14, 14
# Widths the SVG is drawn at: a desktop card and a phone. Pages show the one that fits the
# figure (a container query in site.css), so text is never drawn much smaller than these sizes.
WIDE, NARROW = 800, 360
GLYPH = 0.62  # a system sans glyph's mean width per px of font size (pygal assumes 0.6)
LEGEND_BOX = 12 + 5 + 10  # pygal's legend swatch, its gap to the name, and room between columns


@cache
def _pygal() -> tuple[dict[str, type], Any, Any]:
    """pygal's chart classes, the site's style and pygal's etree, imported on first use.

    pygal is a fifth of a second of every worker's start, and most pages draw no chart.
    """
    import pygal
    from pygal.etree import etree
    from pygal.style import Style

    # pygal registers a legacy import finder for its map plugins (which we do not use); it
    # makes every later import warn, so it is taken off the import path again.
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    kinds: dict[str, type] = {
        "bar": pygal.Bar,
        "stacked": pygal.StackedBar,
        "hbar": pygal.HorizontalBar,
        "hstacked": pygal.HorizontalStackedBar,
        "line": pygal.Line,
        "pie": pygal.Pie,
    }
    # The site's palette (web/static/site.css), in an order where neighbours stay distinct.
    style = Style(
        background="transparent",
        plot_background="transparent",
        foreground="#1f2937",
        foreground_strong="#111827",
        foreground_subtle="#5b6472",
        opacity=".9",
        opacity_hover="1",
        transition="0ms",
        font_family='system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
        label_font_size=LABEL_PX,
        major_label_font_size=LABEL_PX,
        legend_font_size=LEGEND_PX,
        title_font_size=TITLE_PX,
        value_font_size=LABEL_PX,
        value_label_font_size=LABEL_PX,
        tooltip_font_size=LABEL_PX,
        no_data_font_size=LEGEND_PX,
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
    return kinds, style, etree


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
    # One URL per value, shaped as ``series``: the list of the records a bar, segment or
    # point counts. Each is drawn as an SVG link, reachable by keyboard, named by its figure.
    links: Mapping[str, Sequence[str | None]] | None = None
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

    def link(self, name: str, index: int) -> str | None:
        """The URL behind series ``name``'s value at ``index``, if the chart has one."""
        urls = (self.links or {}).get(name) or ()
        return urls[index] if index < len(urls) else None

    def svg(self) -> Markup:
        """The chart drawn for a desktop card and for a phone; site.css shows the one that fits.

        Each is an inline ``<svg>`` with a viewBox (it scales to its figure's width), without
        pygal's scripts; the one not shown is ``display: none``, hidden from screen readers too.
        """
        return Markup(self.drawing(WIDE) + self.drawing(NARROW))

    def drawing(self, width: int) -> Markup:
        """The chart as one inline ``<svg>`` laid out for ``width`` px, its text at 1:1 there.

        A drawing depends only on the chart's figures, so the last few are kept: pygal takes
        tens of milliseconds a drawing, and a report or dashboard is mostly seen again with
        the same figures.
        """
        key = self._drawing_key(width)
        try:
            hash(key)
        except TypeError:  # a formatter closing over something unhashable: drawn every time
            return self._draw(width)
        with _DRAWN_LOCK:
            drawn = _DRAWN.get(key)
            if drawn is not None:
                _DRAWN.move_to_end(key)
                return drawn
        drawn = self._draw(width)
        with _DRAWN_LOCK:
            _DRAWN[key] = drawn
            while len(_DRAWN) > DRAWINGS_KEPT:
                _DRAWN.popitem(last=False)
        return drawn

    def _drawing_key(self, width: int) -> tuple[object, ...]:
        return (
            width,
            self.title,
            self.kind,
            tuple(self.labels),
            tuple((name, tuple(values)) for name, values in self.series.items()),
            self.unit,
            _formatter_key(self.value_format),
            self.description,
            self.height,
            self.max_value,
            tuple((name, tuple(urls)) for name, urls in (self.links or {}).items()),
            self._id,
        )

    def _draw(self, width: int) -> Markup:
        kinds, style, etree = _pygal()
        kind, height = self.kind, self.height
        if not _labels_fit(kind, self.labels, width):
            # Bars whose names cannot be read underneath are turned to lie beside them.
            kind = "hstacked" if kind == "stacked" else "hbar"
            height = max(height, 32 * len(self.labels) + 100)
        horizontal = kind in ("hbar", "hstacked")
        labels, series = list(self.labels), {k: list(v) for k, v in self.series.items()}
        links = {k: [self.link(k, i) for i in range(len(v))] for k, v in series.items()}
        if horizontal:  # pygal draws the first bar at the bottom; people read down
            labels, series = labels[::-1], {k: v[::-1] for k, v in series.items()}
            links = {k: v[::-1] for k, v in links.items()}
        full: dict[str, list[str]] = {}  # shortened text -> the full texts, for <title>s
        names = list(labels) if kind == "pie" else list(series)
        # pygal lines the legend up with the plot's left edge, right of the category names.
        left = 8 + (
            min(max(map(len, labels)) * LABEL_PX * GLYPH, width * 0.4) + 12 if horizontal else 48
        )
        legend = None
        if len(series) > 1 or kind == "pie":
            legend = _legend_layout(names, width - left - 8)
            if horizontal and legend.columns == 1:  # one column: it moves to the left edge
                legend = _legend_layout(names, width - 16, columns=1)
            height += legend.rows * 1.5 * LEGEND_PX  # the plot keeps its height under a legend
        axis = _category_layout(kind, labels, width)
        # Units a formatted value already shows (90.0%) need no axis title; the title sits on
        # the value axis, which horizontal bars draw along the bottom, never beside names.
        title = self.unit if self.unit and self.unit not in self.value_format(1) else None
        ticks = _value_ticks(self, kind, series.values(), width)
        # The last tick's text is centred on the plot's right edge: room for its half.
        right = _text_px(self.value_format(ticks[-1] if ticks else 100), LABEL_PX) / 2 + 4
        chart = kinds[kind](
            style=style,
            js=[],
            disable_xml_declaration=True,
            explicit_size=False,
            width=width,
            height=height,
            show_legend=legend is not None,
            legend_at_bottom=True,
            legend_at_bottom_columns=legend.columns if legend else 1,
            truncate_legend=-1,  # names are shortened here, with the full name kept for hover
            truncate_label=-1,
            show_minor_x_labels=axis.major is None,
            print_values=False,
            y_title=title if not horizontal else None,
            x_title=title if horizontal else None,
            range=(0, self.max_value) if self.max_value is not None else None,
            include_x_axis=kind != "pie",
            margin=8,
            margin_right=right if horizontal else 8,
            # pygal leaves room for floor(n / columns) legend rows, not ceil: the rest is added.
            margin_bottom=8 + (legend.missing_rows * 1.5 * LEGEND_PX if legend else 0),
            no_data_text="No data for this period",
            value_formatter=self.value_format,
        )
        if ticks:
            chart.y_labels = ticks

        def linked(name: str, label: str, value: float | None, url: str | None) -> object:
            if url is None or not value:  # nothing drawn (0 or no value): nothing to reach
                return value
            # The link's name for screen readers and on hover: what it counts and leads to.
            what = label if len(series) == 1 or kind == "pie" else f"{label}, {name}"
            title = f"{what}: {self.value_format(value)}. Show these records"
            return {"value": value, "xlink": {"href": url, "aria-label": title}}

        if kind == "pie":
            first = next(iter(series), "")
            for i, (name, values) in enumerate(zip(labels, _columns(series), strict=False)):
                url = links.get(first, [None] * len(labels))[i]
                chart.add(
                    _shorten(name, legend.chars if legend else 0, full),
                    [linked(first, name, values[0], url)],
                )
        else:
            chart.x_labels = [_shorten(label, axis.chars, full) for label in labels]
            if axis.major is not None:
                chart.x_labels_major = [chart.x_labels[i] for i in axis.major]
            for name, values in series.items():
                chart.add(
                    _shorten(name, legend.chars if legend else 0, full),
                    [
                        linked(name, label, value, url)
                        for label, value, url in zip(labels, values, links[name], strict=False)
                    ],
                )
        root = chart.render_tree()
        for parent in root.iter():
            for child in list(parent):
                # Scripts (blocked by our CSP anyway) and the generator's comments.
                if not isinstance(child.tag, str) or child.tag.endswith("script"):
                    parent.remove(child)
        if horizontal and legend and legend.columns == 1:
            for group in root.iter("g"):
                if group.get("class") == "legends":
                    top = re.search(r"translate\([\d.]+, ([\d.]+)\)", group.get("transform", ""))
                    group.set("transform", f"translate(8, {top[1] if top else 0})")
        seen: dict[str, int] = {}
        for text in root.iter("text"):  # pygal's tree is namespaced only when written out
            if text.text in full:  # a shortened label or name: its full text shows on hover
                n = seen.get(text.text, 0)
                seen[text.text] = n + 1
                etree.SubElement(text, "title").text = full[text.text][n % len(full[text.text])]
        if (
            horizontal
        ):  # drawn bottom-up: the bars' order in the page (and the tab order) reads down
            for group in root.iter("g"):
                if group.get("class") == "bars":
                    group[:] = list(group)[::-1]
        linked_any = _finish_links(root)
        root.set("class", f"{root.get('class', '')} chart-{'wide' if width >= WIDE else 'narrow'}")
        # A picture with links in it is a group: an image's content is hidden from screen readers.
        root.set("role", "group" if linked_any else "img")
        root.set("aria-label", self.description or self.title)
        root.set("focusable", "false")
        return Markup(etree.tostring(root, encoding="unicode"))


# Drawings kept by their figures (a few kB each), most recently used last.
DRAWINGS_KEPT = 256
_DRAWN: OrderedDict[tuple[object, ...], Markup] = OrderedDict()
_DRAWN_LOCK = threading.Lock()


def _formatter_key(format_value: Callable[[float | None], str]) -> object:
    """What a value formatter is: a lambda made anew on each page is the same code each time."""
    code = getattr(format_value, "__code__", None)
    if code is None:
        return format_value
    cells = tuple(cell.cell_contents for cell in getattr(format_value, "__closure__", None) or ())
    return (code, getattr(format_value, "__defaults__", None), cells)


def _finish_links(root: etree.Element) -> bool:
    """Make pygal's ``<a xlink:href>`` plain SVG 2 links with a title; True if there are any.

    ``href`` (not only ``xlink:href``) is what browsers put in the tab order today; the
    ``<title>`` is the hover text and the accessible name; pygal's ``<desc>`` repeating the
    URL would be read out, so it goes.
    """
    etree = _pygal()[2]
    found = False
    for link in root.iter("a"):
        href = link.get("{http://www.w3.org/1999/xlink}href") or link.get("xlink:href")
        if not href:
            continue
        found = True
        link.set("href", href)
        link.set("class", "chart-link")
        for child in list(link):
            if child.tag == "desc" and child.get("class") == "xlink":
                link.remove(child)
        title = link.get("aria-label", "")
        etree.SubElement(link, "title").text = title
    return found


def _text_px(text: str, font_px: int) -> float:
    return len(text) * font_px * GLYPH


def _shorten(text: str, chars: int, full: dict[str, list[str]]) -> str:
    """``text`` cut to ``chars`` with an ellipsis (0: as it is); remembers the full text."""
    if chars <= 0 or len(text) <= chars:
        return text
    short = text[: max(chars - 1, 1)].rstrip() + "…"
    full.setdefault(short, []).append(text)
    return short


@dataclass(frozen=True)
class _Legend:
    columns: int
    chars: int  # names longer than this are shortened (0: none is)
    rows: int
    missing_rows: int


def _legend_layout(names: Sequence[str], room: float, columns: int = 0) -> _Legend:
    """Legend entries below the plot, in as many columns as the longest name allows."""
    longest = max((_text_px(name, LEGEND_PX) for name in names), default=0) + LEGEND_BOX
    columns = columns or max(1, min(len(names), int(room // longest), 4))
    chars = int((room / columns - LEGEND_BOX) // (LEGEND_PX * GLYPH))
    rows = math.ceil(len(names) / columns)
    counted = max(len(names) // columns, 1)
    longest_name = max((len(name) for name in names), default=0)
    return _Legend(columns, chars if longest_name > chars else 0, rows, rows - counted)


@dataclass(frozen=True)
class _Axis:
    chars: int = 0  # category labels longer than this are shortened (0: none is)
    major: list[int] | None = None  # only these labels are shown (None: all)


def _slot_chars(labels: Sequence[str], width: int) -> int:
    """How many characters of a label fit under its bar: the plot's width over the labels."""
    return int(((width - 80) / max(len(labels), 1) - 8) // (LABEL_PX * GLYPH))


def _labels_fit(kind: str, labels: Sequence[str], width: int) -> bool:
    """Whether category names can be read under vertical bars, whole or nearly (14 chars)."""
    if kind not in ("bar", "stacked") or not labels:
        return True
    return _slot_chars(labels, width) >= min(max(len(label) for label in labels), 14)


def _category_layout(kind: str, labels: Sequence[str], width: int) -> _Axis:
    """How category labels fit without touching: whole, shortened, or only every k-th."""
    if kind == "pie" or not labels:
        return _Axis()
    char_px = LABEL_PX * GLYPH
    longest = max(len(label) for label in labels)
    if kind in ("hbar", "hstacked"):  # labels beside the bars: at most two fifths of the width
        return _Axis(chars=int(width * 0.4 // char_px))
    fits = _slot_chars(labels, width)
    if longest <= fits:
        return _Axis()
    if kind == "line":  # a time line: every k-th label, whole
        slot = (width - 80) / len(labels)
        step = math.ceil((min(longest, 12) * char_px + 12) / slot)
        return _Axis(chars=12, major=list(range(0, len(labels), step)))
    return _Axis(chars=fits)  # _labels_fit made sure that is at least 14 characters


def _value_ticks(
    chart: Chart, kind: str, series: Iterable[Sequence[float | None]], width: int
) -> list[int]:
    """Ticks along the value axis, as few as its width needs when it runs along the bottom."""
    most = 8
    if kind in ("hbar", "hstacked"):
        widest = _text_px(chart.value_format(chart.max_value or 100), LABEL_PX) + 16
        most = max(2, min(8, int((width * 0.55) // widest)))
    if chart.max_value is not None:
        steps = (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000)
        step = next((s for s in steps if chart.max_value / s <= most), steps[-1])
        return [v for v in range(0, int(chart.max_value) + 1, step)]
    stacked = kind in ("stacked", "hstacked")
    return _whole_number_ticks(series, stacked=stacked, most=most) or []


def _whole_number_ticks(
    series: Iterable[Sequence[float | None]], *, stacked: bool = False, most: int = 8
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
    step = max(1, math.ceil(top / most))
    return list(range(0, top + step, step))


def _columns(series: Mapping[str, Sequence[float | None]]) -> list[list[float | None]]:
    """A pie has one value per label: the first series, one slice per label."""
    first = next(iter(series.values()), [])
    return [[value] for value in first]
