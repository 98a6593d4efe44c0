"""A run's results folder (``servsim run --out``): written with what a report needs, read back.

Besides the KPI tables a planner opens, the folder keeps the scenario as run and the tables the
report draws (stock levels, busy staff, per-segment KPIs when a standard needs them, per-location
KPIs in a network), so ``servsim report FOLDER`` writes the run's report later without
simulating again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
import yaml

from servsim.core.folders import REPORT, is_servsim_report, remove_files
from servsim.run.results import Results
from servsim.scenario.loading import load_scenario

SCENARIO_FILE = "scenario.yaml"
"""The scenario as run (overrides applied), in the scenario file format."""
RUN_FILE = "run.json"
"""The seed and confidence level of the run."""


LOGS = ("orders", "lines")
"""The order and line logs: written only when asked (``run --logs``), they are most of a
run's bytes (about 140 MB of CSV and Parquet for a default web shop run)."""
SERIES = ("stock_levels", "busy_staff")
"""The time series the report draws (levels over time): compressed Parquet, CSV with the logs."""
REPORT_ORDERS = "report_orders"
"""The columns of the order log the report draws (cycle time against the promise,
satisfaction lost), kept so ``servsim report`` works on a folder written without ``--logs``."""
_REPORT_COLUMNS = ("counted", "outcome", "cycle_time", "segment", "placed", "promised", "known")
_SHORTFALL = "shortfall_"
PARQUET = {"compression": "zstd"}
"""How every Parquet table of a run folder is written."""


def write_run_folder(
    results: Results,
    out: Path,
    confidence: float,
    by: tuple[str, ...] = (),
    logs: str | None = None,
) -> list[Path]:
    """KPIs per replication, the summary, breakdowns and standards (CSV and Parquet), what a
    report needs (Parquet) and the scenario as YAML; the order and line logs only with
    ``logs`` ("parquet" or "csv"). The files a previous run wrote there are replaced as a
    whole: none of them is left behind (``servsim_files``), and no other file is touched."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "kpis": results.kpis,
        "summary": results.summary(confidence).rename_axis("kpi").reset_index(),
    }
    standards = results.scenario.standards
    if standards:
        tables["standards"] = results.standards(confidence)
    if any(standard.segment for standard in standards.all) and "segment" not in by:
        tables["kpis_by_segment"] = results.kpis_by("segment")  # the standards' own figures
    if results.scenario.network is not None and "location" not in by:
        tables["kpis_by_location"] = results.kpis_by("location")  # the report's network section
    for grouping in by:
        tables[f"kpis_by_{grouping}"] = results.kpis_by(grouping)
        tables[f"summary_by_{grouping}"] = results.summary_by(grouping, confidence).reset_index()
    planned = [(name, suffix) for name in tables for suffix in (".csv", ".parquet")]
    series = {name: getattr(results, name) for name in SERIES}
    orders = results.orders
    kept = [c for c in orders.columns if c in _REPORT_COLUMNS or c.startswith(_SHORTFALL)]
    series[REPORT_ORDERS] = orders[kept]
    planned += [(name, ".parquet") for name in series]
    if logs is not None:
        series.update({name: getattr(results, name) for name in LOGS})
        suffix = f".{logs}"
        planned += [(name, suffix) for name in LOGS]
        if logs == "csv":
            planned += [(name, ".csv") for name in SERIES]
    tables.update(series)
    names = [name + suffix for name, suffix in planned] + [SCENARIO_FILE, RUN_FILE]
    run = {"seed": results.seed, "confidence": confidence, "files": names}
    remove_files(out, [name for name in servsim_files(out) if name not in names])
    (out / RUN_FILE).write_text(json.dumps(run, indent=2), encoding="utf-8")  # first: says
    written = []  # which files are servsim's even if the writing stops half-way
    for name, suffix in planned:
        path = out / f"{name}{suffix}"
        if suffix == ".csv":
            tables[name].to_csv(path, index=False)
        else:
            tables[name].to_parquet(path, index=False, **PARQUET)
        written.append(path)
    document = results.scenario.model_dump(mode="json", by_alias=True)
    (out / SCENARIO_FILE).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return [*written, out / SCENARIO_FILE, out / RUN_FILE]


_OLDER_NAMES = re.compile(
    r"^(kpis|summary|orders|lines|stock_levels|busy_staff|standards|report_orders"
    r"|(kpis|summary)_by_(segment|channel|sku))\.(csv|parquet)$"
)
"""The tables a run folder held before run.json listed its files."""


def servsim_files(folder: Path) -> list[str]:
    """The files of ``folder`` that a ``servsim run --out`` wrote: those its run.json lists
    (or, in a folder written before it listed them, the names servsim gives its tables), and
    a report servsim wrote there. Empty for a folder without run.json: nothing there is ours."""
    try:
        run = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(run, dict):
        return []
    present = {path.name for path in folder.iterdir() if path.is_file() or path.is_symlink()}
    listed = run.get("files")
    if isinstance(listed, list):
        ours = {name for name in listed if isinstance(name, str) and "/" not in name}
    else:
        ours = {name for name in present if _OLDER_NAMES.match(name)} | {SCENARIO_FILE}
    ours |= {RUN_FILE}
    if is_servsim_report(folder / REPORT):
        ours.add(REPORT)
    return sorted(ours & present)


def clashing_files(folder: Path) -> list[str]:
    """Files of ``folder`` servsim did not write but would write over (a scenario.yaml of the
    user's in the folder, say): never replaced, even with ``--force``."""
    names = (SCENARIO_FILE, RUN_FILE)
    return [name for name in foreign_files(folder) if name in names or _OLDER_NAMES.match(name)]


def foreign_files(folder: Path) -> list[str]:
    """The files and folders of ``folder`` servsim did not write (a probe or lock aside)."""
    ours = set(servsim_files(folder))
    return sorted(
        path.name
        for path in folder.iterdir()
        if path.name not in ours and not path.name.startswith(".servsim")
    )


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
        """The order log if the folder keeps it (``run --logs``), else the columns of it the
        report draws."""
        if (self.folder / "orders.parquet").is_file():
            return self._table("orders")
        return self._table(REPORT_ORDERS)

    @cached_property
    def lines(self) -> pd.DataFrame:
        return self._table("lines")

    @cached_property
    def busy_staff(self) -> pd.DataFrame:
        return self._table("busy_staff")
