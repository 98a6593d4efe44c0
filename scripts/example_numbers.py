"""The web shop's numbers as the README and the docs quote them: regenerate, never type.

    python scripts/example_numbers.py

Runs ``servsim run scenarios/webshop.yaml --replications 3`` (the command the docs show) and
writes, in docs/tutorials/generated/:

- ``webshop_run.txt``: an excerpt of the KPI table it prints and its standards table;
- ``webshop_orders.md``: how many orders one replication has, before and after the warm-up.

Then it rewrites the README's copies between its ``<!-- generated ... -->`` markers (GitHub
shows a README as it is, so it cannot include a file). tests/test_issues_examples.py checks
that the README holds what the files hold and that the order count is current.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

import servsim
from servsim.cli import main as servsim_cli
from servsim.core.units import HOURS_PER_TIME_UNIT

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "webshop.yaml"
GENERATED = ROOT / "docs" / "tutorials" / "generated"
README = ROOT / "README.md"
REPLICATIONS = 3
EXCERPT = (
    "unit_fill_rate",
    "otif",
    "cycle_p95",
    "staff_utilisation",
    "satisfaction_mean",
    "profit_per_order",
    "cost_per_order",
)
"""The KPI rows quoted, in the order of the table."""
RUN_MARKERS = ("<!-- generated: webshop_run.txt -->", "<!-- end generated -->")
ORDERS_MARKERS = ("<!-- generated: orders -->", "<!-- end -->")


def run_excerpt() -> str:
    """The lines of ``servsim run`` the docs quote: the KPI header and rows, then the
    standards table without its legend."""
    result = CliRunner().invoke(
        servsim_cli, ["run", str(SCENARIO), "--replications", str(REPLICATIONS)]
    )
    if result.exit_code != 0:
        raise SystemExit(f"servsim run failed:\n{result.output}")
    lines = [line.rstrip() for line in result.output.splitlines()]
    header = next(line for line in lines if line.startswith("┃ KPI"))
    rows = {}
    for line in lines:
        cells = line.strip("│ ").split()
        if line.startswith("│") and cells and cells[0] in EXCERPT:
            rows[cells[0]] = line
    excerpt = [header, *(rows[kpi] for kpi in EXCERPT if kpi in rows)]
    start = next(i for i, line in enumerate(lines) if "Service standards:" in line)
    standards = [lines[start].strip().join(["  ", ""])]
    for line in lines[start + 1 :]:
        if not line.strip():
            if len(standards) > 2:
                break
            continue
        standards.append(line)
    return "\n".join([*excerpt, "", *standards]) + "\n"


def orders_sentence() -> tuple[str, str]:
    """``about 34,600`` (orders per replication, to the hundred) and the docs' sentence."""
    scenario = servsim.load_scenario(SCENARIO)
    results = servsim.simulate(scenario, replications=REPLICATIONS, seed=scenario.seed)
    orders = results.orders
    placed = len(orders) / REPLICATIONS
    counted = float(orders["counted"].sum()) / REPLICATIONS
    each = f"{round(placed, -2):,.0f}"
    days = scenario.horizon * HOURS_PER_TIME_UNIT[scenario.time_unit] / 24
    sentence = (
        f"Each replication of {days:g} days has about {each} orders, "
        f"{round(counted, -2):,.0f} of them placed after the warm-up and counted in the KPIs.\n"
    )
    return each, sentence


def replace_between(text: str, markers: tuple[str, str], new: str) -> str:
    start, end = markers
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {start} ... {end} markers")
    return pattern.sub(lambda _: start + new + end, text, count=1)


def main() -> None:
    GENERATED.mkdir(parents=True, exist_ok=True)
    excerpt = run_excerpt()
    (GENERATED / "webshop_run.txt").write_text(excerpt, encoding="utf-8")
    each, sentence = orders_sentence()
    (GENERATED / "webshop_orders.md").write_text(sentence, encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    readme = replace_between(readme, RUN_MARKERS, f"\n```\n{excerpt}```\n")
    readme = replace_between(readme, ORDERS_MARKERS, each)
    README.write_text(readme, encoding="utf-8")


if __name__ == "__main__":
    main() if len(sys.argv) == 1 else sys.exit(__doc__)
