"""The report of one scenario's run: standards and KPIs first, then the figures, then the
scenario as written."""

from __future__ import annotations

from contextlib import suppress

import pandas as pd
import yaml

from servsim.core.errors import ScenarioError
from servsim.core.formats import INTERVAL_METHOD
from servsim.core.kpi_columns import KPI_GROUPS
from servsim.report import document, style
from servsim.report.network import network_section
from servsim.report.policy_figures import cost_breakdown, run_standards, standards_table
from servsim.report.run_figures import (
    SHORTFALL,
    cycle_time_ecdf,
    dissatisfaction_causes,
    levels_over_time,
)
from servsim.run.results import Results
from servsim.scenario.loading import load_scenario

HEADLINE = (
    "otif",
    "unit_fill_rate",
    "cycle_p95",
    "satisfaction_mean",
    "complaint_rate",
    "retention_rate",
    "staff_utilisation",
    "cost_per_order",
    "orders",
)
"""The KPIs of the summary up front (those the run has)."""


def run_report(results: Results, title: str | None = None, confidence: float = 0.95) -> str:
    """The whole HTML page for a scenario's results."""
    scenario = results.scenario
    replications = len(results.kpis)
    subtitle = (
        f"{replications} replications, seed {results.seed}; horizon {scenario.horizon:g} "
        f"{scenario.time_unit}, of which warm-up {scenario.warmup:g}"
    )
    standards = run_standards(results, confidence)
    sections = [
        _summary(results, standards, confidence),
        _figures(results, standards, confidence),
        network_section(results, confidence) or "",
        document.section("All KPIs", _kpi_table(results, confidence)),
        _settings(results),
    ]
    return document.page(title or f"Run report: {scenario.name}", subtitle, sections)


def _summary(results: Results, standards: pd.DataFrame | None, confidence: float) -> str:
    parts = []
    if standards is not None:
        met = int((standards["status"] == "met").sum())
        verdict = (
            "meets every standard"
            if met == len(standards)
            else f"meets {met} of {len(standards)} standards"
        )
        parts.append(
            f'<div class="box"><p><b>This policy {verdict}</b> with {confidence:.0%} '
            "confidence.</p>"
            + document.table_html(
                ["standard", f"mean [{confidence:.0%} interval]", "status"],
                [
                    [
                        row.standard,
                        style.format_interval(row.kpi, row.mean, row.lo, row.hi),
                        row.status,
                    ]
                    for row in standards.itertuples()
                ],
                [["", "", str(status)] for status in standards["status"]],
            )
            + "</div>"
        )
    parts.append(
        document.paragraph(
            f"Every figure is a mean over {len(results.kpis)} independent replications with its "
            f"{confidence:.0%} confidence interval ({INTERVAL_METHOD}); n is the number of "
            f"replications that measured it. Times are in {results.scenario.time_unit}. "
            "Every KPI is listed at the end."
        )
    )
    parts.append(_kpi_table(results, confidence, HEADLINE))
    return document.section("Summary", *parts)


def _kpi_table(results: Results, confidence: float, only: tuple[str, ...] | None = None) -> str:
    """KPIs by group (the catalogue's, then any others), mean, interval and n."""
    summary = results.summary(confidence)
    grouped = {group: list(kpis) for group, kpis in KPI_GROUPS.items()}
    listed = {kpi for kpis in grouped.values() for kpi in kpis}
    grouped["Other"] = [kpi for kpi in summary.index if kpi not in listed]
    rows = []
    for group, kpis in grouped.items():
        shown = [k for k in kpis if k in summary.index and (only is None or k in only)]
        for index, kpi in enumerate(k for k in shown if pd.notna(summary.at[k, "mean"])):
            row = summary.loc[kpi]
            interval = style.format_interval(kpi, row["mean"], row["lo"], row["hi"])
            rows.append([group if index == 0 else "", kpi, interval, int(row["n"])])
    return document.table_html(["group", "KPI", f"mean [{confidence:.0%} interval]", "n"], rows)


def _figures(results: Results, standards: pd.DataFrame | None, confidence: float) -> str:
    parts = []
    if standards is not None:
        parts.append(
            document.figure_html(standards_table(standards, confidence=confidence), "standards")
        )
    with suppress(ValueError):  # no stock and no staff: no levels to draw
        parts.append(document.figure_html(levels_over_time(results), "levels-over-time"))
    parts.append(document.figure_html(cycle_time_ecdf(results), "cycle-time-ecdf"))
    if any(column.startswith(SHORTFALL) for column in results.orders.columns):
        parts.append(
            document.figure_html(dissatisfaction_causes(results), "dissatisfaction-causes")
        )
    parts.append(document.figure_html(cost_breakdown(results), "cost-breakdown"))
    return document.section("Figures", *parts)


def _settings(results: Results) -> str:
    scenario = results.scenario
    path = scenario.source_path
    if path is not None and path.is_file() and _same_as_file(results):
        heading, text = f"Scenario file {path}", path.read_text(encoding="utf-8")
    else:
        heading = "Scenario (as validated, with any overrides applied)"
        text = yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False)
    return document.section(
        "Settings", f"<h3>{document.escape(heading)}</h3>", document.preformatted(text)
    )


def _same_as_file(results: Results) -> bool:
    """Whether the scenario is its file as written (no overrides applied since)."""
    try:
        return load_scenario(results.scenario.source_path) == results.scenario  # type: ignore[arg-type]
    except (ScenarioError, OSError):
        return False
