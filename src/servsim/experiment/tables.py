"""The results tables of a sweep: runs (one row per run) and the per-point summary.

Both are built the same way whether the runs come from workers or from a results folder, so a
resumed sweep gives exactly the table of an uninterrupted one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from servsim.stats.confidence import summarize

KEYS = ["point", "replication", "seed"]
"""The columns that identify a run; parameters and KPIs follow them."""

STATISTICS = ("mean", "lo", "hi", "n")
"""Per KPI in the summary: ``KPI_mean``, ``KPI_lo``, ``KPI_hi``, ``KPI_n``."""


def column_converter(values: Sequence[Any]) -> Callable[[Any], Any]:
    """How a parameter's values are stored: as they are when of one kind, else all as text.

    A column must have one type in Parquet: whole numbers stay whole, numbers mixed with whole
    numbers become decimals, and anything mixed with text (24 and "48h") becomes text.
    """
    if all(isinstance(value, bool) for value in values):
        return bool
    if all(isinstance(value, int) and not isinstance(value, bool) for value in values):
        return int
    if all(isinstance(value, int | float) and not isinstance(value, bool) for value in values):
        return float
    return _as_text


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def runs_frame(
    rows: Iterable[Mapping[str, Any]],
    overrides: Mapping[int, Mapping[str, Any]],
    converters: Mapping[str, Callable[[Any], Any]],
) -> pd.DataFrame:
    """KPI rows from workers with their point's parameter values, in the stored column order."""
    records = []
    for row in rows:
        values = overrides[int(row["point"])]
        parameters = {name: convert(values[name]) for name, convert in converters.items()}
        kpis = {key: value for key, value in row.items() if key not in KEYS}
        keys = {key: int(row[key]) for key in KEYS}
        records.append({**keys, **parameters, **kpis})
    return pd.DataFrame.from_records(records)


def runs_table(
    frames: Sequence[pd.DataFrame], replications: Mapping[int, int] | None = None
) -> pd.DataFrame:
    """All runs sorted by (point, replication), each once; only the first ``replications[p]``
    of point p when counts are given."""
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return pd.DataFrame(columns=KEYS)
    runs = pd.concat(frames, ignore_index=True)
    runs = runs.drop_duplicates(["point", "replication"], keep="first")
    if replications is not None:
        wanted = runs["point"].map(replications)
        runs = runs[runs["replication"] < wanted.fillna(0)]
    runs = runs.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)
    return runs.astype({key: "int64" for key in KEYS})


def summarize_points(
    runs: pd.DataFrame, parameters: Sequence[str], confidence: float
) -> pd.DataFrame:
    """Per point: its parameter values, its number of runs, and mean, lo, hi, n of every KPI."""
    kpis = [column for column in runs.columns if column not in KEYS and column not in parameters]
    records = []
    figures = runs[kpis].copy()  # one block per dtype: each point's statistics per block
    for point, rows in sorted(runs.groupby("point", sort=True).indices.items()):
        statistics = summarize(figures.iloc[rows], confidence)
        record: dict[str, Any] = {"point": point}
        record.update(runs.iloc[rows[0]][list(parameters)].to_dict())
        record["runs"] = len(rows)
        row = {name: i for i, name in enumerate(statistics.index)}
        values = {statistic: statistics[statistic].to_numpy() for statistic in STATISTICS}
        for kpi in kpis:
            for statistic in STATISTICS:
                record[f"{kpi}_{statistic}"] = values[statistic][row[kpi]]
        records.append(record)
    columns = ["point", *parameters, "runs"]
    columns += [f"{kpi}_{statistic}" for kpi in kpis for statistic in STATISTICS]
    summary = pd.DataFrame.from_records(records, columns=columns)
    if len(summary):
        parameter_types = runs[list(parameters)].dtypes.to_dict()
        summary = summary.astype({"point": "int64", "runs": "int64", **parameter_types})
        summary = summary.astype({f"{kpi}_n": "int64" for kpi in kpis})
    return summary.copy()  # one block per dtype: later columns are added without warnings
