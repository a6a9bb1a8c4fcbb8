"""Charts' layout rules, read off the SVG: text that fits, one type scale, nothing cut."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from accord.components.charts import GLYPH, LABEL_PX, LEGEND_PX, NARROW, WIDE, Chart

SVG = "{http://www.w3.org/2000/svg}"
CATEGORIES = ["Network and connectivity", "Accounts and access", "Email and collaboration"]


def tree(chart: Chart, width: int = WIDE) -> ET.Element:
    return ET.fromstring(str(chart.drawing(width)))


def texts(root: ET.Element, group: str) -> list[ET.Element]:
    return [
        t
        for g in root.iter(f"{SVG}g")
        if group in g.get("class", "").split()
        for t in g.iter(f"{SVG}text")
    ]


def hover(text: ET.Element) -> str | None:
    found = text.find(f"{SVG}title")
    return None if found is None else found.text


def test_every_chart_draws_its_text_in_the_sites_type_scale():
    for chart in (
        Chart("Bars", ["a", "b"], {"x": [1, 2], "y": [2, 1]}),
        Chart("Pie", ["a", "b"], {"x": [1, 2]}, kind="pie"),
        Chart("Lines", ["a", "b"], {"x": [1, 2]}, kind="line", unit="hours"),
    ):
        style = tree(chart).find(f"{SVG}defs/{SVG}style").text
        sizes = set(re.findall(r"font-size:(\d+)px", style))
        assert sizes == {str(LABEL_PX), str(LEGEND_PX)}, chart.title


def test_a_chart_is_drawn_for_a_card_and_for_a_phone_and_scales_to_its_figure():
    svg = str(Chart("People", ["a", "b"], {"People": [1, 3]}).svg())
    assert 'chart-wide" viewBox="0 0 800 300"' in svg
    assert 'chart-narrow" viewBox="0 0 360 300"' in svg
    assert not re.search(r"<svg[^>]* width=", svg)  # no fixed size: CSS sets the width


def test_a_long_category_name_is_shortened_and_shows_in_full_on_hover():
    root = tree(Chart("By category", CATEGORIES, {"Logged": [3, 2, 1]}), NARROW)
    labels = {t.text: hover(t) for t in texts(root, "axis")}
    assert "Network and connectivity" not in labels
    shortened = next(text for text in labels if text.startswith("Network"))
    assert shortened.endswith("…") and labels[shortened] == "Network and connectivity"


def test_a_name_that_fits_has_no_hover_text():
    root = tree(Chart("By channel", ["Phone", "Email"], {"Logged": [3, 2]}), NARROW)
    assert {t.text: hover(t) for t in texts(root, "axis")}["Phone"] is None


def test_bars_whose_names_cannot_be_read_underneath_lie_beside_them_instead():
    chart = Chart("By category", CATEGORIES * 3, {"Logged": list(range(9))})
    assert "horizontalbar-graph" in str(chart.drawing(NARROW))
    assert "horizontalbar-graph" not in str(Chart("Two", ["a", "b"], {"n": [1, 2]}).drawing(NARROW))


def test_a_time_line_names_only_every_few_days_on_a_phone_so_dates_never_touch():
    days = [f"{d} Nov" for d in range(1, 31)]
    root = tree(Chart("Logged", days, {"Logged": [1] * 30}, kind="line"), NARROW)
    shown = [t for t in texts(root, "x") if t.text in days]
    xs = [float(t.get("x")) for t in shown]
    widest = max(len(day) for day in days) * LABEL_PX * GLYPH
    assert 2 < len(shown) < 30
    assert all(b - a > widest for a, b in zip(xs, xs[1:], strict=False))


def test_legend_names_fit_the_width_and_the_shortened_ones_show_in_full_on_hover():
    names = ["A series with a rather long descriptive name", "Another long-winded name", "Short"]
    root = tree(Chart("Many", ["a", "b"], {n: [1, 2] for n in names}), NARROW)
    legends = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legends")
    left = float(re.search(r"translate\(([\d.]+)", legends.get("transform"))[1])
    for text in legends.iter(f"{SVG}text"):
        right = left + float(text.get("x")) + len(text.text) * LEGEND_PX * GLYPH
        assert right <= NARROW, text.text
    assert hover(next(legends.iter(f"{SVG}text"))) == names[0]


def test_every_legend_row_is_inside_the_drawing():
    series = {f"Series {i}": [1, 2] for i in range(5)}  # 4 columns: a second row of one
    root = tree(Chart("Five", ["a", "b"], series), WIDE)
    legends = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legends")
    top = float(re.search(r"translate\([\d.]+, ([\d.]+)", legends.get("transform"))[1])
    lowest = max(float(t.get("y")) for t in legends.iter(f"{SVG}text"))
    height = float(root.get("viewBox").split()[3])
    assert top + lowest <= height


def test_horizontal_bars_put_the_unit_under_the_values_not_beside_the_names():
    root = tree(Chart("Hours", CATEGORIES, {"Mean": [1, 2, 3]}, kind="hbar", unit="hours"))
    title = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "title")
    assert title.text == "hours" and float(title.get("y")) > 0.8 * 300


def test_a_unit_the_values_already_show_gets_no_axis_title():
    chart = Chart(
        "Met",
        ["a"],
        {"Met": [90]},
        kind="hbar",
        unit="%",
        max_value=100,
        value_format=lambda v: f"{v:.0f}%",
    )
    assert not [t for t in tree(chart).iter(f"{SVG}text") if t.get("class") == "title"]


def test_a_percentage_axis_along_a_phone_has_few_enough_ticks_to_read():
    chart = Chart(
        "Met",
        CATEGORIES,
        {"Met": [90, 80, 70]},
        kind="hbar",
        max_value=100,
        value_format=lambda v: f"{v:.1f}%",
    )
    ticks = [t.text for t in texts(tree(chart, NARROW), "x") if t.text.endswith("%")]
    assert ticks == ["0.0%", "50.0%", "100.0%"]


def test_a_scale_of_one_to_five_has_a_tick_at_every_whole_score():
    chart = Chart(
        "Score",
        ["Service desk"],
        {"Average": [3.8]},
        kind="hbar",
        max_value=5,
        value_format=lambda v: f"{v:.2f}",
    )
    ticks = [t.text for t in texts(tree(chart), "x") if t.text[0].isdigit()]
    assert ticks == ["0.00", "1.00", "2.00", "3.00", "4.00", "5.00"]


def links(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{SVG}a"))


def test_a_bar_with_a_url_is_a_link_named_by_its_figure():
    chart = Chart(
        "By channel", ["Phone", "Email"], {"Logged": [3, 2]}, links={"Logged": ["/p?x=1", None]}
    )
    (link,) = links(tree(chart))
    assert link.get("href") == "/p?x=1"
    assert link.find(f"{SVG}title").text == "Phone: 3. Show these records"
    assert link.find(f"{SVG}rect") is not None  # the bar itself is what is clicked


def test_a_stacked_segment_names_its_series_too():
    chart = Chart(
        "Backlog",
        ["Under a day"],
        {"P1": [1], "P2": [4]},
        kind="stacked",
        links={"P1": ["/p1"], "P2": ["/p2"]},
    )
    names = {a.get("href"): a.find(f"{SVG}title").text for a in links(tree(chart))}
    assert names == {
        "/p1": "Under a day, P1: 1. Show these records",
        "/p2": "Under a day, P2: 4. Show these records",
    }


def test_horizontal_bars_keep_each_link_with_its_own_bar():
    chart = Chart(
        "Causes", ["a", "b", "c"], {"N": [1, 2, 3]}, kind="hbar", links={"N": ["/a", "/b", "/c"]}
    )
    names = {a.get("href"): a.find(f"{SVG}title").text for a in links(tree(chart))}
    assert names["/c"] == "c: 3. Show these records"


def test_a_chart_with_links_is_a_group_so_screen_readers_reach_them():
    plain = tree(Chart("x", ["a"], {"N": [1]}))
    linked = tree(Chart("x", ["a"], {"N": [1]}, links={"N": ["/a"]}))
    assert (plain.get("role"), linked.get("role")) == ("img", "group")


def test_an_empty_or_zero_value_has_no_link_to_tab_through():
    chart = Chart("x", ["a", "b", "c"], {"N": [None, 0, 2]}, links={"N": ["/a", "/b", "/c"]})
    assert [a.get("href") for a in links(tree(chart))] == ["/c"]


def test_horizontal_bars_are_reached_top_to_bottom_as_they_read():
    chart = Chart(
        "Causes", ["a", "b", "c"], {"N": [3, 2, 1]}, kind="hbar", links={"N": ["/a", "/b", "/c"]}
    )
    assert [a.get("href") for a in links(tree(chart))] == ["/a", "/b", "/c"]


def count_drawings(monkeypatch) -> list[int]:
    drawn: list[int] = []
    draw = Chart._draw

    def counted(self: Chart, width: int):
        drawn.append(width)
        return draw(self, width)

    monkeypatch.setattr(Chart, "_draw", counted)
    return drawn


def test_a_chart_with_the_same_figures_is_drawn_once(monkeypatch):
    def report_chart() -> Chart:  # as a page makes it: a new formatter each time
        return Chart("Kept", ["a", "b"], {"x": [1, 2]}, value_format=lambda v: f"{v} h")

    drawn = count_drawings(monkeypatch)
    first, again = report_chart().svg(), report_chart().svg()
    assert again == first
    assert drawn == [WIDE, NARROW]


def test_other_figures_are_drawn_anew(monkeypatch):
    drawn = count_drawings(monkeypatch)
    one = Chart("Changed", ["a", "b"], {"x": [1, 2]}).drawing(WIDE)
    other = Chart("Changed", ["a", "b"], {"x": [1, 3]}).drawing(WIDE)
    linked = Chart("Changed", ["a", "b"], {"x": [1, 3]}, links={"x": ["/a", "/b"]}).drawing(WIDE)
    assert len(drawn) == 3
    assert len({one, other, linked}) == 3
