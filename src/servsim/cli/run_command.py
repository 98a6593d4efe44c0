"""``servsim run``: one scenario simulated, its KPIs and standards printed, and what it writes
(the --out folder, its logs, the HTML report), each place checked before simulating."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from servsim.cli.file_checks import kind_of, not_a_scenario
from servsim.cli.output import console, fail, when_stopped
from servsim.cli.running import allow_large_option
from servsim.cli.targets import check_report_file, check_run_folder
from servsim.core.limits import GROUPINGS, MOST_REPLICATIONS, MOST_SEED, NETWORK_GROUPINGS

if TYPE_CHECKING:
    from servsim.run.results import Results

LOG_FORMATS = ("parquet", "csv")
"""How ``run --logs`` writes the order and line logs."""


@click.command()
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
    when_stopped("Stopped (Ctrl-C) before the run finished; nothing was written.")
    from servsim.core.errors import ScenarioError

    kind, keys = kind_of(file)
    if kind == "experiment":
        not_a_scenario(file, keys, allow_large)
    from servsim.scenario.loading import load_scenario
    from servsim.scenario.workload import check_scenario

    try:
        scenario = load_scenario(file)
        check_scenario(scenario, replications or scenario.replications, allow_large)
    except ScenarioError as error:
        fail(str(error))
    if logs is not None and out is None:
        fail("--logs writes the order and line logs to the --out folder: give --out DIR too")
    lacking = [grouping for grouping in by if grouping in NETWORK_GROUPINGS]
    if lacking and scenario.network is None:
        fail(
            f"{file}: --by {lacking[0]}: the scenario has no network; allowed without one: "
            "segment, channel, sku"
        )
    if out is not None:  # checked before simulating, not after
        check_run_folder(out, force)
    report_file = run_report_path(file, out, report_path)
    if report_file is not None:
        check_report_file(report_file, force, "--report")
    from servsim.run.simulate import simulate

    with console.status(f"Simulating {scenario.name}..."):
        results = simulate(scenario, replications=replications, seed=seed, allow_large=True)
    from servsim.cli.run_tables import breakdown_table, summary_table

    console.print(summary_table(results, confidence))
    if scenario.standards:
        from servsim.cli.standards_table import standards_table

        console.print(
            standards_table(results.standards(confidence), scenario.time_unit, confidence)
        )
    for grouping in by:
        console.print(breakdown_table(results, grouping, confidence, console.width))
    _write_run(results, out, logs, confidence, by, report_file)


def _write_run(
    results: Results,
    out: Path | None,
    logs: str | None,
    confidence: float,
    by: tuple[str, ...],
    report_file: Path | None,
) -> None:
    from servsim.run.folder import write_run_folder

    when_stopped("Stopped (Ctrl-C) while writing the results; run the command again.")
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
        fail(f"{where}: cannot write the results: {error.strerror or error}")


def run_report_path(file: Path, out: Path | None, given: str | None) -> Path | None:
    """Where ``run --report`` writes: the path given, else in --out, else beside the cwd."""
    if given is None:
        return None
    if given:
        return Path(given)
    return out / "report.html" if out is not None else Path(f"{file.stem}.report.html")
