"""The house rules: one KPI catalogue, records by name, a layered package that starts fast."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import servsim
from servsim.core.catalogue import CATALOGUE
from servsim.core.kpi_columns import KPI_NAMES, SEGMENT_KPIS
from servsim.kpis.breakdowns import kpis_by_segment
from servsim.model import run_replication
from servsim.model.records import FlatLog, LevelLog, ReplenishmentLog, RestockLog, ShipmentLog
from tests.conftest import ROOT, SCENARIOS


@pytest.mark.parametrize("log", [ShipmentLog, ReplenishmentLog, LevelLog, RestockLog])
def test_a_flat_log_writes_its_fields_in_the_order_it_names_them(log: type[FlatLog]) -> None:
    """``add``'s parameters are the log's fields, in order: reordering one without the other
    would silently shift every column of every run."""
    parameters = list(inspect.signature(log.add).parameters)[1:]
    assert tuple(parameters) == log.FIELDS
    table = log()
    table.add(*range(1, len(log.FIELDS) + 1))
    assert {name: float(values[0]) for name, values in table.take_columns().items()} == {
        name: float(position) for position, name in enumerate(log.FIELDS, start=1)
    }


def test_every_computed_kpi_is_in_the_catalogue_and_every_entry_is_computed() -> None:
    """A KPI a run computes but the catalogue lacks would have no name, unit or definition in
    the tables and docs; an entry nothing computes would be a promise nothing keeps."""
    computed: set[str] = set()
    per_segment: set[str] = set()
    for path in SCENARIOS:
        scenario = servsim.load_scenario(path).with_overrides({"horizon": "6d", "warmup": "1d"})
        results = servsim.simulate(scenario, replications=1)
        computed |= set(results.kpis.columns) - {"replication", "seed"}
        log = run_replication(scenario, 0)
        for row in kpis_by_segment(log, scenario):
            per_segment |= set(row) - {"segment"}
    assert computed == set(KPI_NAMES)
    assert per_segment == set(SEGMENT_KPIS)


def test_the_catalogue_names_each_kpi_once_with_a_definition() -> None:
    names = [kpi.name for kpi in CATALOGUE]
    assert len(names) == len(set(names))
    assert all(kpi.definition and not kpi.definition.endswith(".") for kpi in CATALOGUE)


def test_importing_servsim_loads_no_layer_until_a_name_is_used() -> None:
    """``import servsim`` (and so ``servsim --help``) must not pay for pandas, scipy or plotly."""
    heavy = ("pandas", "scipy", "plotly", "dask", "simpy")
    code = f"import sys, servsim; print(sorted(m for m in {heavy} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_the_layers_import_only_from_the_layers_below_them() -> None:
    """The import-linter contracts of pyproject.toml hold (``lint-imports`` exits 0)."""
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


MOST_LINES = 500
"""The house rule: a module past this many lines is split by responsibility."""


@pytest.mark.parametrize(
    "module",
    sorted((ROOT / "src" / "servsim").rglob("*.py")),
    ids=lambda path: str(path.relative_to(ROOT / "src")),
)
def test_every_module_keeps_to_one_job_under_500_lines_with_a_docstring(module: Path) -> None:
    """Each module of the package is short and says at its top why it exists."""
    text = module.read_text(encoding="utf-8")
    lines = len(text.splitlines())
    assert lines <= MOST_LINES, f"{module.name}: {lines} lines, split it by responsibility"
    assert ast.get_docstring(ast.parse(text)), f"{module.name} has no module docstring"
