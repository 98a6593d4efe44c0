"""Regression tests of issue 14's command-line items, one (or a few) per item, named for it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner, Result

from servsim.cli import main
from servsim.core.formats import format_target
from servsim.core.limits import GROUPINGS, MOST_REPLICATIONS, MOST_SEED
from tests.conftest import ROOT
from tests.conftest import SMALL_SHOP as SCENARIO
from tests.sweep_helpers import SMALL_SWEEP, write_experiment
from tests.test_optimize import TINY, search

SERVSIM = str(Path(sys.executable).parent / "servsim")


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="servsim")


def run_servsim(
    *args: str | Path, cwd: Path, columns: int = 80
) -> subprocess.CompletedProcess[str]:
    """The installed command with its output redirected (not a terminal), COLUMNS set."""
    return subprocess.run(
        [SERVSIM, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env={**os.environ, "COLUMNS": str(columns)},
        check=False,
    )


def one_clean_line(result: Result, *words: str) -> str:
    """Exit 2, one line on stderr holding every word, no traceback and no click usage text."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and "Usage:" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


# --- item 3: --force replaces servsim's output as a whole, and only servsim's -----------------
def test_issue14_item3_force_leaves_no_stale_files(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    first = invoke("run", shop, "-n", "2", "--out", out, "--by", "sku", "--report", "--logs")
    assert first.exit_code == 0, first.output
    assert {"kpis_by_sku.csv", "summary_by_sku.parquet", "report.html", "orders.parquet"} <= {
        path.name for path in out.iterdir()
    }
    (out / "notes.txt").write_text("my notes", encoding="utf-8")  # the planner's own file

    again = invoke("run", shop, "-n", "2", "--seed", "9", "--out", out, "--force")
    assert again.exit_code == 0, again.output
    names = {path.name for path in out.iterdir()}
    stale = {name for name in names if "_by_" in name or name.startswith(("orders", "lines"))}
    assert stale == set()
    assert "report.html" not in names  # the old report showed the old run
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert set(run["files"]) == names - {"notes.txt"}
    assert (pd.read_parquet(out / "kpis.parquet")["seed"] == 9).all()


def test_issue14_item3_force_clears_a_folder_written_before_run_json_listed_files(
    shop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "older"
    assert invoke("run", shop, "-n", "2", "--out", out, "--by", "channel").exit_code == 0
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    del run["files"]  # as servsim wrote it before
    (out / "run.json").write_text(json.dumps(run), encoding="utf-8")
    (out / "orders.csv").write_text("replication,order\n0,1\n", encoding="utf-8")
    (out / "mine.csv").write_text("a,b\n", encoding="utf-8")
    assert invoke("run", shop, "-n", "2", "--out", out, "--force").exit_code == 0
    names = {path.name for path in out.iterdir()}
    assert not {"orders.csv", "kpis_by_channel.csv", "summary_by_channel.parquet"} & names
    assert "mine.csv" in names


def test_issue14_item3_force_never_writes_over_a_file_servsim_did_not_write(
    shop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "scenario.yaml").write_text("my own scenario", encoding="utf-8")
    (out / "report.html").write_text("<html>my own page</html>", encoding="utf-8")
    refused = invoke("run", shop, "-n", "2", "--out", out, "--force")
    one_clean_line(refused, str(out), "scenario.yaml", "--force")
    assert (out / "scenario.yaml").read_text(encoding="utf-8") == "my own scenario"
    elsewhere = tmp_path / "elsewhere"
    report = invoke("run", shop, "-n", "2", "--report", out / "report.html", "--force")
    one_clean_line(report, "report.html", "not a report servsim wrote")
    assert (out / "report.html").read_text(encoding="utf-8") == "<html>my own page</html>"
    assert not elsewhere.exists()


def test_issue14_item3_sweep_force_removes_the_old_report(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path)
    folder = tmp_path / "results"
    assert invoke("sweep", experiment, "--workers", "1").exit_code == 0
    assert invoke("report", folder).exit_code == 0
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")

    forced = invoke("sweep", experiment, "--workers", "1", "--force", "--replications", "2")
    assert forced.exit_code == 0, forced.output
    names = {path.name for path in folder.iterdir()}
    assert "report.html" not in names  # it said 3 replications
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["replications"] == 2
    assert set(pd.read_parquet(folder / "summary.parquet")["runs"]) == {2}


# --- item 12: Ctrl-C ---------------------------------------------------------------------------
def _interrupt_when(process: subprocess.Popen[str], ready: Any, limit: float = 300) -> None:
    """SIGINT to the command's whole process group (as a terminal sends it) once ``ready()``."""
    waited = time.monotonic()
    while not ready():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() - waited < limit, "the command never got going"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)


def _loaded(pid: int, library: str) -> bool:
    """Whether process ``pid`` has a shared library of ``library`` mapped (it got that far)."""
    try:
        return library in Path(f"/proc/{pid}/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _start(*args: str | Path, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [SERVSIM, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        start_new_session=True,
    )


def _assert_stopped_cleanly(process: subprocess.Popen[str]) -> str:
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # no traceback, no "Aborted!", no Dask worker's traceback
    assert "Traceback" not in err and "Aborted" not in err
    return lines[0]


needs_proc = pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")


@needs_proc
def test_issue14_item12_ctrl_c_stops_run_in_one_line_with_exit_130(
    shop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    process = _start("run", shop, "-n", "200", "--out", out, cwd=tmp_path)
    _interrupt_when(process, lambda: _loaded(process.pid, "pandas/_libs"))  # simulating
    line = _assert_stopped_cleanly(process)
    assert "nothing was written" in line
    assert not any(out.iterdir()) if out.exists() else True


@needs_proc
def test_issue14_item12_ctrl_c_during_start_up_is_one_line(shop: Path, tmp_path: Path) -> None:
    """In the imports of the first second: the command line itself, then pydantic's."""
    process = _start("validate", shop, cwd=tmp_path)
    _interrupt_when(process, lambda: _loaded(process.pid, "pydantic_core"))
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:  # validated before the signal came: nothing to see
        return
    assert process.returncode == 130, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


@needs_proc
@pytest.mark.parametrize("cluster", [(), ("--local-cluster",)], ids=["processes", "dask"])
def test_issue14_item12_ctrl_c_keeps_every_completed_run_of_a_sweep(
    tmp_path: Path, cluster: tuple[str, ...]
) -> None:
    # runs of 40 days (about 0.07 s each): the sweep still has seconds of runs to go when its
    # first part is written, however loaded the machine (with 10-day runs a busy parent could
    # store its first part as the workers finished the last run, and the signal came too late)
    experiment = write_experiment(
        tmp_path,
        SMALL_SWEEP.replace("replications: 3", "replications: 12"),
        SCENARIO.replace("horizon: 10d", "horizon: 40d"),
    )
    folder = tmp_path / "results"
    process = _start("sweep", experiment, "--workers", "2", *cluster, cwd=tmp_path)
    _interrupt_when(process, lambda: any((folder / "runs").glob("part-*.parquet")))
    line = _assert_stopped_cleanly(process)
    assert "--resume" in line and str(Path("results")) in line
    kept = sum(len(pd.read_parquet(part)) for part in (folder / "runs").glob("part-*.parquet"))
    assert kept > 0
    resumed = invoke("sweep", experiment, "--workers", "1", "--resume")
    assert resumed.exit_code == 0, resumed.output
    summary = pd.read_parquet(folder / "summary.parquet")
    assert set(summary["runs"]) == {12}


# --- item 13: tables at 80 columns, no progress bar when redirected ---------------------------
def _assert_reads_whole(text: str, words: list[str]) -> None:
    for line in text.splitlines():
        assert len(line) <= 80, line
    assert "…" not in text  # nothing cut
    assert "━" not in text  # no progress bar in redirected output
    for word in words:
        assert word in text, word


def test_issue14_item13_sweep_tables_read_whole_at_80_columns(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path)
    done = run_servsim("sweep", experiment, "--workers", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _assert_reads_whole(
        done.stdout,
        ["cost_per_order", "satisfaction_mean", "staff 1", "A.S 40", "promise 48h", ">= 50%"],
    )
    assert done.stderr == ""
    wide = run_servsim("sweep", experiment, "--workers", "1", "--resume", cwd=tmp_path, columns=200)
    assert "  staff  " in wide.stdout  # wide enough: one column per parameter


def test_issue14_item13_optimizer_tables_read_whole_at_80_columns(tmp_path: Path) -> None:
    document = search(**TINY)
    (tmp_path / "search.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    done = run_servsim("optimize", "search.yaml", "--workers", "1", "--out", "out", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    text = done.stdout + done.stderr
    _assert_reads_whole(text, ["cost_total" if done.returncode == 0 else "runs"])
    frontier = run_servsim(
        "optimize", "search.yaml", "--workers", "1", "--frontier", "--out", "f", cwd=tmp_path
    )
    assert frontier.returncode == 0, frontier.stderr
    _assert_reads_whole(frontier.stdout, ["cost_total", "efficient"])


def test_issue14_item13_run_tables_read_whole_on_a_narrow_terminal(shop: Path) -> None:
    done = run_servsim("run", shop, "-n", "2", "--by", "sku", cwd=shop.parent, columns=60)
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        assert len(line) <= 60, line
    assert "…" not in done.stdout
    assert "cycle_service_level" in done.stdout and "avg_backorder_delay" in done.stdout


@pytest.mark.parametrize("width", [80, 60])
def test_issue14_item13_progress_bar_reads_whole_on_a_narrow_terminal(width: int) -> None:
    import io

    from rich.console import Console

    from servsim.cli.running import progress_bar

    console = Console(file=io.StringIO(), force_terminal=True, width=width, record=True)
    title = "Sweeping Web shop, staff and stock levels for every season of the year"
    with progress_bar(title, console) as update:
        update(1234, 5000)
    frame = console.export_text().rstrip()
    frame = frame[frame.rindex(title[:7]) :]  # the last frame drawn
    assert len(frame) <= width, frame
    assert "1234/5000 runs" in frame and "left" in frame


def test_issue14_item13_no_progress_bar_when_redirected() -> None:
    import io

    from rich.console import Console

    from servsim.cli.running import progress_bar

    console = Console(file=io.StringIO(), width=80, record=True)  # not a terminal
    with progress_bar("Sweeping", console) as update:
        update(3, 10)
    assert console.export_text() == ""


# --- item 14: one vocabulary and one option set ------------------------------------------------
@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("run", ["--out", "--replications", "--seed", "--force"]),
        ("sweep", ["--out", "--replications", "--seed", "--force", "--resume"]),
        ("optimize", ["--out", "--seed", "--force", "--resume"]),
        ("report", ["--out", "--force"]),
    ],
)
def test_issue14_item14_one_option_set(command: str, options: list[str]) -> None:
    shown = invoke(command, "--help")
    assert shown.exit_code == 0
    for option in options:
        assert option in shown.output, option


def test_issue14_item14_sweep_out_seed_replications_override_the_file(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path)
    done = invoke("sweep", experiment, "-w", "1", "--out", tmp_path / "x", "-s", "7", "-n", "2")
    assert done.exit_code == 0, done.output
    manifest = json.loads((tmp_path / "x" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["seed"], manifest["replications"]) == (7, 2)
    assert "--seed 7 --replications 2" in manifest["experiment_text"]  # said, not hidden
    assert not (tmp_path / "results").exists()  # the file's out: is overridden
    runs = pd.concat(pd.read_parquet(p) for p in (tmp_path / "x" / "runs").glob("*.parquet"))
    assert set(runs["seed"]) == {7}


def test_issue14_item14_optimize_takes_out_and_seed(tmp_path: Path) -> None:
    (tmp_path / "search.yaml").write_text(yaml.safe_dump(search(**TINY)), encoding="utf-8")
    done = invoke("optimize", tmp_path / "search.yaml", "-w", "1", "-o", tmp_path / "y", "-s", "4")
    assert done.exit_code in (0, 1), done.output
    manifest = json.loads((tmp_path / "y" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 4


def test_issue14_item14_report_out_is_a_file_or_an_existing_folder(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path)
    assert invoke("sweep", experiment, "--workers", "1").exit_code == 0
    (tmp_path / "reports").mkdir()
    into_folder = invoke("report", tmp_path / "results", "--out", tmp_path / "reports")
    assert into_folder.exit_code == 0, into_folder.output
    assert (tmp_path / "reports" / "report.html").is_file()
    as_file = invoke("report", tmp_path / "results", "--out", tmp_path / "reports" / "r.html")
    assert as_file.exit_code == 0, as_file.output
    assert (tmp_path / "reports" / "r.html").is_file()


def test_issue14_item14_targets_print_one_way(shop: Path) -> None:
    assert format_target("otif", ">=", 0.95) == ">= 95%"
    assert format_target("otif[trade]", ">=", 0.975) == ">= 97.5%"
    assert format_target("cycle_mean", "<=", 60.0) == "<= 60"
    text = SCENARIO + "standards:\n  otif: '>= 50%'\n  cycle_mean: '<= 600'\n"
    shop.write_text(text, encoding="utf-8")
    done = invoke("run", shop, "-n", "2")
    assert done.exit_code == 0, done.output
    assert ">= 50%" in done.stdout and "<= 600" in done.stdout
    assert "50.00%" not in done.stdout and "600.000" not in done.stdout


def test_issue14_item14_one_word_for_indistinguishable(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path)
    done = invoke("sweep", experiment, "--workers", "1")
    assert done.exit_code == 0, done.output
    flat = " ".join(done.stdout.split())
    assert "indistinguishable" in flat
    assert "overlaps:" not in flat and "overlaps " not in flat.replace("overlap an", "")
    sources = [*(ROOT / "src").rglob("*.py"), *(ROOT / "docs").rglob("*.md"), ROOT / "README.md"]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert "not told apart from the frontier" not in text, path
        assert '"overlaps"' not in text, path


# --- item 15: the other kind of file -----------------------------------------------------------
def test_issue14_item15_run_on_an_experiment_names_sweep(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path)
    one_clean_line(invoke("run", experiment), str(experiment), "servsim sweep")
    (tmp_path / "search.yaml").write_text(yaml.safe_dump(search(**TINY)), encoding="utf-8")
    one_clean_line(invoke("run", tmp_path / "search.yaml"), "servsim optimize")


def test_issue14_item15_sweep_and_optimize_on_a_scenario_name_run(shop: Path) -> None:
    for command in ("sweep", "optimize"):
        one_clean_line(invoke(command, shop), str(shop), "scenario", f"servsim run {shop}")


def test_issue14_item15_sweep_on_a_search_names_optimize(tmp_path: Path) -> None:
    (tmp_path / "search.yaml").write_text(yaml.safe_dump(search(**TINY)), encoding="utf-8")
    one_clean_line(invoke("sweep", tmp_path / "search.yaml"), "servsim optimize")


def test_issue14_item15_validate_checks_experiment_files(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path)
    good = invoke("validate", experiment)
    assert good.exit_code == 0, good.output
    assert "valid experiment 'small sweep'" in " ".join(good.stdout.split())
    assert "servsim sweep" in good.stdout
    broken = experiment.with_name("broken.yaml")
    broken.write_text(SMALL_SWEEP.replace("processing.staff: [1, 2]", "processing.stuff: [1, 2]"))
    bad = invoke("validate", broken)
    assert bad.exit_code == 2, bad.output
    assert "broken.yaml:4" in bad.stderr and "processing.stuff" in bad.stderr
    examples = sorted((ROOT / "experiments").glob("*.yaml"))
    assert examples
    for example in examples:
        checked = invoke("validate", example)
        assert checked.exit_code == 0, checked.output
        assert "valid" in checked.stdout and "experiment" in checked.stdout


# --- item 17: a folder where a file is expected; no folders made silently ---------------------
@pytest.mark.parametrize("command", ["validate", "run", "sweep", "optimize"])
def test_issue14_item17_a_folder_for_a_file_is_one_line(command: str, tmp_path: Path) -> None:
    one_clean_line(invoke(command, tmp_path), str(tmp_path), "folder")


def test_issue14_item17_report_out_makes_no_missing_folder(tmp_path: Path, shop: Path) -> None:
    experiment = write_experiment(tmp_path)
    assert invoke("sweep", experiment, "--workers", "1").exit_code == 0
    missing = tmp_path / "no" / "such" / "place"
    refused = invoke("report", tmp_path / "results", "--out", missing / "r.html")
    one_clean_line(refused, str(missing), "no such folder")
    assert not (tmp_path / "no").exists()
    run = invoke("run", shop, "-n", "2", "--report", missing / "r.html")
    one_clean_line(run, "no such folder", "--report")
    assert not (tmp_path / "no").exists()
    file_parent = invoke("report", tmp_path / "results", "--out", shop / "r.html")
    one_clean_line(file_parent, "is a file, not a folder")


# --- item 18: the logs only when asked, compressed ------------------------------------------
def test_issue14_item18_run_out_writes_logs_only_when_asked(shop: Path, tmp_path: Path) -> None:
    plain, parquet, csv = tmp_path / "plain", tmp_path / "parquet", tmp_path / "csv"
    assert invoke("run", shop, "-n", "2", "--out", plain).exit_code == 0
    assert invoke("run", shop, "-n", "2", "--out", parquet, "--logs").exit_code == 0
    assert invoke("run", shop, "-n", "2", "--out", csv, "--logs", "csv").exit_code == 0
    logs = {"orders.parquet", "lines.parquet", "orders.csv", "lines.csv"}
    assert not logs & {path.name for path in plain.iterdir()}
    assert {"orders.parquet", "lines.parquet"} <= {path.name for path in parquet.iterdir()}
    assert {"orders.csv", "lines.csv"} <= {path.name for path in csv.iterdir()}
    assert not {"orders.parquet", "lines.parquet"} & {path.name for path in csv.iterdir()}
    compression = pq.ParquetFile(parquet / "orders.parquet").metadata.row_group(0).column(0)
    assert compression.compression == "ZSTD"
    size = {folder: sum(p.stat().st_size for p in folder.iterdir()) for folder in (plain, parquet)}
    assert size[plain] < size[parquet]
    orders = pd.read_parquet(parquet / "orders.parquet")
    assert len(pd.read_csv(csv / "orders.csv")) == len(orders)
    report = invoke("report", plain)  # the report still works without the logs
    assert report.exit_code == 0, report.output
    assert (plain / "report.html").is_file()


def test_issue14_item18_logs_need_an_out_folder(shop: Path) -> None:
    one_clean_line(invoke("run", shop, "--logs"), "--logs", "--out")


# --- item 19: start-up imports nothing heavy --------------------------------------------------
HEAVY = ("pandas", "scipy", "plotly", "dask", "distributed", "pyarrow", "statsmodels")


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["run", "--help"], ["validate", "scenarios/webshop.yaml"]],
    ids=["help", "run-help", "validate"],
)
def test_issue14_item19_start_up_imports_no_heavy_library(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from servsim.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit as stop:\n"
        "    assert stop.code in (0, None), stop.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_issue14_item19_the_package_root_is_lazy() -> None:
    code = (
        "import sys, servsim\n"
        "before = sorted(m for m in sys.modules if m.startswith('servsim'))\n"
        "names = [servsim.simulate, servsim.sweep, servsim.optimize, servsim.__version__]\n"
        "print(before, callable(servsim.report.write_report), 'report' in dir(servsim))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['servsim'] True True"


def test_issue14_item19_cli_limits_are_the_scenario_layer_s() -> None:
    from servsim.kpis.breakdowns import GROUPINGS as BREAKDOWNS
    from servsim.scenario import fields

    assert (fields.MOST_REPLICATIONS, fields.MOST_SEED) == (MOST_REPLICATIONS, MOST_SEED)
    assert BREAKDOWNS == GROUPINGS


def test_issue14_item10_sweep_tables_show_a_section_as_words_not_json() -> None:
    """A section-valued parameter (stored as JSON in the runs) reads as the report writes it."""
    from servsim.cli.sweep_tables import settings

    row = pd.Series(
        {"tiers.basic": '{"promise": "48h", "mode": "express"}', "processing.staff": 2.0}
    )
    text = settings(row, ["tiers.basic", "processing.staff"])
    assert "{" not in text and '"' not in text
    assert "promise 48h, mode express" in text and text.endswith(" 2")
