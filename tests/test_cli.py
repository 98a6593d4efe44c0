"""The command line: help, version, `run` (table and result files) and `validate` (exit codes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

import servsim
from servsim.cli import main
from tests.conftest import SMALL_SHOP as SCENARIO

# Line 7: a negative arrival rate; line 12: a misspelt key ('tme' for 'time').
BAD_SCENARIO = """\
name: broken shop
time_unit: hours
horizon: 10d
products:
  - {sku: A, unit_cost: 20, price: 35}
demand:
  arrivals: {process: poisson, rate: -2}
  mix: {A: 1}
stocking: none
processing:
  staff: 2
  tme: {dist: exponential, mean: 0.3h}
delivery:
  promise: 48h
  modes:
    standard: {transit: 24h}
  default: standard
"""

RESULT_FILES = {
    "kpis.csv",
    "kpis.parquet",
    "summary.csv",
    "summary.parquet",
    "stock_levels.parquet",
    "busy_staff.parquet",
    "report_orders.parquet",
    "scenario.yaml",
    "run.json",
}
"""A run folder without --logs: the KPI tables, and what the report draws."""
LOG_FILES = {
    "parquet": {"orders.parquet", "lines.parquet"},
    "csv": {"orders.csv", "lines.csv", "stock_levels.csv", "busy_staff.csv"},
}
"""What --logs (Parquet) or --logs csv adds."""
KPI_COLUMNS = {
    "replication",
    "seed",
    "orders",
    "unit_fill_rate",
    "otif",
    "cycle_mean",
    "satisfaction_mean",
    "cost_total",
    "cost_per_order",
}
RUN_OPTIONS = ("--replications", "--seed", "--out", "--force", "--confidence")


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="servsim")


def flat(text: str) -> str:
    """Text with every run of whitespace as one space: rich wraps long lines at 80 columns."""
    return " ".join(text.split())


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file of a folder with its modification time and contents."""
    return {
        path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in sorted(folder.iterdir())
    }


def assert_bad_input(result: Result) -> None:
    """Exit code 2, a message on stderr, and no Python traceback anywhere."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.strip()
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr


def assert_results_written(out: Path, logs: str | None = None) -> None:
    assert {path.name for path in out.iterdir()} == RESULT_FILES | LOG_FILES.get(logs or "", set())
    kpis = pd.read_parquet(out / "kpis.parquet")
    assert len(kpis) == 3
    assert set(kpis.columns) >= KPI_COLUMNS
    assert kpis["replication"].tolist() == [0, 1, 2]
    assert (kpis["seed"] == 5).all()
    assert ((kpis["unit_fill_rate"] >= 0) & (kpis["unit_fill_rate"] <= 1)).all()
    if logs is not None:
        orders = (pd.read_parquet if logs == "parquet" else pd.read_csv)(out / f"orders.{logs}")
        assert {"placed", "delivered", "outcome", "replication"} <= set(orders.columns)
        assert set(orders["replication"]) == {0, 1, 2}
    assert len(pd.read_csv(out / "kpis.csv")) == 3
    summary = pd.read_parquet(out / "summary.parquet")
    assert {"kpi", "mean", "lo", "hi", "halfwidth", "n"} <= set(summary.columns)
    assert {"unit_fill_rate", "otif", "cost_per_order"} <= set(summary["kpi"])


def assert_kpi_table(text: str, confidence_label: str = "95% interval") -> None:
    for word in ("unit_fill_rate", "otif", "cost_per_order", confidence_label):
        assert word in text, text


# --- help and version ------------------------------------------------------------------------
def test_help_lists_the_subcommands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    assert "Usage: servsim" in result.output
    assert "run" in result.output
    assert "validate" in result.output
    assert "--version" in result.output


def test_run_help_lists_every_option() -> None:
    result = invoke("run", "--help")
    assert result.exit_code == 0, result.output
    assert "Usage: servsim run [OPTIONS] FILE" in result.output
    for option in RUN_OPTIONS:
        assert option in result.output, option


def test_validate_help_describes_the_command() -> None:
    result = invoke("validate", "-h")
    assert result.exit_code == 0, result.output
    assert "Usage: servsim validate [OPTIONS] FILE" in result.output
    assert "exit code 2" in result.output
    assert "--help" in result.output


def test_version_is_the_installed_one() -> None:
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"servsim, version {servsim.__version__}"
    assert servsim.__version__ == version("servsim")


# --- run ---------------------------------------------------------------------------------------
def test_run_prints_the_kpi_table_and_writes_all_results(
    scenario_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    result = invoke("run", scenario_file, "-n", "3", "--seed", "5", "--out", out, "--logs", "csv")
    assert result.exit_code == 0, result.output
    assert_kpi_table(result.stdout)
    assert "3 replications, seed 5" in result.stdout
    assert_results_written(out, "csv")


def test_written_kpis_are_the_library_results(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = invoke("run", scenario_file, "--replications", "3", "-s", "5", "-o", out, "--logs")
    assert result.exit_code == 0, result.output
    expected = servsim.simulate(servsim.load_scenario(scenario_file), replications=3, seed=5)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "kpis.parquet"), expected.kpis)
    written_orders = pd.read_parquet(out / "orders.parquet")
    pd.testing.assert_frame_equal(
        written_orders[["replication", "placed", "delivered"]],
        expected.orders[["replication", "placed", "delivered"]],
    )
    assert written_orders["outcome"].astype(str).tolist() == (
        expected.orders["outcome"].astype(str).tolist()
    )


def test_run_refuses_a_folder_with_results_unless_forced(
    scenario_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    first = invoke("run", scenario_file, "-n", "3", "--seed", "5", "--out", out)
    assert first.exit_code == 0, first.output
    before = snapshot(out)

    refused = invoke("run", scenario_file, "-n", "3", "--seed", "6", "--out", out)
    assert_bad_input(refused)
    assert str(out) in refused.stderr
    assert "--force" in refused.stderr
    assert "unit_fill_rate" not in refused.stdout  # refused before simulating
    assert snapshot(out) == before

    forced = invoke("run", scenario_file, "-n", "3", "--seed", "6", "--out", out, "--force")
    assert forced.exit_code == 0, forced.output
    kpis = pd.read_parquet(out / "kpis.parquet")
    assert (kpis["seed"] == 6).all()  # the results were really overwritten
    assert {path.name for path in out.iterdir()} == RESULT_FILES


def test_run_writes_into_an_existing_empty_folder(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    result = invoke("run", scenario_file, "-n", "3", "--seed", "5", "--out", out)
    assert result.exit_code == 0, result.output
    assert_results_written(out)


def test_run_confidence_level_is_shown(scenario_file: Path) -> None:
    result = invoke("run", scenario_file, "-n", "2", "--seed", "5", "--confidence", "0.9")
    assert result.exit_code == 0, result.output
    assert_kpi_table(result.stdout, "90% interval")
    assert "95% interval" not in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--confidence", "0.3"),
        ("--replications", "0"),
        ("--seed", "-1"),
        ("--replications", "many"),
    ],
)
def test_run_rejects_bad_options(scenario_file: Path, args: tuple[str, str]) -> None:
    result = invoke("run", scenario_file, *args)
    assert result.exit_code == 2, result.output
    assert args[0] in result.output
    assert "Traceback" not in result.output


def test_run_on_a_bad_file_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_SCENARIO, encoding="utf-8")
    out = tmp_path / "results"
    result = invoke("run", bad, "--out", out)
    assert_bad_input(result)
    assert "demand.arrivals.rate" in result.stderr
    assert not out.exists()


# --- validate ----------------------------------------------------------------------------------
def test_validate_accepts_a_good_file(scenario_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(scenario_file.parent)
    result = invoke("validate", scenario_file.name)
    assert result.exit_code == 0, result.output
    assert "shop.yaml: valid scenario 'Small test shop': 2 products" in flat(result.stdout)
    assert result.stderr == ""


def test_validate_names_file_line_and_field_of_each_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short relative name keeps every message on one line of the 80-column error console.
    monkeypatch.chdir(tmp_path)
    Path("bad.yaml").write_text(BAD_SCENARIO, encoding="utf-8")
    result = invoke("validate", "bad.yaml")
    assert_bad_input(result)
    assert "bad.yaml:7: demand.arrivals.rate: must be > 0, got -2" in result.stderr
    assert "bad.yaml:12: processing.tme: unknown key 'tme' (did you mean 'time'?)" in (
        result.stderr
    )
    assert result.stdout == ""


def test_validate_keeps_each_problem_on_one_line_for_long_paths(tmp_path: Path) -> None:
    folder = tmp_path / ("scenarios_" + "x" * 120) / ("drafts_" + "y" * 120)
    folder.mkdir(parents=True)
    bad = folder / "bad.yaml"
    bad.write_text(BAD_SCENARIO, encoding="utf-8")
    result = invoke("validate", bad)
    assert result.exit_code == 2
    assert f"{bad}:7: demand.arrivals.rate: must be > 0, got -2\n" in result.stderr


def test_validate_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "nowhere.yaml")
    assert_bad_input(result)
    assert flat(result.stderr) == "nowhere.yaml: file not found"


def test_validate_a_folder_instead_of_a_file(tmp_path: Path) -> None:
    result = invoke("validate", tmp_path)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"a: [1, 2\nb: {\n", "not valid YAML"),
        (b"name: shop\n\ttime_unit: hours\n", "not valid YAML"),
        (b"\xff\xfe\x00\x01binary", "not a text file"),
        (b"", "the file is empty"),
        (b"- just\n- a list\n", "top level must be a mapping"),
    ],
    ids=["broken-syntax", "tab-indent", "binary", "empty", "list"],
)
def test_validate_rejects_files_that_are_not_scenario_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("junk.yaml").write_bytes(content)
    result = invoke("validate", "junk.yaml")
    assert_bad_input(result)
    assert "junk.yaml" in result.stderr
    assert words in flat(result.stderr)


# --- the installed console script --------------------------------------------------------------
def test_installed_console_script_runs_a_scenario(scenario_file: Path, tmp_path: Path) -> None:
    script = shutil.which("servsim", path=str(Path(sys.executable).parent))
    assert script is not None, "the servsim console script is not installed next to python"
    out = tmp_path / "script-results"
    completed = subprocess.run(
        [script, "run", str(scenario_file), "-n", "3", "--seed", "5", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "160"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    assert_kpi_table(completed.stdout)
    assert_results_written(out)
