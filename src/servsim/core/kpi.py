"""The KPI record: what one reported figure is (its name, group, kind, better direction and
definition), the kinds a KPI may be, and the range each kind allows.

The catalogue (``servsim.core.catalogue``) is a list of these records; the lookups by column
name (``servsim.core.kpi_columns``) return them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Kind = Literal["rate", "score", "balance", "change", "duration", "count", "money"]
"""rate: a share in [0, 1], shown as a percentage; score: a satisfaction score in [0, 1];
balance: a difference of two shares, in [-1, 1] (the net promoter score), as a percentage;
change: a relative change, -1 (all gone) or more, as a percentage; duration: a time in the
scenario's time unit; count: a number of things (>= 0); money: in the scenario's currency
(a cost >= 0; a margin or a profit of either sign)."""

PERCENT_KINDS = ("rate", "balance", "change")
"""Kinds shown as percentages."""

Better = Literal["higher", "lower", "neither"]


@dataclass(frozen=True)
class Kpi:
    """One reported figure."""

    name: str
    group: str
    kind: Kind
    better: Better
    definition: str
    per_segment: bool = False
    """Measured for each customer segment's orders too (``otif[trade]``)."""
    part_of: str | None = None
    """The total it adds up to (every ``cost_*`` term adds up to ``cost_total``)."""

    signed: bool = False
    """Money that may be negative (a margin, a profit)."""

    stage: str | None = None
    """The part of the business the KPI measures, when a scenario may leave that part out
    (one of ``servsim.core.stages.STAGES``): for a scenario without it the KPI is NaN, not 0."""

    @property
    def lowest(self) -> float:
        """The smallest value the KPI can take."""
        if self.kind in ("balance", "change"):
            return -1.0
        return -math.inf if self.signed else 0.0

    @property
    def highest(self) -> float:
        """The largest value the KPI can take."""
        return 1.0 if self.kind in ("rate", "score", "balance") else math.inf
