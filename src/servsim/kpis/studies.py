"""The field studies the customer model is calibrated to, measured from an order log as each
study measured it. Each function returns one estimate per replication, so a confidence interval
over replications says whether the model reproduces the published figure.

- Amorim, Eng-Larsson and Rooderkerk (Journal of Retailing 101(3), 2025): after an order not
  fulfilled as expected (items missing or substituted), the time to the customer's next order
  is 7.22% longer on average.
- Bhan and Anderson (Marketing Science 42(2), 2023): a backorder delay cuts the customer's
  orders in the next year by 2.1% on average; by 6.1% when the delay passes 10 days.
- Rao, Griffis and Goldsby (Journal of Operations Management 29, 2011): after a fulfilment
  delay, order frequency and order size both fall.
"""

from __future__ import annotations

import pandas as pd

from servsim.kpis.behaviour import next_orders, orders_within
from servsim.stats.confidence import summarize

AMORIM_NEXT_ORDER_DELAY = 0.0722
BHAN_ANDERSON_ORDERS_NEXT_YEAR = -0.021
BHAN_ANDERSON_ORDERS_NEXT_YEAR_AFTER_10_DAYS = -0.061


def _per_replication(values: pd.Series, replications: pd.Series) -> pd.Series:
    return values.groupby(replications.to_numpy()).mean()


def next_order_delay(orders: pd.DataFrame, failed: pd.Series) -> pd.Series:
    """Per replication: mean time to the next order after orders that ``failed``, over that
    after the others, minus 1 (0.07: the next order comes 7% later)."""
    following = next_orders(orders[orders["counted"]])
    failure = failed.reindex(following.index).to_numpy(dtype=bool)
    gaps = following["gap"]
    after_failure = _per_replication(gaps[failure], following["replication"][failure])
    after_success = _per_replication(gaps[~failure], following["replication"][~failure])
    return after_failure / after_success - 1.0


def not_as_expected(orders: pd.DataFrame) -> pd.Series:
    """Orders not fulfilled as expected (Amorim et al.): items missing or substituted."""
    return (orders["lost"] > 0) | (orders["substituted"] > 0)


def orders_next_year_change(
    orders: pd.DataFrame, treated: pd.Series, year: float, horizon: float
) -> pd.Series:
    """Per replication: the customer's orders in the ``year`` after a ``treated`` order, over
    those after an untreated one, minus 1 (Bhan and Anderson's measure). Only orders a whole
    year before the horizon count, so every window is complete."""
    counted = orders[orders["counted"] & (orders["placed"] <= horizon - year)]
    following = orders_within(orders[orders["counted"]], year).reindex(counted.index)
    keep = following.notna()
    counted, following = counted[keep], following[keep]
    mask = treated.reindex(counted.index).to_numpy(dtype=bool)
    replication = counted["replication"]
    after_treated = _per_replication(following[mask], replication[mask])
    after_others = _per_replication(following[~mask], replication[~mask])
    return after_treated / after_others - 1.0


def backorder_delayed(orders: pd.DataFrame, longer_than: float = 0.0) -> pd.Series:
    """Orders that waited for stock (a backorder), for longer than ``longer_than``."""
    waited = orders["allocated"] - orders["placed"]
    return (orders["backordered"] > 0) & (waited > longer_than)


def after_delay(orders: pd.DataFrame) -> pd.DataFrame:
    """Per replication: the change in the time to the next order and in its size after a
    delayed (late) order, against after an on-time one (Rao et al.: both should fall, i.e. the
    gap change is positive and the size change negative)."""
    delivered = orders[orders["counted"] & orders["delivered"].notna()]
    following = next_orders(delivered)
    late = ~following["on_time"].to_numpy(dtype=bool)
    replication = following["replication"]
    rows = {}
    for column, name in (("gap", "gap_change"), ("next_quantity", "size_change")):
        values = following[column].astype(float)
        rows[name] = (
            _per_replication(values[late], replication[late])
            / _per_replication(values[~late], replication[~late])
            - 1.0
        )
    return pd.DataFrame(rows)


def interval(values: pd.Series, confidence: float = 0.95) -> tuple[float, float]:
    """Student t interval of the mean of per-replication estimates."""
    row = summarize(values.rename("estimate").to_frame(), confidence).loc["estimate"]
    return float(row["lo"]), float(row["hi"])
