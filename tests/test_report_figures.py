"""Every figure function on small tables whose answers are known (tests/report_tables.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import yaml

import servsim
from servsim import report
from servsim.report import exchange, style
from servsim.report.run_figures import binned_average
from tests import report_tables
from tests.conftest import SMALL_SHOP


def _trace(figure: go.Figure, name: str) -> go.Scatter:
    matches = [trace for trace in figure.data if trace.name == name]
    assert len(matches) == 1, f"no single trace named {name!r}: {[t.name for t in figure.data]}"
    return matches[0]


def _points(trace: go.Scatter) -> list[int]:
    return [int(point) for point in trace.customdata]


@pytest.fixture(scope="module")
def sweep() -> servsim.SweepResults:
    return report_tables.sweep()


@pytest.fixture(scope="module")
def run() -> servsim.Results:
    scenario = servsim.load_scenario(yaml.safe_load(SMALL_SHOP.replace("10d", "5d")))
    return servsim.simulate(scenario, replications=2, seed=3)


# The exchange curve


def test_the_frontier_trace_holds_exactly_the_efficient_points_cheapest_first(sweep):
    figure = report.exchange_curve(sweep)
    frontier = _trace(figure, "efficient frontier")
    assert _points(frontier) == report_tables.FRONTIER
    assert frontier.mode == "lines+markers+text"
    assert list(frontier.text) == ["0", "1", "3"]
    assert list(frontier.x) == sorted(frontier.x)


def test_dominated_points_are_faded_and_the_indistinguishable_apart(sweep):
    figure = report.exchange_curve(sweep)
    dominated = _trace(figure, "dominated")
    close = _trace(figure, "indistinguishable from the frontier")
    assert sorted(_points(dominated)) == report_tables.DOMINATED
    assert _points(close) == report_tables.INDISTINGUISHABLE
    assert dominated.opacity < 0.5 < close.opacity <= 1
    assert dominated.mode == "markers"


def test_every_point_has_error_bars_on_both_axes_from_its_interval(sweep):
    figure = report.exchange_curve(sweep)
    frontier = _trace(figure, "efficient frontier")
    # point 0, 1, 3: cost half-widths 0.5; satisfaction half-widths 0.01, 0.02, 0.01
    np.testing.assert_allclose(frontier.error_x.array, [0.5, 0.5, 0.5])
    np.testing.assert_allclose(frontier.error_x.arrayminus, [0.5, 0.5, 0.5])
    np.testing.assert_allclose(frontier.error_y.array, [0.01, 0.02, 0.01])
    wide = _trace(figure, "indistinguishable from the frontier")
    np.testing.assert_allclose(wide.error_x.array, [2.0])


def test_a_rates_interval_is_cut_to_zero_and_one_where_the_t_interval_reaches_past():
    summary = pd.DataFrame(
        {"otif_mean": [0.95, 0.05], "otif_lo": [0.85, -0.04], "otif_hi": [1.05, 0.14]}
    )
    figure = go.Figure(
        go.Scatter(x=[0, 1], y=[0.95, 0.05], error_y=exchange._error_bars(summary, "otif", "black"))
    )
    np.testing.assert_allclose(figure.data[0].error_y.array, [0.05, 0.09])
    np.testing.assert_allclose(figure.data[0].error_y.arrayminus, [0.10, 0.05])
    assert style.format_interval("otif", 0.95, 0.85, 1.05) == "95.0% [85.0%, 100.0%]"
    assert style.format_interval("otif[trade]", 0.05, -0.04, 0.14) == "5.0% [0.0%, 14.0%]"
    # a cost cannot be negative (issue 14 item 5); a profit can
    assert style.format_interval("cost_per_order", 5.0, -1.0, 11.0).endswith("[0.00, 11.00]")
    assert style.format_interval("profit_per_order", 5.0, -1.0, 11.0).endswith("[-1.00, 11.00]")


def test_points_meeting_every_standard_are_ringed_and_the_cheapest_starred(sweep):
    figure = report.exchange_curve(sweep)
    meeting = _trace(figure, "meets every standard")
    assert sorted(_points(meeting)) == report_tables.MEETING
    assert meeting.marker.color == style.STATUS_COLOURS["met"]
    best = _trace(figure, "recommended")
    assert _points(best) == [1]
    assert best.marker.symbol == "star"


def test_without_standards_nothing_is_ringed_or_starred(sweep):
    figure = report.exchange_curve(report_tables.sweep(standards={}))
    names = {trace.name for trace in figure.data}
    assert "meets every standard" not in names and "recommended" not in names


def test_axes_are_titled_with_units_and_rates_read_as_percentages(sweep):
    figure = report.exchange_curve(sweep)
    assert figure.layout.xaxis.title.text == "Cost per order"
    assert figure.layout.yaxis.title.text == "Satisfaction (mean score, 0-1)"
    by_otif = report.exchange_curve(sweep, y="otif")
    assert by_otif.layout.yaxis.title.text == "OTIF (on time in full) (%)"
    assert by_otif.layout.yaxis.tickformat == ".0%"


def test_hover_text_names_the_parameters_and_the_intervals(sweep):
    frontier = _trace(report.exchange_curve(sweep), "efficient frontier")
    text = frontier.hovertext[1]
    assert "point 1" in text and "staff = 1" in text and "stock = 20" in text
    assert "Cost per order: 12.00 [11.50, 12.50]" in text
    assert "OTIF (on time in full): 93.0% [91.0%, 95.0%]" in text


def test_a_kpi_to_lower_on_the_y_axis_turns_the_frontier_around(sweep):
    figure = report.exchange_curve(sweep, y="satisfaction_mean", y_better="lower")
    # cheapest and least satisfying at once: point 0 beats every other
    assert _points(_trace(figure, "efficient frontier")) == [0]


def test_an_unknown_kpi_is_a_clear_error(sweep):
    with pytest.raises(ValueError, match="'nope' is not a KPI"):
        report.exchange_curve(sweep, y="nope")


# KPI by parameter, heatmap


def test_kpi_by_parameter_draws_a_line_and_a_band_per_value_of_the_second(sweep):
    figure = report.kpi_by_parameter(sweep, "cost_per_order", "stock", by="staff")
    lines = [trace for trace in figure.data if trace.fill != "toself"]
    bands = [trace for trace in figure.data if trace.fill == "toself"]
    assert [trace.name for trace in lines] == ["staff 1", "staff 2"]
    assert len(bands) == 2
    assert list(lines[0].x) == [10, 20, 30]
    assert list(lines[0].y) == [10.0, 12.0, 15.0]
    # the band runs along the upper bounds and back along the lower ones
    assert list(bands[0].y) == [10.5, 12.5, 15.5, 14.5, 11.5, 9.5]
    assert figure.layout.xaxis.title.text == "stock"
    assert figure.layout.yaxis.title.text == "Cost per order"


def test_kpi_by_parameter_draws_the_standard_and_holds_other_parameters(sweep):
    figure = report.kpi_by_parameter(sweep, "otif", "stock", by=None)
    assert [trace.name for trace in figure.data if trace.fill != "toself"] == ["otif"]
    # staff held at the recommended point's value (point 1: staff 1)
    assert "other parameters at staff 1" in figure.layout.title.text
    assert list(figure.data[1].y) == pytest.approx([0.65, 0.93, 0.90])
    targets = [shape.y0 for shape in figure.layout.shapes]
    assert targets == [0.9]


def test_kpi_by_parameter_holds_what_it_is_told(sweep):
    figure = report.kpi_by_parameter(sweep, "otif", "stock", by=None, at={"staff": 2})
    assert list(figure.data[1].y) == pytest.approx([0.97, 0.84, 0.94])
    with pytest.raises(ValueError, match="'crew' is not a parameter"):
        report.kpi_by_parameter(sweep, "otif", "crew")


def test_kpi_heatmap_places_each_point_in_its_cell(sweep):
    figure = report.kpi_heatmap(sweep, "cost_per_order", x="staff", y="stock")
    heatmap = figure.data[0]
    assert list(heatmap.x) == ["1", "2"] and list(heatmap.y) == ["10", "20", "30"]
    np.testing.assert_allclose(np.array(heatmap.z), [[10, 20], [12, 13], [15, 25]])
    assert heatmap.text[1][1] == "13.00<br>[11.00, 15.00]"
    assert figure.layout.xaxis.title.text == "staff"
    assert figure.layout.yaxis.title.text == "stock"


# Cost breakdown


def test_cost_breakdown_stacks_every_nonzero_term_of_the_chosen_points(sweep):
    figure = report.cost_breakdown(sweep)
    bars = [trace for trace in figure.data if isinstance(trace, go.Bar)]
    assert [bar.name for bar in bars] == ["holding", "transport"]  # emergency is always 0
    assert figure.layout.barmode == "stack"
    # the efficient points and the recommended one (1), cheapest first
    assert [label.split("<br>")[0] for label in bars[0].x] == ["point 0", "point 1", "point 3"]
    # per order: the mean over runs of term / orders adds up to the mean cost per order
    totals = np.sum([np.array(bar.y) for bar in bars], axis=0)
    np.testing.assert_allclose(totals, [10.0, 12.0, 20.0])
    np.testing.assert_allclose(bars[0].y, [2.5, 3.0, 5.0])
    assert bars[0].marker.color == style.cost_colour("cost_holding")


def test_cost_breakdown_takes_new_cost_terms_and_chosen_points(sweep):
    runs = report_tables.runs().assign(cost_goodwill=1.0)
    grown = servsim.SweepResults(
        runs=runs, summary=report_tables.summary(), parameters=("staff", "stock")
    )
    figure = report.cost_breakdown(grown, points=[5, 2], per_order=False)
    bars = [trace for trace in figure.data if isinstance(trace, go.Bar)]
    assert [bar.name for bar in bars] == ["holding", "transport", "goodwill"]
    assert [label.split("<br>")[0] for label in bars[0].x] == ["point 5", "point 2"]
    np.testing.assert_allclose(bars[2].y, [1.0, 1.0])
    with pytest.raises(ValueError, match="no point 9"):
        report.cost_breakdown(grown, points=[9])


def test_cost_colours_are_fixed_per_term():
    assert style.cost_colour("cost_holding") != style.cost_colour("cost_transport")
    assert style.cost_colour("cost_new_thing") == style.cost_colour("cost_new_thing")


# Standards


def test_standards_table_colours_each_policy_by_status_cheapest_first(sweep):
    table = report.standards_table(sweep).data[0]
    header = [name.strip("<b>/") for name in table.header.values]
    assert header[:3] == ["point", "staff", "stock"] and "otif >= 0.9" in header
    assert list(table.cells.values[0]) == [0, 1, 4, 2, 3, 5]
    column = header.index("otif >= 0.9")
    statuses = ["missed", "met", "missed", "unclear", "met", "met"]
    assert [cell.split("<br>")[0] for cell in table.cells.values[column]] == statuses
    assert list(table.cells.fill.color[column]) == [style.STATUS_FILLS[s] for s in statuses]
    assert list(table.cells.values[-1]) == ["no", "yes", "no", "no", "yes", "yes"]


def test_standards_table_of_one_scenario_from_its_table():
    checked = pd.DataFrame(
        {
            "standard": ["otif >= 0.95", "otif[trade] >= 0.9", "cycle_p95 <= 48"],
            "kpi": ["otif", "otif", "cycle_p95"],
            "segment": [None, "trade", None],
            "operator": [">=", ">=", "<="],
            "target": [0.95, 0.9, 48.0],
            "mean": [0.97, 0.91, 50.0],
            "lo": [0.96, 0.88, 49.0],
            "hi": [0.98, 0.94, 51.0],
            "status": ["met", "unclear", "missed"],
        }
    )
    table = report.standards_table(checked).data[0]
    assert list(table.cells.values[0]) == list(checked["standard"])
    assert list(table.cells.values[1])[0] == "97.0% [96.0%, 98.0%]"
    assert list(table.cells.fill.color[2]) == [
        style.STATUS_FILLS[status] for status in ("met", "unclear", "missed")
    ]
    with pytest.raises(ValueError, match="needs the columns"):
        report.standards_table(checked.drop(columns="status"))


def test_no_standards_no_standards_table():
    with pytest.raises(ValueError, match="no standards"):
        report.standards_table(report_tables.sweep(standards={}))


# Runs


def test_binned_average_is_the_time_average_over_each_bin():
    edges, averages = binned_average(
        np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 4.0]), 0.0, 4.0, bins=2
    )
    np.testing.assert_allclose(edges, [0.0, 2.0, 4.0])
    np.testing.assert_allclose(averages[:2], [1.0, 3.0])
    steps, values = binned_average(np.array([0.0, 1.0]), np.array([5.0, 6.0]), 0.0, 4.0, 10)
    np.testing.assert_allclose(steps, [0.0, 1.0, 4.0])
    np.testing.assert_allclose(values, [5.0, 6.0, 6.0])


def test_levels_over_time_has_a_panel_per_level_and_a_line_per_sku(run):
    figure = report.levels_over_time(run)
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert {"On hand (units)", "Backorders (units)", "Busy staff (clerks)"} <= set(titles)
    assert [trace.name for trace in figure.data] == ["A", "B", "A", "B", "busy staff"]
    assert figure.data[0].line.shape == "hv"
    assert figure.layout.xaxis3.title.text == "time (hours)"
    first = run.stock_levels.query("replication == 0 and sku == 'A'")
    assert figure.data[0].y[0] == first["on_hand"].iloc[0]
    assert max(figure.data[0].x) == pytest.approx(run.scenario.horizon)


def test_cycle_time_ecdf_runs_to_one_and_marks_the_promise(run):
    figure = report.cycle_time_ecdf(run)
    curve = figure.data[0]
    assert list(curve.x) == sorted(curve.x)
    assert curve.y[-1] == pytest.approx(1.0)
    assert [shape.x0 for shape in figure.layout.shapes] == [48.0]
    assert figure.layout.xaxis.title.text == "order cycle time (hours)"
    orders = run.orders.query("counted and outcome == 'delivered'")
    within = (orders["cycle_time"] <= 48).mean()
    assert f"{within:.0%} within" in figure.layout.annotations[0].text


def test_dissatisfaction_causes_averages_each_shortfall_over_counted_known_orders():
    orders = pd.DataFrame(
        {
            "segment": ["a", "a", "b", "b", "b"],
            "counted": [True, True, True, True, False],
            "known": [True, True, True, False, True],
            "shortfall_reliability": [0.2, 0.0, 0.4, 0.9, 0.9],
            "shortfall_responsiveness": [0.1, 0.1, 0.1, 0.9, 0.9],
            "satisfaction": [0.7, 0.9, 0.5, 0.0, 0.0],
        }
    )
    figure = report.dissatisfaction_causes(orders)
    bars = figure.data[0]
    assert list(bars.y) == ["reliability", "responsiveness"]
    np.testing.assert_allclose(bars.x, [20.0, 10.0])  # points of 100
    assert list(bars.text) == ["20 (67%)", "10 (33%)"]
    assert figure.layout.xaxis.title.text == "satisfaction points lost per order (mean, of 100)"
    by_segment = report.dissatisfaction_causes(orders, by="segment")
    assert [trace.name for trace in by_segment.data] == ["a", "b"]
    np.testing.assert_allclose(by_segment.data[1].x, [40.0, 10.0])
    with pytest.raises(ValueError, match="shortfall_"):
        report.dissatisfaction_causes(
            orders.drop(columns=["shortfall_reliability", "shortfall_responsiveness"])
        )


def test_cost_breakdown_of_one_scenario_is_one_bar(run):
    figure = report.cost_breakdown(run)
    bars = [trace for trace in figure.data if isinstance(trace, go.Bar)]
    assert all(list(bar.x) == [run.scenario.name] for bar in bars)
    total = sum(bar.y[0] for bar in bars)
    assert total == pytest.approx(run.kpis["cost_per_order"].mean())


def test_axis_titles_carry_units():
    assert style.axis_title("cycle_p95", "hours") == "Order cycle time, p95 (hours)"
    assert style.axis_title("processing_wait", "days") == "Processing wait (days)"
    assert style.axis_title("unit_fill_rate") == "Unit fill rate (%)"
    assert style.tick_format("complaint_rate") == ".0%"
    assert style.format_interval("otif", 0.9, float("nan"), float("nan")) == "90.0%"
