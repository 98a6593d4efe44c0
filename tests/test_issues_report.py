"""Issue 14, the chart and report items (4, 8, 9, 10, 11): each seen in a report a planner
reads, each with its regression test. The browser tests open every kind of report in
headless Chromium and read the rendered SVG; their screenshots stay in test-artifacts/."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import servsim
from servsim import SweepResults, report
from servsim.report import style
from servsim.report.policy_figures import cost_breakdown
from servsim.report.sweep_figures import is_grid, kpi_by_each_parameter, kpi_heatmap
from servsim.search.evidence import FRESH
from tests.browser import PageVisit, chromium_for_tests, visit
from tests.conftest import ROOT
from tests.report_helpers import small_run, swept_folder
from tests.sweep_helpers import SMALL_SWEEP, write_experiment
from tests.test_optimize import TINY, search

ARTIFACTS = ROOT / "test-artifacts"

LHS_SWEEP = SMALL_SWEEP.replace("design: grid", "design: {method: lhs, n: 6}").replace(
    "  delivery.promise: {values: [24h, 48h]}\n",
    "  delivery.promise: {values: [24h, 48h]}\n"
    "  delivery.modes.standard:\n"
    "    - {transit: 24h, cost_per_shipment: 6}\n"
    "    - {transit: 24h, cost_per_shipment: 9}\n",
)
"""The small sweep as a Latin hypercube of 6 points, with a section-valued parameter."""


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> SweepResults:
    return SweepResults.from_folder(swept_folder(tmp_path_factory.mktemp("grid")))


@pytest.fixture(scope="module")
def lhs(tmp_path_factory: pytest.TempPathFactory) -> SweepResults:
    folder = tmp_path_factory.mktemp("lhs")
    servsim.sweep(write_experiment(folder, LHS_SWEEP), workers=1)
    return SweepResults.from_folder(folder / "results")


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, SweepResults]:
    folder = tmp_path_factory.mktemp("optimize") / "results"
    found = servsim.optimize(search(**TINY), workers=1, out=folder)
    assert found.winner is not None
    return found, SweepResults.from_folder(folder)


@pytest.fixture(scope="module")
def run() -> servsim.Results:
    return small_run(standards="standards: {otif: '>= 50%'}\n")


# --- item 4: one figure per source ----------------------------------------------------------
def test_issue14_item4_recommended_point_shows_search_and_final_check_apart(searched):
    found, sweep = searched
    best = found.winner.point
    figure = cost_breakdown(sweep)
    total = next(trace for trace in figure.data if trace.name == "total")
    labels = list(total.x)
    search_bar = next(label for label in labels if label.startswith(f"point {best}, search"))
    check_bar = next(label for label in labels if label.startswith(f"point {best}, final check"))
    totals = dict(zip(labels, total.y, strict=True))
    runs = sweep.runs[sweep.runs["point"] == best]
    per_order = runs["cost_total"] / runs["orders"]
    fresh = runs["replication"] >= FRESH
    assert fresh.any() and (~fresh).any()
    # each bar is its own runs' mean: the search's, the final check's; never both mixed
    assert totals[search_bar] == pytest.approx(per_order[~fresh].mean(), rel=1e-9)
    assert totals[check_bar] == pytest.approx(per_order[fresh].mean(), rel=1e-9)
    mixed = per_order.mean()
    assert all(value != pytest.approx(mixed, rel=1e-12) for value in totals.values())
    assert f"({int(fresh.sum())} fresh runs)" in check_bar
    assert "final check" in figure.layout.title.text


def test_issue14_item4_the_summary_and_the_curve_name_their_source(searched):
    found, sweep = searched
    page = report.report_html(sweep)
    assert "<th>recommended: search runs</th>" in page
    assert "<th>recommended: final check</th>" in page
    curve = report.exchange_curve(sweep)
    star = next(trace for trace in curve.data if trace.name == "recommended")
    assert star.text[0] == f"recommended: point {found.winner.point} (search runs)"


def test_issue14_item4_a_plain_sweep_has_one_bar_per_point(grid):
    figure = cost_breakdown(grid)
    total = next(trace for trace in figure.data if trace.name == "total")
    assert not any("search" in label or "final check" in label for label in total.x)


# --- item 8: tick formats from the range --------------------------------------------------
def test_issue14_item8_tick_decimals_follow_the_range():
    # a satisfaction axis from 0.985 to 1.0: ticks 0.002 apart need three decimals
    assert style.tick_format("satisfaction_mean", [0.985, 1.0]) == ".3f"
    assert style.tick_format("satisfaction_mean", [0.2, 0.9]) == ".2f"
    # a rate from 98.1% to 99.6%: ticks 0.2 points apart need one decimal of a percent
    assert style.tick_format("otif", [0.981, 0.996]) == ".1%"
    assert style.tick_format("otif", [0.4, 1.0]) == ".0%"
    assert style.tick_format("otif", [0.9991, 0.9994]) == ".3%"
    assert style.tick_format("cost_per_order", [1, 2]) == ""  # plotly's own: always exact


@pytest.mark.parametrize("lo, hi", [(0.9855, 0.9994), (0.97, 1.0), (0.2, 0.95), (0.99, 0.991)])
def test_issue14_item8_no_repeated_tick_labels(lo, hi):
    """Every tick step plotly may choose (1, 2 or 5 times a power of ten, at least the span
    over ten) reads distinctly at the chosen decimals."""
    for kpi in ("satisfaction_mean", "otif"):
        pattern = style.tick_format(kpi, [lo, hi])
        decimals = int(pattern[1:-1])
        span = hi - lo
        for power in range(-6, 1):
            for mantissa in (1, 2, 5):
                step = mantissa * 10.0**power
                if step < span / style.MOST_TICKS or step > span:
                    continue
                ticks = np.arange(np.ceil(lo / step), np.floor(hi / step) + 1) * step
                scale = 100 if pattern.endswith("%") else 1
                shown = [f"{scale * tick:.{decimals}f}" for tick in ticks]
                assert len(set(shown)) == len(shown), (kpi, step, shown)


def test_issue14_item8_heatmap_colour_bar_follows_its_range(grid):
    figure = kpi_heatmap(grid, "otif")
    z = np.asarray(figure.data[0].z, dtype=float)
    assert figure.data[0].colorbar.tickformat == style.tick_format("otif", z[np.isfinite(z)])


# --- item 9: legends, annotations, heatmap text, colours ------------------------------------
def test_issue14_item9_no_near_white_cost_colour():
    from servsim.core.kpi_columns import COST_TERMS

    for term in [*COST_TERMS, "cost_goodwill", "cost_something_new"]:
        colour = style.cost_colour(term)
        assert style.luminance(colour) < style.LIGHTEST, (term, colour)
    assert style.cost_colour("cost_goodwill") != "rgb(242,242,242)"
    assert style.luminance("rgb(242,242,242)") > style.LIGHTEST  # what goodwill was drawn in


def test_issue14_item9_no_two_cost_terms_look_alike():
    from servsim.core.kpi_columns import COST_TERMS

    colours = [style.cost_colour(term) for term in COST_TERMS]
    for i, first in enumerate(colours):
        for second in colours[i + 1 :]:
            assert style.colour_distance(first, second) > style.APART, (first, second)


def test_issue14_item9_legend_beside_the_plot_and_heatmap_text_readable(grid):
    figure = cost_breakdown(grid)
    assert figure.layout.legend.orientation == "v" and figure.layout.legend.x > 1
    heatmap = kpi_heatmap(grid, "otif")
    assert heatmap.data[0].textfont.size >= 11


def test_issue14_item9_promises_the_same_are_one_annotation(run):
    figure = report.cycle_time_ecdf(run)
    texts = [annotation.text for annotation in figure.layout.annotations]
    assert len(texts) == len(set(texts))


# --- item 10: parameter values as a planner reads them --------------------------------------
def test_issue14_item10_sections_read_as_words_not_json():
    assert style.show_value({"promise": "48h", "mode": "express"}) == "promise 48h, mode express"
    assert style.show_value('{"mode": "express", "promise": "48h"}') == "mode express, promise 48h"
    assert style.show_value({"a": {"b": 1}}) == "a (b 1)"
    assert style.show_value(2.0) == "2" and style.show_value("48h") == "48h"


def test_issue14_item10_no_json_in_the_sweep_report(lhs):
    page = report.report_html(lhs)
    assert '{"cost_per_shipment"' not in page and "{&quot;cost_per_shipment" not in page
    assert "cost_per_shipment 9" in page


def test_issue14_item10_a_section_parameter_keeps_its_sections_name(lhs):
    from servsim.report.points import parameter_names

    names = parameter_names(lhs)
    assert names["delivery.modes.standard"] == "modes.standard"  # not a bare "standard"
    assert names["processing.staff"] == "staff"


def test_issue14_item10_an_lhs_sweep_gets_a_scatter_per_parameter(lhs, grid):
    assert is_grid(grid) and not is_grid(lhs)
    figure = kpi_by_each_parameter(lhs, "otif")
    points = [trace for trace in figure.data if trace.name == "points"]
    assert len(points) == len(lhs.parameters)  # one panel a parameter
    assert all(len(trace.y) == len(lhs.summary) for trace in points)  # every point in each
    page = report.report_html(lhs)
    assert "against each parameter" in page and 'data-figure="heatmap-' not in page
    assert "against each parameter" not in report.report_html(grid)


# --- item 11: the browser test reads the rendered SVG ---------------------------------------
@pytest.fixture(scope="module")
def browser() -> str:
    return chromium_for_tests()


@pytest.fixture(scope="module")
def pages(browser, grid, lhs, searched, run, tmp_path_factory) -> dict[str, PageVisit]:
    folder = tmp_path_factory.mktemp("pages")
    sources = {"grid-sweep": grid, "lhs-sweep": lhs, "optimizer": searched[1], "run": run}
    visits = {}
    for name, source in sources.items():
        page = report.write_report(source, folder / f"{name}.html")
        visits[name] = visit(browser, page, ARTIFACTS / f"issue14-{name}.png")
    return visits


REPORTS = ["grid-sweep", "lhs-sweep", "optimizer", "run"]


@pytest.mark.parametrize("name", REPORTS)
def test_issue14_item11_no_two_tick_labels_of_an_axis_equal(pages, name):
    seen = pages[name]
    assert seen.layout and any(chart["axes"] for chart in seen.layout)
    assert seen.repeated_ticks() == []


@pytest.mark.parametrize("name", REPORTS)
def test_issue14_item11_no_legend_or_annotation_overlaps_text(pages, name):
    seen = pages[name]
    kinds = {box["kind"] for chart in seen.layout for box in chart["boxes"]}
    assert {"title", "tick"} <= kinds
    assert seen.overlaps() == []


def test_issue14_item11_heatmap_text_at_least_11px(pages):
    smallest = pages["grid-sweep"].smallest_heatmap_text()
    assert smallest is not None and smallest >= 11


@pytest.mark.parametrize("name", REPORTS)
def test_issue14_item11_a_screenshot_of_each_report_is_kept(pages, name):
    screenshot = ARTIFACTS / f"issue14-{name}.png"
    assert screenshot.stat().st_size > 10_000


def test_issue14_item11_the_checks_catch_what_they_look_for():
    """The checks themselves fail on what the issue saw: repeated ticks, overlapping boxes."""
    seen = PageVisit()
    label = {"kind": "annotation", "text": "98% within", "left": 0, "right": 50}
    seen.layout = [
        {
            "figure": "f",
            "axes": {"y0": ["1.00", "1.00", "0.99"]},
            "boxes": [
                {**label, "top": 0, "bottom": 10},
                {**label, "text": "99% within", "left": 20, "right": 70, "top": 5, "bottom": 15},
            ],
            "heatmap_text": [6.0],
        }
    ]
    assert seen.repeated_ticks() and seen.overlaps() and seen.smallest_heatmap_text() == 6.0
    assert copy.deepcopy(seen.layout)[0]["axes"]["y0"].count("1.00") == 2
