"""A hand-made sweep of six policies whose frontier and standards are known by construction.

staff x stock = {1, 2} x {10, 20, 30}; cost per order and satisfaction (mean [lo, hi]):

    point 0  (1, 10)  cost 10  sat 0.70   efficient (cheapest)          otif missed
    point 1  (1, 20)  cost 12  sat 0.90   efficient                     otif met
    point 2  (1, 30)  cost 15  sat 0.85   dominated by 1, no overlap    otif unclear
    point 3  (2, 10)  cost 20  sat 0.95   efficient (most satisfying)   otif met
    point 4  (2, 20)  cost 13  sat 0.88   dominated by 1, overlaps it   otif missed
    point 5  (2, 30)  cost 25  sat 0.93   dominated by 3, no overlap    otif met

With the standard otif >= 0.9 the recommended policy is point 1, the runner-up point 3.
"""

from __future__ import annotations

import pandas as pd

from servsim import SweepResults

POINTS = [
    # staff, stock, (cost, half-width), (satisfaction, half-width), (otif lo, otif hi)
    (1, 10, (10.0, 0.5), (0.70, 0.01), (0.60, 0.70)),
    (1, 20, (12.0, 0.5), (0.90, 0.02), (0.91, 0.95)),
    (1, 30, (15.0, 0.5), (0.85, 0.01), (0.85, 0.95)),
    (2, 10, (20.0, 0.5), (0.95, 0.01), (0.95, 0.99)),
    (2, 20, (13.0, 2.0), (0.88, 0.04), (0.80, 0.88)),
    (2, 30, (25.0, 0.5), (0.93, 0.01), (0.92, 0.96)),
]
FRONTIER = [0, 1, 3]
INDISTINGUISHABLE = [4]
DOMINATED = [2, 5]
MEETING = [1, 3, 5]
STANDARDS = {"otif": ">= 0.9"}


def _kpi(name: str, mean: float, lo: float, hi: float) -> dict[str, float]:
    return {f"{name}_mean": mean, f"{name}_lo": lo, f"{name}_hi": hi, f"{name}_n": 2}


def summary() -> pd.DataFrame:
    rows = []
    for point, (staff, stock, cost, satisfaction, otif) in enumerate(POINTS):
        rows.append(
            {
                "point": point,
                "staff": staff,
                "stock": stock,
                "runs": 2,
                **_kpi("cost_per_order", cost[0], cost[0] - cost[1], cost[0] + cost[1]),
                **_kpi(
                    "satisfaction_mean",
                    satisfaction[0],
                    satisfaction[0] - satisfaction[1],
                    satisfaction[0] + satisfaction[1],
                ),
                **_kpi("otif", sum(otif) / 2, *otif),
                **_kpi("orders", 100.0, 90.0, 110.0),
            }
        )
    return pd.DataFrame(rows)


def runs() -> pd.DataFrame:
    """Two runs per point: holding and transport make the cost; one term is always zero."""
    rows = []
    for point, (staff, stock, cost, _, _) in enumerate(POINTS):
        for replication, orders in enumerate((80, 120)):
            per_order = cost[0] + (1 if replication else -1)
            holding = 0.25 * per_order * orders
            rows.append(
                {
                    "point": point,
                    "replication": replication,
                    "seed": 1,
                    "staff": staff,
                    "stock": stock,
                    "orders": orders,
                    "cost_holding": holding,
                    "cost_transport": per_order * orders - holding,
                    "cost_emergency": 0.0,
                    "cost_total": per_order * orders,
                    "cost_per_order": per_order,
                }
            )
    return pd.DataFrame(rows)


def sweep(standards: dict[str, str] | None = None) -> SweepResults:
    return SweepResults(
        runs=runs(),
        summary=summary(),
        parameters=("staff", "stock"),
        standards=STANDARDS if standards is None else standards,
    )
