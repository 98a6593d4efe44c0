"""A run's results folder (``servsim run --out``): written with what a report needs, read back.

Besides the KPI tables a planner opens, the folder keeps the scenario as run and the tables the
report draws (stock levels, busy staff, per-segment KPIs when a standard needs them), so
``servsim report FOLDER`` writes the run's report later without simulating again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
import yaml

from servsim.run.results import Results
from servsim.scenario.loading import load_scenario

SCENARIO_FILE = "scenario.yaml"
"""The scenario as run (overrides applied), in the scenario file format."""
RUN_FILE = "run.json"
"""The seed and confidence level of the run."""


def write_run_folder(
    results: Results, out: Path, confidence: float, by: tuple[str, ...] = ()
) -> list[Path]:
    """KPIs per replication, the summary, the order log, breakdowns and what a report needs:
    each table as CSV and Parquet, the scenario as YAML."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "kpis": results.kpis,
        "summary": results.summary(confidence).rename_axis("kpi").reset_index(),
        "orders": results.orders,
        "lines": results.lines,
        "stock_levels": results.stock_levels,
        "busy_staff": results.busy_staff,
    }
    standards = results.scenario.standards
    if standards:
        tables["standards"] = results.standards(confidence)
    if any(standard.segment for standard in standards.all) and "segment" not in by:
        tables["kpis_by_segment"] = results.kpis_by("segment")  # the standards' own figures
    for grouping in by:
        tables[f"kpis_by_{grouping}"] = results.kpis_by(grouping)
        tables[f"summary_by_{grouping}"] = results.summary_by(grouping, confidence).reset_index()
    written = []
    for name, frame in tables.items():
        for suffix, write in ((".csv", frame.to_csv), (".parquet", frame.to_parquet)):
            path = out / f"{name}{suffix}"
            write(path, index=False)
            written.append(path)
    document = results.scenario.model_dump(mode="json", by_alias=True)
    (out / SCENARIO_FILE).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    run = {"seed": results.seed, "confidence": confidence}
    (out / RUN_FILE).write_text(json.dumps(run, indent=2), encoding="utf-8")
    return [*written, out / SCENARIO_FILE, out / RUN_FILE]


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a run written with what its report needs."""
    return all((folder / name).is_file() for name in (SCENARIO_FILE, RUN_FILE, "kpis.parquet"))


def read_run_folder(folder: Path) -> tuple[StoredResults, float]:
    """The run's results from its folder, and the confidence level it was written with."""
    run = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    results = StoredResults(
        scenario=load_scenario(folder / SCENARIO_FILE),
        seed=int(run["seed"]),
        logs=[],
        kpis=pd.read_parquet(folder / "kpis.parquet"),
        folder=folder,
    )
    return results, float(run["confidence"])


@dataclass(frozen=True)
class StoredResults(Results):
    """Results read from a run folder: the tables it keeps, without the run's logs."""

    folder: Path = Path(".")

    def _table(self, name: str) -> pd.DataFrame:
        path = self.folder / f"{name}.parquet"
        if not path.is_file():
            raise ValueError(
                f"{self.folder}: the run folder keeps no {name} table; simulate the scenario "
                f"({self.folder / SCENARIO_FILE}) again for it"
            )
        return pd.read_parquet(path)

    def _stacked(self, table: str) -> pd.DataFrame:
        return self._table(table)

    def kpis_by(self, by: str) -> pd.DataFrame:
        """KPIs per replication and group, as the folder keeps them."""
        return self._table(f"kpis_by_{by}")

    @cached_property
    def orders(self) -> pd.DataFrame:
        return self._table("orders")

    @cached_property
    def lines(self) -> pd.DataFrame:
        return self._table("lines")

    @cached_property
    def busy_staff(self) -> pd.DataFrame:
        return self._table("busy_staff")
