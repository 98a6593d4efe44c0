"""The command line: parses arguments, calls the library, prints. Nothing else lives here.

Only click, rich and ``servsim.core`` are imported with this module, so ``servsim --help``
starts at once; each command imports what it needs (the scenario layer, pandas, the
simulation, plotly, Dask) when it runs. Those imports inside the commands are for start-up time
only, never to dodge an import cycle.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console

from servsim.cli.fit_command import fit_command
from servsim.cli.running import allow_large_option, plain_warnings, progress_bar, run_options
from servsim.core.folders import folder_problem, is_servsim_report
from servsim.core.limits import GROUPINGS, MOST_REPLICATIONS, MOST_SEED, NETWORK_GROUPINGS
from servsim.core.version import __version__

if TYPE_CHECKING:
    from servsim.run.results import Results

BAD_INPUT = 2
"""Exit code for anything wrong with what the user gave us."""

INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""

NO_ANSWER = 1
"""Exit code when no point meets the standards (the closest one is shown)."""

console = Console()

_STOPPED = "servsim.stopped"
"""Key of the context's meta: what a command says when Ctrl-C stops it."""


def _fail(message: str) -> NoReturn:
    """One plain line per problem on stderr (never wrapped: tools grep file:line), exit 2."""
    click.echo(message, err=True)
    sys.exit(BAD_INPUT)


def interrupted(message: str = "Stopped (Ctrl-C).") -> NoReturn:
    """One line on stderr, exit 130: what Ctrl-C leaves behind, never a traceback."""
    click.echo(message, err=True)
    sys.exit(INTERRUPTED)


def _when_stopped(message: str) -> None:
    """Say ``message`` (what is kept) if Ctrl-C stops the running command."""
    click.get_current_context().meta[_STOPPED] = message


class ServsimGroup(click.Group):
    """The commands, with Ctrl-C as one line and exit 130 (click's own answer is ``Aborted!``
    and exit 1, after a traceback if the key came during an import)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            interrupted(ctx.meta.get(_STOPPED, "Stopped (Ctrl-C)."))


@click.group(cls=ServsimGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


# --- what kind of file: a scenario or an experiment -------------------------------------------
def _kind_of(file: Path) -> tuple[str | None, set[str]]:
    """Whether ``file`` reads as a scenario or an experiment (None: cannot tell; the loader
    then says what is wrong), and its top-level keys."""
    from servsim.cli.kinds import file_kind

    return file_kind(file)


def _not_a_scenario(file: Path, keys: set[str], allow_large: bool) -> NoReturn:
    """Refuse an experiment given to run: in one line naming the command, once the file is
    known to load as an experiment (else its own problems, as validate gives them)."""
    command = "optimize" if "search" in keys else "sweep"
    _load_as_experiment(file, keys, allow_large)
    _fail(
        f"{file}: is an experiment file (it has parameters:), not a scenario; "
        f"run it with: servsim {command} {file}"
    )


def _not_an_experiment(file: Path, command: str, kind: str | None, keys: set[str]) -> None:
    """Refuse a scenario given to sweep or optimize (once it loads as one: else its own
    problems, as validate gives them), and a search given to sweep."""
    if kind == "scenario":
        from servsim.core.errors import ScenarioError
        from servsim.scenario.loading import load_scenario

        try:
            load_scenario(file)
        except ScenarioError as error:
            _fail(str(error))
        _fail(
            f"{file}: is a scenario file (it has products: and demand:), not an experiment; "
            f"simulate it with: servsim run {file}"
        )
    if command == "sweep" and kind == "experiment" and "search" in keys:
        _fail(
            f"{file}: is an optimizer's experiment (it has a search: section), not a sweep; "
            f"run it with: servsim optimize {file}"
        )


def _load_as_experiment(file: Path, keys: set[str], allow_large: bool) -> Any:
    """The experiment of ``file``, as sweep (or, with a search: section, optimize) loads it;
    its problems exit 2."""
    from servsim.core.errors import ScenarioError

    try:
        if "search" in keys:
            from servsim.search.schema import load_search

            return load_search(file, allow_large=allow_large)
        from servsim.experiment.loading import load_experiment

        return load_experiment(file, allow_large=allow_large)
    except ScenarioError as error:
        _fail(str(error))


# --- validate ---------------------------------------------------------------------------------
@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@allow_large_option
def validate(file: Path, allow_large: bool) -> None:
    """Check a scenario or experiment FILE and explain every problem (exit code 2 if any).

    An experiment file (one with parameters:) is checked as servsim sweep, or with a search:
    section as servsim optimize, would load it: its scenario, every point and the work asked.
    """
    from servsim.core.errors import ScenarioError

    kind, keys = _kind_of(file)
    if kind == "experiment":
        _validate_experiment(file, keys, allow_large)
        return
    from servsim.scenario.loading import load_scenario
    from servsim.scenario.workload import check_scenario

    try:
        scenario = load_scenario(file)
        check_scenario(scenario, scenario.replications, allow_large)
    except ScenarioError as error:
        _fail(str(error))
    console.print(
        f"{file}: valid scenario '{scenario.name}': {len(scenario.products)} products, "
        f"horizon {scenario.horizon:g} {scenario.time_unit}, {scenario.replications} replications",
        markup=False,
        soft_wrap=True,  # one line, whatever the width: tools read it
    )


def _validate_experiment(file: Path, keys: set[str], allow_large: bool) -> None:
    searched = "search" in keys
    experiment = _load_as_experiment(file, keys, allow_large)
    runs, how, _ = experiment.planned_runs()
    what = "optimizer experiment" if searched else "experiment"
    command = "optimize" if searched else "sweep"
    console.print(
        f"{file}: valid {what} '{experiment.title}': {len(experiment.parameters)} parameters, "
        f"at most {runs:,} runs ({how}); run it with: servsim {command} {file}",
        markup=False,
        soft_wrap=True,  # one line, whatever the width: tools read it
    )


# --- run --------------------------------------------------------------------------------------
LOG_FORMATS = ("parquet", "csv")
"""How ``run --logs`` writes the order and line logs."""


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
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
    type=click.Path(path_type=Path),
    default=None,
    help="Results folder: KPIs per replication, the summary, the standards and what the "
    "report needs (CSV and Parquet); the order and line logs only with --logs.",
)
@click.option(
    "--logs",
    type=click.Choice(LOG_FORMATS),
    is_flag=False,
    flag_value="parquet",
    default=None,
    metavar="[parquet|csv]",
    help="Also write the order and line logs to --out: compressed Parquet, or CSV.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the servsim results already in --out (and only those: other files stay).",
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
    help="Also show (and write) the KPIs per customer segment, order channel or sku, or, with "
    "a network, per location or region (repeatable).",
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
    logs: str | None,
    force: bool,
    confidence: float,
    by: tuple[str, ...],
    report_path: str | None,
    allow_large: bool,
) -> None:
    """Simulate a scenario FILE and print its KPIs: mean and confidence interval."""
    _when_stopped("Stopped (Ctrl-C) before the run finished; nothing was written.")
    from servsim.core.errors import ScenarioError

    kind, keys = _kind_of(file)
    if kind == "experiment":
        _not_a_scenario(file, keys, allow_large)
    from servsim.scenario.loading import load_scenario
    from servsim.scenario.workload import check_scenario

    try:
        scenario = load_scenario(file)
        check_scenario(scenario, replications or scenario.replications, allow_large)
    except ScenarioError as error:
        _fail(str(error))
    if logs is not None and out is None:
        _fail("--logs writes the order and line logs to the --out folder: give --out DIR too")
    lacking = [grouping for grouping in by if grouping in NETWORK_GROUPINGS]
    if lacking and scenario.network is None:
        _fail(
            f"{file}: --by {lacking[0]}: the scenario has no network; allowed without one: "
            "segment, channel, sku"
        )
    if out is not None:  # checked before simulating, not after
        _check_run_folder(out, force)
    report_file = run_report_path(file, out, report_path)
    if report_file is not None:
        _check_report_file(report_file, force, "--report")
    from servsim.run.simulate import simulate

    with console.status(f"Simulating {scenario.name}..."):
        results = simulate(scenario, replications=replications, seed=seed, allow_large=True)
    _print_summary(results, confidence)
    if scenario.standards:
        from servsim.cli.standards_table import standards_table

        console.print(
            standards_table(results.standards(confidence), scenario.time_unit, confidence)
        )
    for grouping in by:
        _print_breakdown(results, grouping, confidence)
    _write_run(results, out, logs, confidence, by, report_file)


def _check_run_folder(out: Path, force: bool) -> None:
    from servsim.run.folder import clashing_files, foreign_files, servsim_files

    problem = folder_problem(out)
    if problem is not None:
        _fail(f"{str(out)[:200]}: {problem} (--out)")
    clashes = clashing_files(out)
    if clashes:
        _fail(
            f"{out}: holds {', '.join(clashes[:3])}, not written by servsim run, which would "
            "be written over; choose another --out (--force never replaces a file servsim "
            "did not write)"
        )
    if servsim_files(out) and not force:
        _fail(
            f"{out}: folder already holds servsim results; choose another --out or add "
            "--force to replace them"
        )
    if not force and foreign_files(out):
        _fail(
            f"{out}: folder holds other files ({', '.join(foreign_files(out)[:3])}); choose "
            "another --out, or add --force to write beside them (they are kept)"
        )


def _write_run(
    results: Results,
    out: Path | None,
    logs: str | None,
    confidence: float,
    by: tuple[str, ...],
    report_file: Path | None,
) -> None:
    from servsim.run.folder import write_run_folder

    _when_stopped("Stopped (Ctrl-C) while writing the results; run the command again.")
    try:
        if out is not None:
            written = write_run_folder(results, out, confidence, by, logs=logs)
            names = ", ".join(path.name for path in written)
            console.print(f"Wrote {names} to {out}", markup=False)
        if report_file is not None:
            from servsim.report.writer import write_report

            write_report(results, report_file, force=True, confidence=confidence)
            console.print(f"Report in {report_file}", markup=False)
    except OSError as error:  # the disk filled up or the folder turned read-only meanwhile
        where = error.filename or out or report_file
        _fail(f"{where}: cannot write the results: {error.strerror or error}")


def _print_summary(results: Results, confidence: float) -> None:
    import pandas as pd
    from rich.table import Table

    from servsim.core.formats import INTERVAL_METHOD, format_value
    from servsim.core.kpi_columns import KPI_GROUPS

    scenario = results.scenario
    summary = results.summary(confidence)
    replications = len(results.kpis)
    table = Table(
        title=f"{scenario.name}: {replications} replications, seed {results.seed}, "
        f"times in {scenario.time_unit}",
        caption=f"mean and {confidence:.0%} confidence interval ({INTERVAL_METHOD}) over "
        f"replications; "
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
    """KPIs as rows, one column per segment or sku; each figure stacked (the mean over its
    interval) when one line per figure does not fit the terminal."""
    from rich.table import Table

    from servsim.cli.fitting import fit, spread

    summary = results.summary_by(by, confidence)
    groups = list(dict.fromkeys(summary.index.get_level_values(0)))

    def build(compact: bool) -> Table:
        table = Table(title=f"KPIs per {by}: mean [{confidence:.0%} interval]")
        table.add_column("KPI", overflow="fold")
        for group in groups:
            table.add_column(str(group), justify="right", no_wrap=True)
        for kpi in dict.fromkeys(summary.index.get_level_values(1)):
            cells = []
            for group in groups:
                row = summary.loc[(group, kpi)]
                mean, lo, hi = float(row["mean"]), float(row["lo"]), float(row["hi"])
                cells.append(spread(kpi, mean, lo, hi, compact))
            table.add_row(kpi, *cells)
        return table

    console.print(fit(build, console.width))


def run_report_path(file: Path, out: Path | None, given: str | None) -> Path | None:
    """Where ``run --report`` writes: the path given, else in --out, else beside the cwd."""
    if given is None:
        return None
    if given:
        return Path(given)
    return out / "report.html" if out is not None else Path(f"{file.stem}.report.html")


def _check_report_file(path: Path, force: bool, option: str) -> None:
    """A report file can be written at ``path``: not a folder, its folder exists (none is made
    silently), and it is not a report already there unless ``force``."""
    if _is_folder(path):
        _fail(f"{path}: is a folder; give the report's file name, such as {path / 'report.html'}")
    folder = path.parent
    if not _is_folder(folder):
        what = "is a file, not a folder" if _exists(folder) else "no such folder"
        _fail(f"{str(folder)[:200]}: {what} ({option}); give a file in an existing folder")
    if _exists(path) and not force:
        _fail(f"{path}: already exists; choose another path or add --force to replace it")
    if _exists(path) and not is_servsim_report(path):
        _fail(
            f"{path}: is not a report servsim wrote, and --force replaces only servsim's own "
            "files; choose another path"
        )


# --- report -----------------------------------------------------------------------------------
@main.command(name="report")
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

    if not _is_folder(results_dir):
        what = "is a file, not a folder" if _exists(results_dir) else "no such folder"
        _fail(f"{results_dir}: {what}; give the out: folder of a sweep or of run --out")
    target = results_dir / "report.html" if out is None else out
    if out is not None and _is_folder(out):
        target = out / "report.html"
    if is_run_folder(results_dir):
        _check_report_file(target, force, "--out")
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
    _check_report_file(target, force, "--out")
    from servsim.core.errors import ScenarioError
    from servsim.experiment.results import SweepResults

    try:
        with plain_warnings():  # a damaged part is left out, and said in one line
            results = SweepResults.from_folder(results_dir)
    except ScenarioError as error:
        _fail(str(error))
    except (KeyError, TypeError, ValueError, OSError) as error:
        _fail(f"{results_dir}: cannot read the sweep's results ({error}); is the folder damaged?")
    if results.summary.empty:
        _fail(f"{results_dir}: holds no completed run yet; finish it with servsim sweep --resume")
    _write_report(results, target)


def _write_report(results: Any, target: Path, confidence: float = 0.95) -> None:
    from servsim.report.writer import write_report

    _when_stopped("Stopped (Ctrl-C); the report was not written.")
    with console.status("Writing the report..."):
        write_report(results, target, force=True, confidence=confidence)
    console.print(f"Report in {target}", markup=False)


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder; False for a name the file system cannot even look up."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; False for a name the file system cannot even look up."""
    try:
        return path.exists()
    except OSError:
        return False


def _report_of_run_folder(folder: Path, target: Path) -> None:
    """The report of a ``servsim run --out`` folder, from the tables it keeps."""
    from servsim.core.errors import ScenarioError
    from servsim.run.folder import read_run_folder

    try:
        results, confidence = read_run_folder(folder)
    except ScenarioError as error:
        _fail(str(error))
    except (KeyError, TypeError, ValueError, OSError) as error:
        _fail(f"{folder}: cannot read the run's results ({error}); is the folder damaged?")
    _write_report(results, target, confidence)


# --- sweep and optimize -----------------------------------------------------------------------
@main.command(name="sweep")
@click.argument("file", type=click.Path(path_type=Path))
@run_options
@click.option(
    "--replications",
    "-n",
    type=click.IntRange(min=2, max=MOST_REPLICATIONS),
    default=None,
    help="Replications of every point (default: the experiment's replications:).",
)
def sweep_command(
    file: Path,
    out: Path | None,
    seed: int | None,
    workers: int | None,
    scheduler: str | None,
    local_cluster: bool,
    resume: bool,
    force: bool,
    allow_large: bool,
    replications: int | None,
) -> None:
    """Sweep an experiment FILE: every point's replications, then the frontier and the best point.

    Results go to --out, else the experiment's out: folder (default: results/FILE-NAME), one
    file per completed chunk of runs, so a stopped sweep continues with --resume.
    """
    from servsim.cli.sweep_tables import best_table, frontier_table
    from servsim.experiment.loading import load_experiment
    from servsim.experiment.sweep import sweep

    overrides = {"seed": seed, "replications": replications}
    experiment, results, out = _run_experiment(
        file,
        "sweep",
        load_experiment,
        sweep,
        _Execution(out, overrides, workers, scheduler, local_cluster, resume, force, allow_large),
    )
    console.print(frontier_table(results, experiment.title, console.width))
    if results.standards:
        console.print(best_table(results, console.width))
    console.print(f"Results in {out}", markup=False)


class _Execution:
    """What the command line says about where and how an experiment runs."""

    def __init__(
        self,
        out: Path | None,
        overrides: dict[str, Any],
        workers: int | None,
        scheduler: str | None,
        local_cluster: bool,
        resume: bool,
        force: bool,
        allow_large: bool,
    ) -> None:
        self.out = out
        self.overrides = {key: value for key, value in overrides.items() if value is not None}
        self.workers = workers
        self.scheduler = scheduler
        self.local_cluster = local_cluster
        self.resume = resume
        self.force = force
        self.allow_large = allow_large

    def check(self) -> None:
        if self.scheduler is not None and self.local_cluster:
            _fail("--scheduler and --local-cluster exclude each other: choose one cluster")
        if self.resume and self.force:
            _fail("--resume keeps the results already there and --force replaces them: choose one")


def _run_experiment(
    file: Path,
    command: str,
    load: Callable[..., Any],
    run: Callable[..., Any],
    execution: _Execution,
    **options: Any,
) -> tuple[Any, Any, Path]:
    """Load FILE, run it with a progress bar on the executor asked for; bad input exits 2 and
    Ctrl-C says how to resume. The experiment, the result and the results folder."""
    from servsim.core.errors import ScenarioError

    execution.check()
    kind, keys = _kind_of(file)
    _not_an_experiment(file, command, kind, keys)
    try:
        experiment = load(file, allow_large=execution.allow_large, overrides=execution.overrides)
    except ScenarioError as error:
        _fail(str(error))
    out = execution.out or experiment.out_folder or Path("results") / file.stem
    executor = "dask" if execution.scheduler is not None or execution.local_cluster else None
    verb = {"sweep": "Sweeping", "optimize": "Optimizing"}[command]
    again = " ".join(
        [f"servsim {command} {file}"]
        + ([f"--out {out}"] if execution.out is not None else [])
        + [f"--{key} {value}" for key, value in execution.overrides.items()]
    )
    _when_stopped(
        f"Stopped (Ctrl-C). The runs completed so far are kept in {out}; "
        f"finish them with: {again} --resume"
    )
    try:
        with plain_warnings(), progress_bar(f"{verb} {experiment.title}", console) as progress:
            result = run(
                experiment,
                workers=execution.workers,
                client=execution.scheduler,
                executor=executor,
                resume=execution.resume,
                force=execution.force,
                progress=progress,
                out=out,
                **options,
            )
    except ScenarioError as error:
        _fail(str(error))
    return experiment, result, out


@main.command(name="optimize")
@click.argument("file", type=click.Path(path_type=Path))
@run_options
@click.option(
    "--frontier", is_flag=True, help="Trace the efficient frontier instead of the cheapest point."
)
def optimize_command(
    file: Path,
    out: Path | None,
    seed: int | None,
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
    search: section (budget, replications, final_check): the search chooses each point's
    replications itself, so there is no --replications. Exit code 1 when no point meets the
    standards (the closest one is shown), 2 for bad input. Results go to --out, else the out:
    folder, one file per completed chunk of runs, so a stopped search continues with --resume.
    """
    from servsim.cli.optimize_tables import (
        frontier_search_table,
        runners_up_table,
        spent,
        winner_table,
    )
    from servsim.search.optimizer import optimize
    from servsim.search.schema import load_search

    experiment, result, out = _run_experiment(
        file,
        "optimize",
        load_search,
        optimize,
        _Execution(
            out, {"seed": seed}, workers, scheduler, local_cluster, resume, force, allow_large
        ),
        frontier=frontier,
    )
    if frontier:
        console.print(frontier_search_table(result, experiment.title, console.width))
    elif result.winner is None:
        click.echo(result.message(), err=True)
        click.echo(spent(result), err=True)
        sys.exit(NO_ANSWER)
    else:
        console.print(winner_table(result, experiment.title, console.width))
        runners_up = runners_up_table(result, console.width)
        if runners_up is not None:
            console.print(runners_up)
    console.print(f"Results in {out}", markup=False)
