"""Bad input in the after-sale sections: one clear line each with file and line, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from servsim.cli import main

SHOP = """\
name: After-sales shop
time_unit: hours
horizon: 10d
products:
  - {sku: A, unit_cost: 20, price: 35}
  - {sku: B, unit_cost: 50, price: 80, install: true}
demand:
  segments:
    homes:
      arrivals: {process: poisson, rate: 2}
      mix: {A: 0.5, B: 0.5}
      customers: {base: 100, defection: {dissatisfied: 0.3, satisfied: 0.01}}
stocking: none
processing: none
delivery: {promise: 48h, modes: {standard: {transit: 24h}}, default: standard}
notices: {policy: on_delay, cost: 0.1}
complaints:
  chance: {base: 0.01, late: 0.2}
  support: {staff: 1}
  time: {dist: exponential, mean: 1h}
returns: {base: 0.02, restock: 0.9}
installation:
  technicians: {staff: 2}
  work: 2h
programs:
  training: {cost: 100, period: 7d, complaints: 0.8}
satisfaction:
  lateness: {grace: 2h, intolerable: 48h}
"""

CASES = [
    (
        "notices: {policy: on_delay,",
        "notices: {policy: sometimes,",
        ":16: notices.policy:",
        "on_dispatch",
    ),
    ("late: 0.2}", "late: 1.5}", ":18: complaints.chance.late:", "1"),
    (
        "support: {staff: 1}",
        "support: {staff: 1, shifts: [{days: [mon], start: 8, end: 17, staff: 1}]}",
        ":19: complaints.support",
        "either staff",
    ),
    ("returns: {base: 0.02,", "returns: {bse: 0.02,", ":21: returns.bse:", "did you mean 'base'"),
    ("restock: 0.9}", "restock: -0.1}", ":21: returns.restock:", "0"),
    ("  work: 2h\n", "", ":22: installation.work:", "missing"),
    ("period: 7d,", "period: 0,", ":26: programs.training.period:", "0"),
    (
        "{grace: 2h, intolerable: 48h}",
        "{grace: 2d, intolerable: 48h}",
        ":28: satisfaction.lateness",
        "intolerable",
    ),
    (
        "dissatisfied: 0.3,",
        "dissatisfied: 1.3,",
        ":12: demand.segments.homes.customers.defection.dissatisfied:",
        "1",
    ),
    ("{base: 100,", "{base: 100, market: 50,", ":12: demand.segments.homes.customers", "market"),
]


@pytest.mark.parametrize(("good", "bad", "where", "allowed"), CASES)
def test_each_after_sale_mistake_is_named_with_its_line(
    tmp_path: Path, good: str, bad: str, where: str, allowed: str
) -> None:
    assert good in SHOP
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP.replace(good, bad), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert where in result.output and allowed in result.output, result.output
    assert "Traceback" not in result.output


def test_the_shop_itself_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output


def test_a_product_to_install_needs_technicians(tmp_path: Path) -> None:
    text = SHOP[: SHOP.index("installation:")] + SHOP[SHOP.index("programs:") :]
    path = tmp_path / "shop.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "installation" in result.output and "B" in result.output, result.output


def test_satisfaction_for_an_unknown_segment_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP + "  segments: {hoems: {threshold: 0.8}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "hoems" in result.output and "homes" in result.output, result.output
