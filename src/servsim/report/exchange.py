"""The exchange curve: what each policy costs against what it gives the customer.

Every point of a sweep with its confidence intervals on both axes; the efficient frontier as
a line; dominated points faded; points meeting every standard ringed; the recommended policy
(the cheapest meeting every standard) starred.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from servsim.core.kpi_columns import lower_is_better
from servsim.experiment.frontier import (
    DOMINATED,
    EFFICIENT,
    INDISTINGUISHABLE,
    check_standards,
    frontier_status,
)
from servsim.experiment.results import SweepResults
from servsim.report import style
from servsim.report.points import hover_text, recommended, standards_of
from servsim.search.evidence import FRESH
from servsim.stats.confidence import possible_interval

Better = Literal["lower", "higher"]


def exchange_curve(
    sweep: SweepResults,
    x: str | None = None,
    y: str | None = None,
    x_better: Better | None = None,
    y_better: Better = "higher",
    standards: Mapping[str, Any] | None = None,
    time_unit: str | None = None,
) -> go.Figure:
    """Cost (``x``, default the sweep's cost objective) against satisfaction (``y``) per point.

    ``x_better`` / ``y_better`` say which way each KPI improves, so any two KPIs make a
    frontier (say ``y="cycle_p95", y_better="lower"``).
    """
    x = x or sweep.cost
    y = y or sweep.satisfaction
    x_better = x_better or ("lower" if lower_is_better(x) else "higher")
    summary = sweep.summary
    for kpi in (x, y):
        if f"{kpi}_mean" not in summary.columns:
            raise ValueError(f"{kpi!r} is not a KPI of this sweep")
    status = _status(summary, x, y, x_better, y_better)
    chosen = standards_of(sweep, standards)
    meets = (
        check_standards(summary, chosen)["all_met"]
        if chosen
        else pd.Series(False, index=summary.index)
    )
    kpis = [x, y, *(standard.column for standard in chosen)]
    labels = _point_labels(summary[status == EFFICIENT], summary, x, y)
    figure = go.Figure()
    layers = (
        (DOMINATED, "dominated", style.DOMINATED, style.DOMINATED_OPACITY, "markers"),
        (INDISTINGUISHABLE, "indistinguishable from the frontier", style.CLOSE, 0.8, "markers"),
        (EFFICIENT, "efficient frontier", style.FRONTIER, 1.0, "lines+markers+text"),
    )
    for key, name, colour, opacity, mode in layers:
        rows = summary[status == key].sort_values(f"{x}_mean", kind="stable")
        if rows.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=rows[f"{x}_mean"],
                y=rows[f"{y}_mean"],
                error_x=_error_bars(rows, x, colour),
                error_y=_error_bars(rows, y, colour),
                mode=mode,
                name=name,
                opacity=opacity,
                marker={"color": colour, "size": 9},
                line={"color": colour, "width": 2},
                customdata=rows["point"],
                hovertext=[hover_text(sweep, row, kpis) for _, row in rows.iterrows()],
                hovertemplate="%{hovertext}<extra></extra>",
                # the efficient points carry their number, to find them in the tables
                text=[labels.get(int(p), "") for p in rows["point"]] if key == EFFICIENT else None,
                textposition="bottom right",
                textfont={"color": colour, "size": 11},
            )
        )
    meeting = summary[meets & (status != "unmeasured")]
    if chosen and len(meeting):
        figure.add_trace(
            go.Scatter(
                x=meeting[f"{x}_mean"],
                y=meeting[f"{y}_mean"],
                mode="markers",
                name="meets every standard",
                marker={
                    "symbol": "circle-open",
                    "size": 17,
                    "color": style.STATUS_COLOURS["met"],
                    "line": {"width": 2.5},
                },
                customdata=meeting["point"],
                hoverinfo="skip",
            )
        )
    best = recommended(sweep, standards)
    if best is not None:
        figure.add_trace(
            go.Scatter(
                x=[best[f"{x}_mean"]],
                y=[best[f"{y}_mean"]],
                mode="markers+text",
                name="recommended",
                marker={"symbol": "star", "size": 20, "color": style.RECOMMENDED},
                text=[f"recommended: point {int(best['point'])}{_source(sweep, best)}"],
                textposition="top center",
                textfont={"color": style.RECOMMENDED},
                customdata=[best["point"]],
                hoverinfo="skip",
            )
        )
    subtitle = (
        f"mean of each point with its {sweep.confidence:.0%} confidence interval on both axes; "
        f"better is {'left' if x_better == 'lower' else 'right'} and "
        f"{'up' if y_better == 'higher' else 'down'}"
    )
    return style.finish(
        figure,
        f"Exchange curve: {style.kpi_name(x).lower()} against {style.kpi_name(y).lower()}",
        subtitle,
        x=x,
        y=y,
        time_unit=time_unit,
        height=540,
    )


PLOT_WIDTH = 760
PLOT_HEIGHT = 380
"""About the size (px) of the exchange curve's plot area in the report, to keep point labels
apart: rather too small than too large, so labels that might touch are merged."""
CHARACTER = 8
LINE = 17


def _point_labels(efficient: pd.DataFrame, summary: pd.DataFrame, x: str, y: str) -> dict[int, str]:
    """Each efficient point's number, to find it in the tables; points whose labels would
    print over one another share one label (``1, 5``) at the first of them."""

    def extent(kpi: str) -> float:
        values = summary[[f"{kpi}_mean", f"{kpi}_lo", f"{kpi}_hi"]].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        return float(values.max() - values.min()) if len(values) else 0.0

    per_x = PLOT_WIDTH / (extent(x) or 1.0)
    per_y = PLOT_HEIGHT / (extent(y) or 1.0)
    clusters: list[tuple[float, float, list[int]]] = []
    for _, row in efficient.sort_values(f"{x}_mean", kind="stable").iterrows():
        point = int(row["point"])
        px, py = float(row[f"{x}_mean"]) * per_x, float(row[f"{y}_mean"]) * per_y
        for ax, ay, members in clusters:
            text = ", ".join(str(member) for member in [*members, point])
            if abs(px - ax) < CHARACTER * (len(text) + 2) and abs(py - ay) < LINE + 4:
                members.append(point)
                break
        else:
            clusters.append((px, py, [point]))
    return {members[0]: ", ".join(map(str, members)) for _, _, members in clusters}


def _source(sweep: SweepResults, best: pd.Series) -> str:
    """`` (search runs)`` when the optimizer also checked the point on fresh replications:
    the curve draws the search's means, the final check is in the tables."""
    runs = sweep.runs
    checked = ((runs["point"] == best["point"]) & (runs["replication"] >= FRESH)).any()
    return " (search runs)" if checked else ""


def _status(summary: pd.DataFrame, x: str, y: str, x_better: Better, y_better: Better) -> pd.Series:
    """Frontier status with ``x`` to be lowered and ``y`` raised (flipping as asked)."""
    oriented = pd.DataFrame(index=summary.index)
    for axis, kpi, flip in (("x", x, x_better == "higher"), ("y", y, y_better == "lower")):
        mean, lo, hi = (
            summary[f"{kpi}_{part}"].to_numpy(dtype=float) for part in ("mean", "lo", "hi")
        )
        if flip:
            mean, lo, hi = -mean, -hi, -lo
        oriented[f"{axis}_mean"], oriented[f"{axis}_lo"], oriented[f"{axis}_hi"] = mean, lo, hi
    return frontier_status(oriented, "x", "y")


def _error_bars(rows: pd.DataFrame, kpi: str, colour: str) -> dict[str, Any]:
    """Asymmetric error bars from a KPI's interval (none where there is none)."""
    mean = rows[f"{kpi}_mean"].to_numpy(dtype=float)
    lo, hi = possible_interval(
        kpi, rows[f"{kpi}_lo"].to_numpy(dtype=float), rows[f"{kpi}_hi"].to_numpy(dtype=float)
    )
    above = np.nan_to_num(hi - mean)
    below = np.nan_to_num(mean - lo)
    return {
        "type": "data",
        "symmetric": False,
        "array": above,
        "arrayminus": below,
        "color": colour,
        "thickness": 1.2,
        "width": 3,
    }
