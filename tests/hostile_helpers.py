"""Shared pieces of the hostile-input tests: the CLI in-process, a bound on hangs, KPI ranges."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from servsim.cli import main
from servsim.core.kpi_columns import kpi_of

HANG = 120.0
"""Seconds after which a call counts as hung: generous, only to keep a hang from blocking CI
(the outcome, not the time, is what the tests assert)."""


def invoke(*args: str | Path) -> Result:
    """The CLI in this process, as a user would call it."""
    return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="servsim")


def returns(call: Callable[[], Any], seconds: float = HANG) -> Any:
    """The result of ``call``, or a failed assertion if it does not return in ``seconds``
    (the call is left running in a daemon thread; it never blocks the test run)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"did not return within {seconds:g} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def assert_clean_refusal(result: Result, *words: str, most_lines: int = 1) -> list[str]:
    """Exit 2, no traceback, at most ``most_lines`` lines on stderr, each word said."""
    said = result.stderr
    assert result.exit_code == 2, (result.exit_code, result.output, said, result.exception)
    assert "Traceback" not in result.output + said
    lines = said.strip().splitlines()
    assert 1 <= len(lines) <= most_lines, lines
    for word in words:
        assert word in said, said
    return lines


def kpis_out_of_range(kpis: dict[str, Any]) -> dict[str, Any]:
    """The KPIs that are infinite, or outside what their kind allows (NaN is allowed: a KPI
    with nothing to measure is NaN by design)."""
    wrong = {}
    for column, value in kpis.items():
        kpi = kpi_of(str(column))
        if kpi is None or not isinstance(value, int | float):
            continue
        number = float(value)
        if math.isnan(number):
            continue
        if math.isinf(number):
            wrong[column] = number
        elif column.startswith("cost_") and number < 0:
            wrong[column] = number  # a cost is never negative, whatever money else may be
        elif not kpi.lowest - 1e-9 <= number <= kpi.highest + 1e-9:
            wrong[column] = number  # outside its kind's range (a profit's may be any sign)
    return wrong
