"""``servsim fit``: a scenario's demand (and lead times) from the planner's order history."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from servsim.run.fit import Fit
    from servsim.run.fitted_laws import Choice

BAD_INPUT = 2

COLUMNS = ("placed", "order", "sku", "quantity", "customer", "segment", "requested", "region")
"""servsim's names of a history's columns (as servsim.scenario.history.COLUMNS: the command
line imports scipy, pandas and plotly only when the command runs)."""


def _yaml(document: dict[str, Any]) -> str:
    """The scenario as YAML, lists of plain values on one line (24 multipliers read better)."""
    import yaml

    class FlowLists(yaml.SafeDumper):
        pass

    def flow(dumper: yaml.SafeDumper, values: list[Any]) -> yaml.Node:
        plain = all(not isinstance(value, dict | list) for value in values)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", values, flow_style=plain)

    FlowLists.add_representer(list, flow)
    return yaml.dump(document, Dumper=FlowLists, sort_keys=False, allow_unicode=True)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(BAD_INPUT)


def _columns(given: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for item in given:
        ours, _, theirs = item.partition("=")
        if ours not in COLUMNS or not theirs:
            _fail(
                f"--column {item}: give OURS=THEIRS, OURS one of {', '.join(COLUMNS)} "
                "(e.g. --column placed=created_at)"
            )
        mapping[ours] = theirs
    return mapping


def _said(choice: Choice) -> list[str]:
    lines = [f"{choice.what}: {choice.best.name} (lowest AIC)"]
    for candidate in choice.candidates:
        statistic = (
            "-" if candidate.statistic != candidate.statistic else f"{candidate.statistic:.3g}"
        )
        p_value = "-" if candidate.p_value != candidate.p_value else f"{candidate.p_value:.3g}"
        lines.append(
            f"  {candidate.name:<18} AIC {candidate.aic:>12,.1f}   {candidate.test} "
            f"{statistic}, p = {p_value}"
        )
    return lines


def _daily_line(fit: Fit) -> str:
    statistic, p_value = fit.daily_test
    if statistic != statistic:
        return "  daily counts: too few days to test their dispersion"
    tested = f"dispersion of the daily counts: chi-square {statistic:,.1f}, p = {p_value:.3g}"
    if fit.daily_cv:
        return (
            f"  {tested}: overdispersed, so process: negative_binomial, daily_cv "
            f"{fit.daily_cv:.3g} (se {fit.daily_cv_se:.2g})"
        )
    return f"  {tested}: Poisson"


def summary(fit: Fit) -> list[str]:
    """What the fit found, a line each (printed, and written at the top of the scenario)."""
    statistic, p_value = fit.arrival_test
    lines = [
        f"{fit.trace.times.size:,} orders over {fit.trace.covers()}",
        f"arrivals: {'negative binomial' if fit.daily_cv else 'Poisson'}, {fit.rate:.4g} orders "
        f"an hour at multiplier 1, hour-of-day and weekday profile"
        + (", month of year" if fit.month_of_year else ""),
        _daily_line(fit),
        f"  trend {fit.trend:+g} a year (weekly counts' slope p = {fit.trend_p:.3g}); orders per "
        f"clock hour against the fit: chi-square {statistic:,.1f}, p = {p_value:.3g}",
        "mix: " + ", ".join(f"{sku} {share:.3f}" for sku, share in fit.mix.items()),
        "lines per order: "
        + ("1" if fit.lines == 1 else f"empirical, mean {fit.trace.lines.mean():.3f}"),
        *_said(fit.quantity),
    ]
    for name, part in fit.segments.items():
        process = "negative binomial" if part.daily_cv else "Poisson"
        lines.append(
            f"segment {name}: {part.trace.times.size:,} orders, {process}, {part.rate:.4g} an "
            f"hour at multiplier 1; mix "
            + ", ".join(f"{sku} {share:.3f}" for sku, share in part.mix.items())
            + f"; quantity {part.quantity.best.name}"
            + (f", daily_cv {part.daily_cv:.3g}" if part.daily_cv else "")
        )
    for sku, choice in fit.lead_times.items():
        lines += [f"lead time of {sku}:", *("  " + line for line in _said(choice)[1:])]
        lines[-len(choice.candidates) - 1] += f" {choice.best.name} (lowest AIC)"
    return lines


@click.command(name="fit")
@click.argument("history", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The scenario file to write.",
)
@click.option(
    "--receipts",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Purchase orders and their receipts (columns sku, ordered, received): lead times.",
)
@click.option(
    "--report",
    "report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The fit report to write (default: OUT with .html).",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="OURS=THEIRS",
    help="Map a column: --column placed=created_at (repeatable).",
)
@click.option("--timezone", default=None, help="The IANA zone of the clock (Europe/Amsterdam).")
@click.option("--force", is_flag=True, help="Replace OUT and the report if they exist.")
def fit_command(
    history: Path,
    out: Path,
    receipts: Path | None,
    report: Path | None,
    columns: tuple[str, ...],
    timezone: str | None,
    force: bool,
) -> None:
    """Fit a scenario's demand to an order HISTORY (one row per order line: placed, order,
    sku, quantity) and write it to OUT: the arrival rate with hour-of-day and weekday (and
    month) profiles and a trend, the sku mix, lines per order, units per line (Poisson,
    negative binomial, geometric or empirical, by AIC) and, with --receipts, lead times
    (gamma, lognormal or empirical). Prints the goodness of fit and writes a fit report."""
    from servsim.core.errors import ScenarioError
    from servsim.report.fit_report import fit_report
    from servsim.run.fit import fit_history
    from servsim.scenario.loading import load_scenario

    target = report if report is not None else out.with_suffix(".html")
    for path in (out, target):
        if path.exists() and not force:
            _fail(f"{path}: already exists; choose another path or add --force")
    if not history.is_file():
        _fail(f"{history}: history file not found")
    if receipts is not None and not receipts.is_file():
        _fail(f"{receipts}: receipts file not found")
    started = time.perf_counter()
    try:
        fit = fit_history(history, _columns(columns), timezone, receipts)
    except ScenarioError as error:
        _fail(str(error))
    except ValueError as error:
        _fail(f"{history}: {error}")
    said = summary(fit)
    document = fit.scenario(f"Fitted to {history.name}")
    text = (
        f"# Written by servsim fit from {history}"
        + (f" and {receipts}" if receipts else "")
        + "\n# Products' unit_cost and price, stocking, processing and delivery are placeholders:"
        "\n# fill them in. What the fit found:\n"
        + "".join(f"#   {line}\n" for line in said)
        + _yaml(document)
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    try:
        load_scenario(out)
    except ScenarioError as error:  # pragma: no cover - a fit must write a valid scenario
        _fail(f"the fitted scenario does not validate (a bug):\n{error}")
    target.write_text(fit_report(fit, history), encoding="utf-8")
    for line in said:
        click.echo(line)
    click.echo(f"Scenario in {out}; fit report in {target} ({time.perf_counter() - started:.1f} s)")
