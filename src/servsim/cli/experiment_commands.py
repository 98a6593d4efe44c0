"""``servsim sweep`` and ``servsim optimize``: the commands that run an experiment file's many
points, on the executor asked for, with a progress bar and a way to resume after Ctrl-C."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from servsim.cli.file_checks import kind_of, not_an_experiment
from servsim.cli.output import NO_ANSWER, console, fail, when_stopped
from servsim.cli.running import plain_warnings, progress_bar, run_options
from servsim.core.limits import MOST_REPLICATIONS


@click.command(name="sweep")
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
            fail("--scheduler and --local-cluster exclude each other: choose one cluster")
        if self.resume and self.force:
            fail("--resume keeps the results already there and --force replaces them: choose one")


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
    kind, keys = kind_of(file)
    not_an_experiment(file, command, kind, keys)
    try:
        experiment = load(file, allow_large=execution.allow_large, overrides=execution.overrides)
    except ScenarioError as error:
        fail(str(error))
    out = execution.out or experiment.out_folder or Path("results") / file.stem
    executor = "dask" if execution.scheduler is not None or execution.local_cluster else None
    verb = {"sweep": "Sweeping", "optimize": "Optimizing"}[command]
    again = " ".join(
        [f"servsim {command} {file}"]
        + ([f"--out {out}"] if execution.out is not None else [])
        + [f"--{key} {value}" for key, value in execution.overrides.items()]
    )
    when_stopped(
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
        fail(str(error))
    return experiment, result, out


@click.command(name="optimize")
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
