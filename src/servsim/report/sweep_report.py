"""The decision-review report of a sweep: the recommendation first, then the evidence.

The recommended policy is the cheapest point meeting every standard with confidence; the
runner-up is the next cheapest that does. Then the figures, the settings, and how many runs
stand behind each number.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from servsim.core.errors import ScenarioError
from servsim.core.formats import INTERVAL_METHOD
from servsim.core.kpi_columns import lower_is_better
from servsim.experiment import store
from servsim.experiment.frontier import (
    EFFICIENT,
    by_economic_objective,
    check_standards,
    point_status,
)
from servsim.experiment.results import SweepResults
from servsim.experiment.tables import summarize_points
from servsim.report import document, style
from servsim.report.exchange import exchange_curve
from servsim.report.points import parameter_names, standards_of
from servsim.report.policy_figures import cost_breakdown, standards_table
from servsim.report.style import show_value
from servsim.report.sweep_figures import (
    is_grid,
    kpi_by_each_parameter,
    kpi_by_parameter,
    kpi_heatmap,
)
from servsim.scenario.loading import load_scenario
from servsim.search.evidence import FRESH
from servsim.stats.standards import Standard


def sweep_report(sweep: SweepResults, title: str | None = None) -> str:
    """The whole HTML page for a sweep."""
    manifest = _manifest(sweep)
    scenario_text, time_unit = _scenario(manifest)
    name = title or manifest.get("name") or "Sweep"
    counts = sweep.summary["runs"]
    subtitle = (
        f"{len(sweep.summary)} policies, {int(counts.sum())} runs; "
        f"objectives: {sweep.cost} ({_better(sweep.cost)} is better) and {sweep.satisfaction} "
        "(higher is better)"
    )
    description = _description(manifest)
    sections = [
        *([document.paragraph(description)] if description else []),
        _recommendation(sweep),
        _evidence(sweep, manifest),
        _figures(sweep, time_unit),
        _settings(sweep, manifest, scenario_text),
    ]
    return document.page(f"Decision review: {name}", subtitle, sections)


def _manifest(sweep: SweepResults) -> dict[str, Any]:
    if sweep.folder is None:
        return {}
    try:
        return store.read_manifest(sweep.folder)
    except ScenarioError:
        return {}


def _description(manifest: dict[str, Any]) -> str:
    """The experiment file's ``description``: what it varies and what it holds (shown first,
    so a reviewer reads what a sweep isolates before its recommendation)."""
    text = manifest.get("experiment_text")
    if not text:
        return ""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return ""
    description = document.get("description") if isinstance(document, dict) else None
    return description.strip() if isinstance(description, str) else ""


def _scenario(manifest: dict[str, Any]) -> tuple[str | None, str | None]:
    """The scenario file's text and time unit, when the file is still where it was."""
    path = manifest.get("scenario_file")
    if not path or not Path(path).is_file():
        return None, None
    try:
        return Path(path).read_text(encoding="utf-8"), load_scenario(path).time_unit
    except (ScenarioError, OSError, UnicodeDecodeError):
        return None, None


def _recommendation(sweep: SweepResults) -> str:
    standards = standards_of(sweep, None)
    if not standards:
        efficient = sweep.frontier(indistinguishable=False)
        rows = [_column(sweep, row, []) for _, row in efficient.iterrows()]
        return document.section(
            "Summary",
            document.paragraph(
                "The experiment states no service standards, so no policy is recommended. "
                "These are the efficient policies (no other is as cheap and as satisfying), "
                "cheapest first: the decision is where along them to stand."
            ),
            _side_by_side(
                sweep, [f"point {int(r['point'])}" for _, r in efficient.iterrows()], rows, []
            ),
        )
    checks = check_standards(sweep.summary, standards)
    meeting = sweep.summary[checks["all_met"] & sweep.summary[f"{sweep.cost}_mean"].notna()]
    meeting = by_economic_objective(meeting, sweep.cost)
    level = f"{sweep.confidence:.0%}"
    written = ", ".join(str(standard) for standard in standards)
    if meeting.empty:
        met = (checks[[str(s) for s in standards]] == "met").sum(axis=1)
        closest = (
            sweep.summary.assign(met=met)
            .sort_values(
                ["met", f"{sweep.cost}_mean"],
                ascending=[False, lower_is_better(sweep.cost)],
                kind="stable",
            )
            .iloc[0]
        )
        return document.section(
            "Summary",
            f'<div class="box"><p><b>No policy meets every standard ({document.escape(written)})'
            f" with {level} confidence.</b> The closest, meeting {int(closest['met'])} of "
            f"{len(standards)}, is point {int(closest['point'])}; more replications may "
            "settle the unclear ones.</p>"
            + _side_by_side(sweep, ["closest"], [_column(sweep, closest, standards)], standards)
            + "</div>",
        )
    best = meeting.iloc[0]
    names = parameter_names(sweep)
    values = ", ".join(f"{names[p]} = {show_value(best[p])}" for p in sweep.parameters)
    chosen = [best] + ([meeting.iloc[1]] if len(meeting) > 1 else [])
    headings = ["recommended"] + (["runner-up"] if len(meeting) > 1 else [])
    runner = (
        f" The runner-up is point {int(meeting.iloc[1]['point'])}."
        if len(meeting) > 1
        else " No other policy meets every standard."
    )
    check, confirmation = _final_check(sweep, best, standards)
    if check is not None:  # each figure labelled with its source, never the two mixed
        chosen.insert(1, check)
        headings[0] = "recommended: search runs"
        headings.insert(1, "recommended: final check")
    return document.section(
        "Summary",
        f'<div class="box"><p><b>Recommended: point {int(best["point"])} '
        f"({document.escape(values)})</b>, the cheapest of the {len(meeting)} policies "
        "that meet every standard "
        f"({document.escape(written)}) with {level} confidence.{runner}{confirmation}</p>"
        + _side_by_side(sweep, headings, [_column(sweep, r, standards) for r in chosen], standards)
        + "</div>",
    )


def _final_check(
    sweep: SweepResults, best: pd.Series, standards: list[Standard]
) -> tuple[pd.Series | None, str]:
    """The optimizer's fresh replications of the recommended point (new random numbers, so
    free of the luck that helped pick it), summarized, and a sentence on what they say."""
    runs = sweep.runs
    fresh = runs[(runs["point"] == best["point"]) & (runs["replication"] >= FRESH)]
    if fresh.empty:
        return None, ""
    row = summarize_points(fresh, sweep.parameters, sweep.confidence).iloc[0]
    statuses = [point_status(row, standard) for standard in standards]
    verdict = (
        "they meet every standard too"
        if all(status == "met" for status in statuses)
        else "they do not settle every standard: "
        + ", ".join(f"{s} {status}" for s, status in zip(standards, statuses, strict=True))
    )
    return row, document.escape(
        f" The optimizer ran it again on {len(fresh)} fresh replications (new random numbers, "
        f"free of the luck that helped choose it): {verdict}."
    )


def _column(sweep: SweepResults, row: pd.Series, standards: list[Standard]) -> list[str]:
    """One policy's cells: parameters, objectives, each standard's KPI and status, runs."""
    cells = [show_value(row[name]) for name in sweep.parameters]
    for kpi in (sweep.cost, sweep.satisfaction):
        cells.append(_interval(row, kpi))
    for standard in standards:
        cells.append(f"{point_status(row, standard)}: {_interval(row, standard.column)}")
    cells.append(str(int(row["runs"])))
    return cells


def _side_by_side(
    sweep: SweepResults, headings: list[str], columns: list[list[str]], standards: list[Standard]
) -> str:
    names = parameter_names(sweep)
    labels = [
        *(names[p] for p in sweep.parameters),
        style.kpi_name(sweep.cost),
        style.kpi_name(sweep.satisfaction),
        *(str(s) for s in standards),
        "runs",
    ]
    first = len(sweep.parameters) + 2
    rows, classes = [], []
    for index, label in enumerate(labels):
        cells = [column[index] for column in columns]
        rows.append([label, *cells])
        is_standard = first <= index < first + len(standards)
        classes.append(["", *(cell.split(":")[0] if is_standard else "" for cell in cells)])
    return document.table_html(["", *headings], rows, classes) + document.paragraph(
        f"mean [{sweep.confidence:.0%} confidence interval] over the policy's runs"
    )


def _evidence(sweep: SweepResults, manifest: dict[str, Any]) -> str:
    counts = sweep.summary["runs"]
    per_point = (
        f"{int(counts.iloc[0])} replications per policy"
        if counts.nunique() == 1
        else f"{int(counts.min())} to {int(counts.max())} replications per policy (adaptive)"
    )
    seed = f", seed {manifest['seed']}" if "seed" in manifest else ""
    return document.section(
        "The numbers behind the figures",
        document.paragraph(
            f"{len(sweep.summary)} policies, {int(counts.sum())} runs in all: {per_point}{seed}. "
            f"Every figure is a mean over a policy's runs with a {sweep.confidence:.0%} "
            f"confidence interval ({INTERVAL_METHOD}). Replication k of every policy sees "
            "the same demand (common random numbers), so differences between policies come "
            "from the policy, not from luck. A standard is met when its KPI's whole interval "
            "is on the right side of the target."
        ),
    )


def _figures(sweep: SweepResults, time_unit: str | None) -> str:
    parts = [
        document.figure_html(
            exchange_curve(sweep, time_unit=time_unit),
            "exchange-curve",
            "Each point is a policy; the line joins the efficient ones, numbered as in the tables. "
            "Faded points are beaten "
            "on both objectives; ringed ones meet every standard; the star is recommended.",
        )
    ]
    if standards_of(sweep, None):
        parts.append(document.figure_html(standards_table(sweep), "standards-table"))
    parts.append(
        document.figure_html(
            cost_breakdown(sweep),
            "cost-breakdown",
            "The efficient policies and the recommended one, cheapest first.",
        )
    )
    grid = is_grid(sweep)
    for kpi in dict.fromkeys([sweep.satisfaction, sweep.cost]):
        figure = (
            kpi_by_parameter(sweep, kpi, time_unit=time_unit)
            if grid
            else kpi_by_each_parameter(sweep, kpi, time_unit=time_unit)
        )
        parts.append(document.figure_html(figure, f"by-parameter-{kpi}"))
    if grid and len(sweep.parameters) >= 2:
        measured = [s.column for s in standards_of(sweep, None)]
        columns = sweep.summary.columns
        kpi = next((k for k in measured if f"{k}_mean" in columns), sweep.satisfaction)
        parts.append(
            document.figure_html(kpi_heatmap(sweep, kpi, time_unit=time_unit), f"heatmap-{kpi}")
        )
    return document.section("Figures", *parts)


def _settings(sweep: SweepResults, manifest: dict[str, Any], scenario_text: str | None) -> str:
    facts = [
        ("parameters", ", ".join(sweep.parameters)),
        (
            "objectives",
            f"{sweep.cost} ({_better(sweep.cost)} is better), {sweep.satisfaction} (higher is "
            "better)",
        ),
        ("standards", json.dumps(dict(sweep.standards)) if sweep.standards else "none"),
        ("confidence", f"{sweep.confidence:.0%}"),
        ("efficient policies", str(int((sweep.frontier()["status"] == EFFICIENT).sum()))),
    ]
    for key in (
        "design",
        "replications",
        "seed",
        "scenario_file",
        "scenario_hash",
        "servsim_version",
        "started",
        "finished",
    ):
        if key in manifest:
            value = manifest[key]
            facts.append(
                (
                    key.replace("_", " "),
                    json.dumps(value) if isinstance(value, dict) else str(value),
                )
            )
    if sweep.folder is not None:
        facts.append(("results folder", str(sweep.folder)))
    parts = [document.table_html(["setting", "value"], facts)]
    if manifest.get("experiment_text"):
        parts += ["<h3>Experiment file</h3>", document.preformatted(manifest["experiment_text"])]
    if scenario_text:
        parts += ["<h3>Scenario file</h3>", document.preformatted(scenario_text)]
    return document.section("Settings", *parts)


def _better(kpi: str) -> str:
    return "lower" if lower_is_better(kpi) else "higher"


def _interval(row: pd.Series, kpi: str) -> str:
    return style.format_interval(
        kpi, float(row[f"{kpi}_mean"]), float(row[f"{kpi}_lo"]), float(row[f"{kpi}_hi"])
    )
