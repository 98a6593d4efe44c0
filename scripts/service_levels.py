"""The three garden service levels compared, as the docs show them: regenerate, never type.

    python scripts/service_levels.py docs/tutorials/generated

Runs garden_basic, garden_enhanced and garden_exceptional with their files' replications (same
seed: common random numbers) and writes ``service_levels.md``, a Markdown table of mean
[95% interval] per level then the paired differences from one level to the next, where the
decision is read, and ``standards_basic.txt``, the standards table ``servsim run`` prints for
the basic level.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd
from rich.console import Console

import servsim
from servsim.cli.standards_table import standards_table
from servsim.core.formats import format_value
from servsim.kpis.studies import interval

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("basic", "enhanced", "exceptional")
ROWS = {
    "cost_per_order": "cost per order (every term, goodwill included)",
    "profit_per_order": "profit per order (the window's)",
    "lasting_profit_per_order": "profit per order less the future margin the service lost",
    "otif": "on time in full",
    "satisfaction_mean": "satisfaction (mean order score)",
    "satisfied_share": "orders that met expectations",
    "satisfied_customers": "customers satisfied at the end",
    "net_promoter_score": "net promoter score",
    "churned_customers": "customers churned",
    "complaint_rate": "complaints per delivered order",
    "resolution_time_mean": "complaint resolution (h)",
    "install_wait_mean": "wait for installation (h)",
}


def kpis(level: str) -> tuple[pd.DataFrame, servsim.Results]:
    results = servsim.simulate(servsim.load_scenario(ROOT / "scenarios" / f"garden_{level}.yaml"))
    table = results.kpis.copy()
    lasting = table["profit"] - table["cost_goodwill"]
    table["lasting_profit_per_order"] = lasting / table["orders"]
    return table, results


def cell(kpi: str, values: pd.Series) -> str:
    shown = "profit_per_order" if kpi == "lasting_profit_per_order" else kpi
    lo, hi = interval(values)
    mean = values.mean()
    return f"{format_value(shown, mean)} [{format_value(shown, lo)}, {format_value(shown, hi)}]"


def main(folder: Path) -> None:
    runs = {level: kpis(level) for level in LEVELS}
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "service_levels.md", "w", encoding="utf-8") as out:
        comparison(runs, out)
    basic = runs["basic"][1]
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(standards_table(basic.standards(), basic.scenario.time_unit, 0.95))
    text = "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())
    (folder / "standards_basic.txt").write_text(text.strip("\n") + "\n", encoding="utf-8")


def comparison(runs: dict[str, tuple[pd.DataFrame, servsim.Results]], out: io.TextIOBase) -> None:
    """The levels side by side, then the paired steps between them, as Markdown."""

    def print(line: str = "") -> None:  # noqa: A001 - the tables read as printed lines
        out.write(line + "\n")

    replications = len(runs["basic"][0])
    print(f"Means and 95% intervals over {replications} replications of each level:\n")
    print("| | " + " | ".join(LEVELS) + " |")
    print("|---|" + "---|" * len(LEVELS))
    for kpi, label in ROWS.items():
        print(
            f"| {label} | " + " | ".join(cell(kpi, runs[level][0][kpi]) for level in LEVELS) + " |"
        )
    met = []
    for level in LEVELS:
        statuses = runs[level][1].standards()["status"]
        met.append(f"{(statuses == 'met').sum()} ({(statuses == 'unclear').sum()} unclear)")
    print("| standards met (of 6) | " + " | ".join(met) + " |")
    print("\nPaired differences from one level to the next (mean [95% interval]):\n")
    steps = list(zip(LEVELS, LEVELS[1:], strict=False))
    print("| | " + " | ".join(f"{low} to {high}" for low, high in steps) + " |")
    print("|---|" + "---|" * len(steps))
    for kpi in (
        "cost_per_order",
        "profit_per_order",
        "lasting_profit_per_order",
        "satisfied_customers",
        "churned_customers",
    ):
        cells = [cell(kpi, runs[high][0][kpi] - runs[low][0][kpi]) for low, high in steps]
        print(f"| {ROWS[kpi]} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "tutorials" / "generated")
