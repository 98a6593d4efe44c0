"""A law fitted to some data and the choice among several: the records ``servsim fit``'s
quantity and lead-time fits return (parameters, AIC, goodness of fit, QQ points), and the
rounding of the numbers it writes into a scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Candidate:
    """One law fitted to some data: its parameters, AIC and goodness of fit."""

    name: str
    spec: Any
    """the servsim distribution, as written in a scenario"""
    mean: float
    """the law's mean (units; hours for lead times)"""
    parameters: int
    log_likelihood: float
    statistic: float
    p_value: float
    test: str
    quantiles: tuple[list[float], list[float]] = ((), ())  # type: ignore[assignment]
    """(observed, fitted) quantiles at the same probabilities, for the QQ plot"""

    @property
    def aic(self) -> float:
        return 2 * self.parameters - 2 * self.log_likelihood


@dataclass
class Choice:
    """The candidates for one quantity, best (lowest AIC) first."""

    what: str
    candidates: list[Candidate]

    @property
    def best(self) -> Candidate:
        return self.candidates[0]


def rounded(value: float, digits: int = 6) -> float:
    """``value`` to ``digits`` significant digits, as the fit writes it into a scenario."""
    return float(f"{value:.{digits}g}")
