"""``servsim report``: the HTML report of a results folder, a sweep's or optimizer's out:
folder or a run's --out folder, written where --out says (never into a folder made for it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from servsim.cli.output import console, fail, when_stopped
from servsim.cli.running import plain_warnings
from servsim.cli.targets import check_report_file, exists, is_folder


@click.command(name="report")
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the report: an HTML file, or an existing folder to write report.html "
    "in (default: report.html inside RESULTS_DIR). No folder is made for it.",
)
@click.option("--force", is_flag=True, help="Replace the report file if it exists.")
def report_command(results_dir: Path, out: Path | None, force: bool) -> None:
    """Write the report of RESULTS_DIR, a sweep's or optimizer's out: folder (the recommended
    policy, the exchange curve, costs, standards, settings) or a run's --out folder: one HTML
    file that works offline."""
    from servsim.run.folder import is_run_folder

    if not is_folder(results_dir):
        what = "is a file, not a folder" if exists(results_dir) else "no such folder"
        fail(f"{results_dir}: {what}; give the out: folder of a sweep or of run --out")
    target = results_dir / "report.html" if out is None else out
    if out is not None and is_folder(out):
        target = out / "report.html"
    if is_run_folder(results_dir):
        check_report_file(target, force, "--out")
        _report_of_run_folder(results_dir, target)
        return
    if not (results_dir / "manifest.json").is_file():
        hint = (
            "it holds the results of servsim run, written before servsim kept what a report "
            "needs: write that report with servsim run FILE --report"
            if (results_dir / "kpis.parquet").is_file()
            else "give the out: folder of a sweep (servsim sweep writes it) or of servsim run --out"
        )
        fail(f"{results_dir}: no manifest.json, not the results folder of a sweep; {hint}")
    check_report_file(target, force, "--out")
    from servsim.core.errors import ScenarioError
    from servsim.experiment.results import SweepResults

    try:
        with plain_warnings():  # a damaged part is left out, and said in one line
            results = SweepResults.from_folder(results_dir)
    except ScenarioError as error:
        fail(str(error))
    except (KeyError, TypeError, ValueError, OSError) as error:
        fail(f"{results_dir}: cannot read the sweep's results ({error}); is the folder damaged?")
    if results.summary.empty:
        fail(f"{results_dir}: holds no completed run yet; finish it with servsim sweep --resume")
    _write_report(results, target)


def _write_report(results: Any, target: Path, confidence: float = 0.95) -> None:
    from servsim.report.writer import write_report

    when_stopped("Stopped (Ctrl-C); the report was not written.")
    with console.status("Writing the report..."):
        write_report(results, target, force=True, confidence=confidence)
    console.print(f"Report in {target}", markup=False)


def _report_of_run_folder(folder: Path, target: Path) -> None:
    """The report of a ``servsim run --out`` folder, from the tables it keeps."""
    from servsim.core.errors import ScenarioError
    from servsim.run.folder import read_run_folder

    try:
        results, confidence = read_run_folder(folder)
    except ScenarioError as error:
        fail(str(error))
    except (KeyError, TypeError, ValueError, OSError) as error:
        fail(f"{folder}: cannot read the run's results ({error}); is the folder damaged?")
    _write_report(results, target, confidence)
