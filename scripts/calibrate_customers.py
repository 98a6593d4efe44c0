"""Measure the field studies' effects on the study scenarios with given relationship settings.

The defaults of ``servsim.scenario.customers.Relationship`` were chosen with this script so that
the model reproduces Amorim et al. (2025), Bhan and Anderson (2023) and Rao et al. (2011); see
the docs' background pages. Run it to see the figures for the defaults, or for other settings:

    python scripts/calibrate_customers.py
    python scripts/calibrate_customers.py --set relationship.frequency=1.0 --replications 6
    python scripts/calibrate_customers.py --markdown > docs/background/generated/calibration.md
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

import servsim
from servsim.kpis import studies

ROOT = Path(__file__).resolve().parent.parent
STUDIES = ROOT / "scenarios" / "studies"


def settings(pairs: list[str]) -> dict[str, Any]:
    """``relationship.frequency=1.0`` -> {"relationship.frequency": 1.0}"""
    found = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        found[key] = yaml.safe_load(value)
    return found


def with_customers(path: Path, changes: dict[str, Any]) -> servsim.Scenario:
    """The study scenario with ``changes``: paths under the customers' section, or whole
    dotted paths starting at ``satisfaction.``."""
    scenario = servsim.load_scenario(path)
    return scenario.with_overrides(
        {
            k if k.startswith("satisfaction.") else f"demand.customers.{k}": v
            for k, v in changes.items()
        }
    )


def measure(changes: dict[str, Any], replications: int) -> dict[str, tuple[float, float, float]]:
    grocer = servsim.simulate(with_customers(STUDIES / "online_grocer.yaml", changes), replications)
    orders = grocer.orders
    amorim = studies.next_order_delay(orders, studies.not_as_expected(orders))
    durable = with_customers(STUDIES / "durable_goods.yaml", changes)
    shop = servsim.simulate(durable, replications)
    orders = shop.orders
    year = 365.0
    any_delay = studies.orders_next_year_change(
        orders, studies.backorder_delayed(orders), year, durable.horizon
    )
    long_delay = studies.orders_next_year_change(
        orders, studies.backorder_delayed(orders, 10.0), year, durable.horizon
    )
    rao = studies.after_delay(orders)
    figures = {
        "amorim next order delay (+7.22%)": amorim,
        "bhan-anderson orders next year (-2.1%)": any_delay,
        "bhan-anderson after >10 days (-6.1%)": long_delay,
        "rao gap change (> 0)": rao["gap_change"],
        "rao size change (< 0)": rao["size_change"],
    }
    return {name: (values.mean(), *studies.interval(values)) for name, values in figures.items()}


# how each figure reads in the docs: the study, what it found, the scenario that mirrors it
PUBLISHED = {
    "amorim next order delay (+7.22%)": (
        "Amorim, Eng-Larsson and Rooderkerk (2025), online grocery",
        "after an order not fulfilled as expected (items missing or substituted), the time to "
        "the customer's next order is 7.22% longer",
        "online_grocer.yaml",
    ),
    "bhan-anderson orders next year (-2.1%)": (
        "Bhan and Anderson (2023), durable goods with backorders",
        "a backorder delay cuts the customer's orders in the next year by 2.1%",
        "durable_goods.yaml",
    ),
    "bhan-anderson after >10 days (-6.1%)": (
        "the same",
        "by 6.1% when the delay passes 10 days",
        "durable_goods.yaml",
    ),
    "rao gap change (> 0)": (
        "Rao, Griffis and Goldsby (2011), online retail",
        "after a fulfilment delay, the next order comes later",
        "durable_goods.yaml",
    ),
    "rao size change (< 0)": (
        "the same",
        "and is smaller",
        "durable_goods.yaml",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        help="KEY=VALUE under customers: (or satisfaction.KEY)",
    )
    parser.add_argument("--replications", type=int, default=8)
    parser.add_argument("--markdown", action="store_true", help="a table for the docs")
    arguments = parser.parse_args()
    figures = measure(settings(arguments.set), arguments.replications)
    if arguments.markdown:
        print(
            f"| study | what it found | measured in the model ({arguments.replications} "
            "replications, 95% interval) |"
        )
        print("|---|---|---|")
        for name, (mean, lo, hi) in figures.items():
            study, found, scenario = PUBLISHED[name]
            print(f"| {study} | {found} | {mean:+.1%} ({lo:+.1%} .. {hi:+.1%}) on `{scenario}` |")
        return
    for name, (mean, lo, hi) in figures.items():
        print(f"{name:42} {mean:+.4f}  ({lo:+.4f} .. {hi:+.4f})")


if __name__ == "__main__":
    main()
