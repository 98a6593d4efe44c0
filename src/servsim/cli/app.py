"""The command line: parses arguments, calls the library, prints. Nothing else lives here."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from servsim.cli.fit_command import fit_command
from servsim.cli.optimize_tables import frontier_search_table, runners_up_table, spent, winner_table
from servsim.cli.running import allow_large_option, plain_warnings, progress_bar, run_options
from servsim.cli.standards_table import standards_table
from servsim.cli.sweep_tables import best_table, frontier_table
from servsim.core.catalogue import KPI_GROUPS
from servsim.core.errors import ScenarioError
from servsim.core.folders import folder_problem
from servsim.core.formats import format_value
from servsim.core.version import __version__
from servsim.experiment.loading import load_experiment
from servsim.experiment.results import SweepResults
from servsim.experiment.sweep import sweep
from servsim.kpis.breakdowns import GROUPINGS
from servsim.report.writer import write_report
from servsim.run.folder import is_run_folder, read_run_folder, write_run_folder
from servsim.run.results import Results
from servsim.run.simulate import simulate
from servsim.scenario.fields import MOST_REPLICATIONS, MOST_SEED
from servsim.scenario.loading import load_scenario
from servsim.scenario.workload import check_scenario
from servsim.search.optimizer import optimize
from servsim.search.schema import load_search

BAD_INPUT = 2
"""Exit code for anything wrong with what the user gave us."""

console = Console()


def _fail(message: str) -> None:
    """One plain line per problem on stderr (never wrapped: tools grep file:line), exit 2."""
    click.echo(message, err=True)
    sys.exit(BAD_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="servsim")
def main() -> None:
    """servsim: simulate customer-service policies and weigh cost against satisfaction.

    \b
    Typical use:
      servsim validate scenarios/webshop.yaml
      servsim run scenarios/webshop.yaml --replications 10 --out results/webshop
      servsim sweep experiments/webshop_staff_and_stock.yaml --workers 2
      servsim report results/webshop-staff-and-stock
    """


main.add_command(fit_command)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@allow_large_option
def validate(file: Path, allow_large: bool) -> None:
    """Check a scenario FILE and explain every problem (exit code 2 if there are any)."""
    try:
        scenario = load_scenario(file)
        check_scenario(scenario, scenario.replications, allow_large)
    except ScenarioError as error:
        _fail(str(error))
    console.print(
        f"{file}: valid scenario '{scenario.name}': {len(scenario.products)} products, "
        f"horizon {scenario.horizon:g} {scenario.time_unit}, {scenario.replications} replications",
        markup=False,
    )


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--replications",
    "-n",
    type=click.IntRange(min=1, max=MOST_REPLICATIONS),
    default=None,
    help="Number of replications (default: the scenario's).",
)
@click.option(
    "--seed",
    "-s",
    type=click.IntRange(min=0, max=MOST_SEED),
    default=None,
    help="Random seed, 0 to 2^63 - 1 (default: the scenario's). Same seed, same results.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write kpis, summary and the order log to (CSV and Parquet).",
)
@click.option(
    "--force", is_flag=True, help="Allow writing into an --out folder that already holds results."
)
@click.option(
    "--confidence",
    type=click.FloatRange(0.5, 0.999),
    default=0.95,
    show_default=True,
    help="Confidence level of the intervals.",
)
@click.option(
    "--by",
    type=click.Choice(GROUPINGS),
    multiple=True,
    help="Also show (and write) the KPIs per customer segment, order channel or sku (repeatable).",
)
@click.option(
    "--report",
    "report_path",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[PATH]",
    help="Also write the HTML report (default: report.html in --out, else FILE-NAME.report.html).",
)
@allow_large_option
def run(
    file: Path,
    replications: int | None,
    seed: int | None,
    out: Path | None,
    force: bool,
    confidence: float,
    by: tuple[str, ...],
    report_path: str | None,
    allow_large: bool,
) -> None:
    """Simulate a scenario FILE and print its KPIs: mean and confidence interval."""
    try:
        scenario = load_scenario(file)
        check_scenario(scenario, replications or scenario.replications, allow_large)
    except ScenarioError as error:
        _fail(str(error))
    for folder in [out] if out is not None else []:  # checked before simulating, not after
        problem = folder_problem(folder)
        if problem is not None:
            _fail(f"{str(folder)[:200]}: {problem} (--out)")
    report_file = run_report_path(file, out, report_path)
    if report_file is not None:
        _refuse_overwrite(report_file, force)
    if out is not None and any(out.iterdir()) and not force:
        _fail(
            f"{out}: folder already holds results; choose another --out or add --force "
            "to overwrite them"
        )
    with console.status(f"Simulating {scenario.name}..."):
        results = simulate(scenario, replications=replications, seed=seed, allow_large=True)
    _print_summary(results, confidence)
    if scenario.standards:
        console.print(
            standards_table(results.standards(confidence), scenario.time_unit, confidence)
        )
    for grouping in by:
        _print_breakdown(results, grouping, confidence)
    try:
        if out is not None:
            written = write_run_folder(results, out, confidence, by)
            names = ", ".join(path.name for path in written)
            console.print(f"Wrote {names} to {out}", markup=False)
        if report_file is not None:
            write_report(results, report_file, force=True, confidence=confidence)
            console.print(f"Report in {report_file}", markup=False)
    except OSError as error:  # the disk filled up or the folder turned read-only meanwhile
        where = error.filename or out or report_file
        _fail(f"{where}: cannot write the results: {error.strerror or error}")


def _print_summary(results: Results, confidence: float) -> None:
    scenario = results.scenario
    summary = results.summary(confidence)
    replications = len(results.kpis)
    table = Table(
        title=f"{scenario.name}: {replications} replications, seed {results.seed}, "
        f"times in {scenario.time_unit}",
        caption=f"mean and {confidence:.0%} confidence interval (Student t) over replications; "
        f"warm-up {scenario.warmup:g} of horizon {scenario.horizon:g}",
    )
    table.add_column("KPI")
    table.add_column("mean", justify="right")
    table.add_column(f"{confidence:.0%} interval", justify="right")
    for group, kpis in KPI_GROUPS.items():
        present = [kpi for kpi in kpis if kpi in summary.index]
        if not present:
            continue
        table.add_section()
        table.add_row(f"[bold]{group}[/bold]", "", "")
        for kpi in present:
            row = summary.loc[kpi]
            interval = (
                f"{format_value(kpi, row['lo'])} .. {format_value(kpi, row['hi'])}"
                if row["n"] >= 2 and pd.notna(row["halfwidth"])
                else "-"
            )
            table.add_row(kpi, format_value(kpi, row["mean"]), interval)
    console.print(table)


def _print_breakdown(results: Results, by: str, confidence: float) -> None:
    """KPIs as rows, one column per segment or sku."""
    summary = results.summary_by(by, confidence)
    groups = list(dict.fromkeys(summary.index.get_level_values(0)))
    table = Table(title=f"KPIs per {by}: mean ± half-width of the {confidence:.0%} interval")
    table.add_column("KPI", no_wrap=True)
    for group in groups:
        table.add_column(str(group), justify="right")
    for kpi in dict.fromkeys(summary.index.get_level_values(1)):
        cells = []
        for group in groups:
            row = summary.loc[(group, kpi)]
            spread = (
                f" ±{format_value(kpi, row['halfwidth'])}" if pd.notna(row["halfwidth"]) else ""
            )
            cells.append(format_value(kpi, row["mean"]) + spread)
        table.add_row(kpi, *cells)
    console.print(table)


def run_report_path(file: Path, out: Path | None, given: str | None) -> Path | None:
    """Where ``run --report`` writes: the path given, else in --out, else beside the cwd."""
    if given is None:
        return None
    if given:
        return Path(given)
    return out / "report.html" if out is not None else Path(f"{file.stem}.report.html")


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.is_dir():
        _fail(f"{path}: is a folder; give the report's file name")
    if path.exists() and not force:
        _fail(f"{path}: already exists; choose another path or add --force to replace it")


@main.command(name="report")
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The HTML file to write (default: report.html inside RESULTS_DIR).",
)
@click.option("--force", is_flag=True, help="Replace the report file if it exists.")
def report_command(results_dir: Path, out: Path | None, force: bool) -> None:
    """Write the report of RESULTS_DIR, a sweep's or optimizer's out: folder (the recommended
    policy, the exchange curve, costs, standards, settings) or a run's --out folder: one HTML
    file that works offline."""
    if not _is_folder(results_dir):
        _fail(f"{results_dir}: no such folder; give the out: folder of a sweep or of run --out")
    target = out if out is not None else results_dir / "report.html"
    if is_run_folder(results_dir):
        _refuse_overwrite(target, force)
        _report_of_run_folder(results_dir, target)
        return
    if not (results_dir / "manifest.json").is_file():
        hint = (
            "it holds the results of servsim run, written before servsim kept what a report "
            "needs: write that report with servsim run FILE --report"
            if (results_dir / "kpis.parquet").is_file()
            else "give the out: folder of a sweep (servsim sweep writes it) or of servsim run --out"
        )
        _fail(f"{results_dir}: no manifest.json, not the results folder of a sweep; {hint}")
    _refuse_overwrite(target, force)
    try:
        with plain_warnings():  # a damaged part is left out, and said in one line
            results = SweepResults.from_folder(results_dir)
    except ScenarioError as error:
        _fail(str(error))
    except (KeyError, TypeError, ValueError, OSError) as error:
        _fail(f"{results_dir}: cannot read the sweep's results ({error}); is the folder damaged?")
    if results.summary.empty:
        _fail(f"{results_dir}: holds no completed run yet; finish it with servsim sweep --resume")
    with console.status("Writing the report..."):
        write_report(results, target, force=True)
    console.print(f"Report in {target}", markup=False)


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder; False for a name the file system cannot even look up."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _report_of_run_folder(folder: Path, target: Path) -> None:
    """The report of a ``servsim run --out`` folder, from the tables it keeps."""
    try:
        results, confidence = read_run_folder(folder)
    except ScenarioError as error:
        _fail(str(error))
    except (KeyError, TypeError, ValueError, OSError) as error:
        _fail(f"{folder}: cannot read the run's results ({error}); is the folder damaged?")
    with console.status("Writing the report..."):
        write_report(results, target, force=True, confidence=confidence)
    console.print(f"Report in {target}", markup=False)


INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""


@main.command(name="sweep")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@run_options
def sweep_command(
    file: Path,
    workers: int | None,
    scheduler: str | None,
    local_cluster: bool,
    resume: bool,
    force: bool,
    allow_large: bool,
) -> None:
    """Sweep an experiment FILE: every point's replications, then the frontier and the best point.

    Results go to the experiment's out: folder (default: results/FILE-NAME), one file per
    completed chunk of runs, so a stopped sweep continues with --resume.
    """
    experiment, results, out = _run_experiment(
        file,
        "sweep",
        load_experiment,
        sweep,
        workers,
        scheduler,
        local_cluster,
        resume,
        force,
        allow_large,
    )
    console.print(frontier_table(results, experiment.title))
    if results.standards:
        console.print(best_table(results))
    console.print(f"Results in {out}", markup=False)


def _check_run_options(
    scheduler: str | None, local_cluster: bool, resume: bool, force: bool
) -> None:
    if scheduler is not None and local_cluster:
        _fail("--scheduler and --local-cluster exclude each other: choose one cluster")
    if resume and force:
        _fail("--resume keeps the results already there and --force replaces them: choose one")


def _run_experiment(
    file: Path,
    command: str,
    load: Callable[..., Any],
    run: Callable[..., Any],
    workers: int | None,
    scheduler: str | None,
    local_cluster: bool,
    resume: bool,
    force: bool,
    allow_large: bool,
    **options: Any,
) -> tuple[Any, Any, Path]:
    """Load FILE, run it with a progress bar on the executor asked for; bad input exits 2 and
    Ctrl-C says how to resume. The experiment, the result and the results folder."""
    _check_run_options(scheduler, local_cluster, resume, force)
    try:
        experiment = load(file, allow_large=allow_large)
    except ScenarioError as error:
        _fail(str(error))
    out = experiment.out_folder or Path("results") / file.stem
    executor = "dask" if scheduler is not None or local_cluster else None
    verb = {"sweep": "Sweeping", "optimize": "Optimizing"}[command]
    try:
        with plain_warnings(), progress_bar(f"{verb} {experiment.title}", console) as progress:
            result = run(
                experiment,
                workers=workers,
                client=scheduler,
                executor=executor,
                resume=resume,
                force=force,
                progress=progress,
                out=out,
                **options,
            )
    except ScenarioError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        click.echo(
            f"Stopped. The runs completed so far are kept in {out}; "
            f"finish them with: servsim {command} {file} --resume",
            err=True,
        )
        sys.exit(INTERRUPTED)
    return experiment, result, out


NO_ANSWER = 1
"""Exit code when no point meets the standards (the closest one is shown)."""


@main.command(name="optimize")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@run_options
@click.option(
    "--frontier", is_flag=True, help="Trace the efficient frontier instead of the cheapest point."
)
def optimize_command(
    file: Path,
    workers: int | None,
    scheduler: str | None,
    local_cluster: bool,
    resume: bool,
    force: bool,
    allow_large: bool,
    frontier: bool,
) -> None:
    """Find the cheapest point of an experiment FILE that meets every standard, with confidence.

    FILE gives parameter bounds ({range: [lo, hi], integer: true}), the standards and a
    search: section (budget, replications, final_check). Exit code 1 when no point meets the
    standards (the closest one is shown), 2 for bad input. Results go to the out: folder, one
    file per completed chunk of runs, so a stopped search continues with --resume.
    """
    experiment, result, out = _run_experiment(
        file,
        "optimize",
        load_search,
        optimize,
        workers,
        scheduler,
        local_cluster,
        resume,
        force,
        allow_large,
        frontier=frontier,
    )
    if frontier:
        console.print(frontier_search_table(result, experiment.title))
    elif result.winner is None:
        click.echo(result.message(), err=True)
        click.echo(spent(result), err=True)
        sys.exit(NO_ANSWER)
    else:
        console.print(winner_table(result, experiment.title))
        runners_up = runners_up_table(result)
        if runners_up is not None:
            console.print(runners_up)
    console.print(f"Results in {out}", markup=False)
