"""Sweeps: the same table on every executor, the results folder, resuming, adaptive replications."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

import servsim
from servsim.cli import main
from servsim.experiment.store import part_files
from tests.sweep_helpers import SMALL_SWEEP, assert_same_table, write_experiment

A_RANGE_LINE = "  stocking.items.A.S: {range: [40, 120], step: 40}\n"
FEWER_POINTS = SMALL_SWEEP.replace(A_RANGE_LINE, "")  # 4 points: for tests of the folder only


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="servsim")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> servsim.SweepResults:
    """The small sweep, run serially in this process, one run per chunk."""
    path = write_experiment(tmp_path_factory.mktemp("reference"))
    return servsim.sweep(path, executor="serial", chunk=1)


def test_the_reference_sweep_has_every_run_and_point(reference: servsim.SweepResults) -> None:
    runs = reference.runs
    assert len(runs) == 12 * 3
    assert list(runs.columns[:6]) == [
        "point",
        "replication",
        "seed",
        "processing.staff",
        "stocking.items.A.S",
        "delivery.promise",
    ]
    assert runs[["point", "replication"]].values.tolist() == [
        [point, replication] for point in range(12) for replication in range(3)
    ]
    assert (runs["seed"] == 5).all()
    summary = reference.summary
    assert len(summary) == 12
    assert (summary["runs"] == 3).all()
    for kpi in ("otif", "cost_per_order", "satisfaction_mean"):
        assert {f"{kpi}_{s}" for s in ("mean", "lo", "hi", "n")} <= set(summary.columns)
        assert (summary[f"{kpi}_lo"] <= summary[f"{kpi}_mean"]).all()
        assert (summary[f"{kpi}_mean"] <= summary[f"{kpi}_hi"]).all()
    first = runs[runs["point"] == 0]["otif"]
    assert summary.loc[0, "otif_mean"] == first.mean()
    assert summary.loc[0, "otif_n"] == 3


def test_processes_give_the_same_table_bit_for_bit(
    reference: servsim.SweepResults, tmp_path: Path
) -> None:
    results = servsim.sweep(write_experiment(tmp_path), executor="processes", workers=2)
    assert_same_table(results.runs, reference.runs)
    assert_same_table(results.summary, reference.summary)


def test_a_dask_local_cluster_gives_the_same_table_bit_for_bit(
    reference: servsim.SweepResults, tmp_path: Path
) -> None:
    results = servsim.sweep(write_experiment(tmp_path), executor="dask", workers=2, chunk=5)
    assert_same_table(results.runs, reference.runs)
    assert_same_table(results.summary, reference.summary)


def test_the_cli_sweeps_on_a_local_dask_cluster_it_starts(
    reference: servsim.SweepResults, tmp_path: Path
) -> None:
    """`servsim sweep --local-cluster` as a planner runs it: its own process (its output
    redirected, so no progress bar: tests/test_issues_cli.py shows the bar on a terminal)."""
    path = write_experiment(tmp_path)
    servsim_command = Path(sys.executable).with_name("servsim")
    command = [str(servsim_command), "sweep", str(path), "--local-cluster", "--workers", "2"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "Traceback" not in finished.stdout + finished.stderr
    assert "Cheapest point meeting every standard" in finished.stdout
    assert "━" not in finished.stdout + finished.stderr
    stored = servsim.SweepResults.from_folder(tmp_path / "results")
    assert_same_table(stored.runs, reference.runs)


def test_the_results_folder_holds_manifest_runs_and_summary(
    reference: servsim.SweepResults, tmp_path: Path
) -> None:
    folder = tmp_path / "results"
    assert reference.folder is not None and reference.folder.name == "results"
    servsim.sweep(write_experiment(tmp_path), executor="serial", chunk=4)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["experiment_text"] == SMALL_SWEEP
    assert manifest["experiment_file"] == str((tmp_path / "experiment.yaml").resolve())
    assert manifest["seed"] == 5
    assert manifest["servsim_version"] == servsim.__version__
    assert len(manifest["scenario_hash"]) == 64
    assert manifest["started"] <= manifest["finished"]
    assert manifest["replications_per_point"] == [3] * 12
    assert len(part_files(folder)) == 36 // 4
    assert not list((folder / "runs").glob(".*"))  # no temporary file left behind
    assert_same_table(pd.read_parquet(folder / "summary.parquet"), reference.summary)
    assert len(pd.read_csv(folder / "summary.csv")) == 12
    again = servsim.SweepResults.from_folder(folder)
    assert_same_table(again.runs, reference.runs)
    assert_same_table(again.summary, reference.summary)
    assert again.standards == {"otif": ">= 0.5"}  # as the parsed standards write it


def test_an_interrupted_sweep_resumes_to_the_same_table(
    reference: servsim.SweepResults, tmp_path: Path
) -> None:
    path = write_experiment(tmp_path)

    def stop_after_three(done: int, total: int) -> None:
        if done == 3 * 4:  # three chunks of 4 runs
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        servsim.sweep(path, executor="processes", workers=2, chunk=4, progress=stop_after_three)
    folder = tmp_path / "results"
    assert len(part_files(folder)) == 3
    assert json.loads((folder / "manifest.json").read_text())["finished"] is None
    stopped = servsim.SweepResults.from_folder(folder)
    assert len(stopped.runs) == 12  # the runs of the completed chunks, readable as they are

    progress: list[tuple[int, int]] = []
    resumed = servsim.sweep(
        path, executor="serial", resume=True, progress=lambda *p: progress.append(p)
    )
    assert progress[-1] == (36 - 12, 36 - 12)  # only what was missing
    assert_same_table(resumed.runs, reference.runs)
    assert_same_table(resumed.summary, reference.summary)


def test_a_killed_cli_sweep_resumes_to_the_same_table(
    reference: servsim.SweepResults, tmp_path: Path
) -> None:
    """Kill -9 a `servsim sweep` part way (nothing gets to clean up), then --resume it."""
    path = write_experiment(tmp_path, SMALL_SWEEP.replace("replications: 3", "replications: 4"))
    servsim_command = Path(sys.executable).with_name("servsim")
    process = subprocess.Popen(
        [str(servsim_command), "sweep", str(path), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not part_files(tmp_path / "results") and time.monotonic() < deadline:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    parts = part_files(tmp_path / "results")
    assert 1 <= len(parts) < 48 // 12  # killed part way: some chunks written, not all
    manifest = json.loads((tmp_path / "results" / "manifest.json").read_text())
    assert manifest["finished"] is None

    result = invoke("sweep", path, "--workers", "2")
    assert result.exit_code == 2
    assert "--resume" in result.stderr and "--force" in result.stderr
    result = invoke("sweep", path, "--workers", "2", "--resume")
    assert result.exit_code == 0, result.output + result.stderr
    resumed = servsim.SweepResults.from_folder(tmp_path / "results")
    whole = servsim.sweep(path, executor="serial", out=tmp_path / "whole")
    assert_same_table(resumed.runs, whole.runs)
    assert_same_table(resumed.summary, whole.summary)
    first_three = whole.runs[whole.runs["replication"] < 3].reset_index(drop=True)
    assert_same_table(first_three, reference.runs)  # more replications: the first are the same


def test_no_overwrite_without_force(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, FEWER_POINTS)
    result = invoke("sweep", path, "--workers", "1")
    assert result.exit_code == 0, result.output + result.stderr
    assert "efficient" in result.output and "Cheapest point meeting every standard" in result.output
    folder = tmp_path / "results"
    before = {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    result = invoke("sweep", path, "--workers", "1")
    assert result.exit_code == 2
    assert "Traceback" not in result.output + result.stderr
    assert str(folder) in result.stderr
    assert "--resume" in result.stderr and "--force" in result.stderr
    assert {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} == before
    with pytest.raises(servsim.ScenarioError, match="force=True"):
        servsim.sweep(path, executor="serial")
    result = invoke("sweep", path, "--workers", "1", "--force")
    assert result.exit_code == 0, result.output + result.stderr


def test_a_folder_with_other_files_is_refused(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, FEWER_POINTS)
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "notes.txt").write_text("mine")
    result = invoke("sweep", path, "--workers", "1", "--resume")
    assert result.exit_code == 2
    assert "already holds other files" in result.stderr
    assert (tmp_path / "results" / "notes.txt").read_text() == "mine"


def test_resuming_a_different_sweep_is_refused(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, FEWER_POINTS)
    servsim.sweep(path, executor="serial")
    path.write_text(FEWER_POINTS.replace("seed: 5", "seed: 6"))
    with pytest.raises(servsim.ScenarioError, match="different sweep"):
        servsim.sweep(path, executor="serial", resume=True)


def test_adaptive_replications_stop_at_the_target(tmp_path: Path) -> None:
    text = SMALL_SWEEP.replace(A_RANGE_LINE, "").replace(
        "replications: 3",
        "replications: {min: 3, max: 12, until_halfwidth: {satisfaction_mean: 0.005}}",
    )
    results = servsim.sweep(write_experiment(tmp_path, text), executor="processes", workers=2)
    summary = results.summary
    halfwidth = (summary["satisfaction_mean_hi"] - summary["satisfaction_mean_lo"]) / 2
    runs = summary["runs"]
    assert runs.min() >= 3 and runs.max() <= 12
    assert (runs > 3).any(), "the target should need more than the minimum somewhere"
    assert ((halfwidth <= 0.005) | (runs == 12)).all()  # stopped at the target, or at max
    assert (halfwidth[runs == 3] <= 0.005).all()  # points left at min met it at once
    counts = results.runs.groupby("point")["replication"].agg(["count", "max"])
    assert (counts["count"] == runs.to_numpy()).all()
    assert (counts["max"] == runs.to_numpy() - 1).all()
    serial = servsim.sweep(
        write_experiment(tmp_path / "again", text), executor="serial", out=tmp_path / "serial"
    )
    assert_same_table(serial.summary, summary)


def test_sweep_from_a_mapping_without_a_folder(tmp_path: Path) -> None:
    write_experiment(tmp_path)
    experiment = {
        "scenario": str(tmp_path / "shop.yaml"),
        "parameters": {"processing.staff": [1, 2]},
        "replications": 2,
    }
    results = servsim.sweep(experiment, workers=1)
    assert results.folder is None
    assert len(results.runs) == 4
    assert set(results.frontier()["status"]) <= {"efficient", "indistinguishable"}
    assert sorted(os.listdir(tmp_path)) == ["experiment.yaml", "shop.yaml"]  # nothing written
