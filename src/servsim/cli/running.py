"""What the commands that run many simulations share: their options, the progress bar, and
the warnings a run gives (a damaged part file) said as plain lines."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from servsim.experiment.parts import DamagedPartWarning
from servsim.experiment.sweep import Progress as ProgressCallback

ALLOW_LARGE_HELP = (
    "Allow more work than servsim runs without being told: over 50,000,000 expected orders, "
    "or over 20,000 runs."
)

allow_large_option = click.option("--allow-large", is_flag=True, help=ALLOW_LARGE_HELP)
"""``--allow-large`` for validate, run, sweep and optimize."""


def run_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options of commands that run many simulations: where, and what to do with results."""
    for option in reversed(
        [
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
                "--force", is_flag=True, help="Replace the results already in the folder."
            ),
            allow_large_option,
        ]
    ):
        command = option(command)
    return command


@contextmanager
def progress_bar(title: str, console: Console) -> Iterator[ProgressCallback]:
    """A progress bar with the runs done and the time left; yields its update function."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
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


@contextmanager
def plain_warnings() -> Iterator[None]:
    """servsim's warnings (a damaged part file set aside) as one plain line each on stderr, as
    they come; other warnings as Python shows them."""
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
