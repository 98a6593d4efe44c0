"""What the commands that run many simulations share: their options, the progress bar, and
the warnings a run gives (a damaged part file) said as plain lines."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from servsim.core.limits import MOST_SEED

if TYPE_CHECKING:
    from servsim.experiment.sweep import Progress as ProgressCallback

ALLOW_LARGE_HELP = (
    "Allow more work than servsim runs without being told: over 50,000,000 expected orders, "
    "or over 20,000 runs."
)

allow_large_option = click.option("--allow-large", is_flag=True, help=ALLOW_LARGE_HELP)
"""``--allow-large`` for validate, run, sweep and optimize."""


def run_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options of commands that run many simulations: where, and what to do with results.

    ``--out`` and ``--seed`` mean what they mean for ``servsim run``: the results folder and
    the random seed, each overriding the experiment file's ``out:`` and ``seed:``.
    """
    for option in reversed(
        [
            click.option(
                "--out",
                "-o",
                type=click.Path(path_type=Path),
                default=None,
                help="Results folder (default: the experiment's out:, else results/FILE-NAME).",
            ),
            click.option(
                "--seed",
                "-s",
                type=click.IntRange(min=0, max=MOST_SEED),
                default=None,
                help="Random seed, 0 to 2^63 - 1 (default: the experiment's seed:). Same seed, "
                "same results.",
            ),
            click.option(
                "--workers",
                "-w",
                type=click.IntRange(min=1),
                default=None,
                help="Worker processes (default: every core); with --local-cluster, Dask workers.",
            ),
            click.option(
                "--scheduler",
                metavar="tcp://HOST:PORT",
                default=None,
                help="Run on the Dask cluster of an existing scheduler.",
            ),
            click.option(
                "--local-cluster", is_flag=True, help="Run on a Dask LocalCluster started here."
            ),
            click.option(
                "--resume", is_flag=True, help="Keep the runs already in the results folder."
            ),
            click.option(
                "--force",
                is_flag=True,
                help="Replace the servsim results already in the folder (other files stay).",
            ),
            allow_large_option,
        ]
    ):
        command = option(command)
    return command


@contextmanager
def progress_bar(title: str, console: Console) -> Iterator[ProgressCallback]:
    """A progress bar with the runs done and the time left; yields its update function.

    Only on a terminal: redirected output (a file, a pipe, a CI log) gets no bar at all, not
    a frozen last frame of one.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    if not console.is_terminal:
        yield _no_progress
        return
    from rich.table import Column

    width = console.width  # the title gives way first: counts and times always show whole
    title_width = max(8, min(len(title), width - 56))
    columns = (
        TextColumn(
            "{task.description}",
            table_column=Column(width=title_width, no_wrap=True, overflow="ellipsis"),
        ),
        BarColumn(bar_width=max(10, min(40, width - title_width - 46))),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    bar = Progress(*columns, console=console)
    task = bar.add_task(title, total=None)

    def update(done: int, total: int) -> None:
        if not bar.live.is_started:  # only now: a LocalCluster forks its workers before this
            bar.start()  # starts rich's refresh thread, which a fork must not copy mid-write
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        bar.stop()


def _no_progress(done: int, total: int) -> None:
    """The progress callback of redirected output: nothing to draw."""


@contextmanager
def plain_warnings() -> Iterator[None]:
    """servsim's warnings (a damaged part file set aside) as one plain line each on stderr, as
    they come; other warnings as Python shows them."""
    from servsim.experiment.parts import DamagedPartWarning  # pyarrow: only when sweeping

    shown = warnings.showwarning

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, DamagedPartWarning):
            click.echo(str(message), err=True)
        else:
            shown(message, category, *args, **kwargs)

    warnings.showwarning = show
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", DamagedPartWarning)
            warnings.showwarning = show
            yield
    finally:
        warnings.showwarning = shown
