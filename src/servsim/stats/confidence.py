"""Confidence intervals over replications, each within what its KPI can be.

A KPI's interval is computed by a method right for its kind (``servsim.core.catalogue``):

- a rate or a score (0 to 1), and a balance of two shares (-1 to 1, rescaled to 0 to 1): the
  Wilson score interval at the replications' *effective sample size*, the number of
  independent yes/no outcomes whose binomial standard error equals the standard error the
  replications show (``n_eff = m (1 - m) / sem^2``), with the Student t quantile of n - 1
  degrees of freedom for the normal one. It never leaves the range, always holds the mean, is
  asymmetric near a bound, and equals the t interval when the mean is far from the bounds;
- a time, a count, a cost or a relative change (bounded below only): the Student t interval
  cut at the bound. The mean cannot lie below it, so the cut interval covers the true mean
  exactly as often as the t interval does;
- a profit, a margin, or a column that is not a KPI: the Student t interval.

The half-width stays the t half-width ``t x sd / sqrt(n)``: the precision of the mean, which
adaptive replications aim at.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd
from scipy import stats

from servsim.core.kpi_columns import kpi_of

DEFAULT_CONFIDENCE = 0.95

Bound = TypeVar("Bound", float, np.ndarray)


def summarize(
    kpis: pd.DataFrame, confidence: float = DEFAULT_CONFIDENCE, within_range: bool = True
) -> pd.DataFrame:
    """Mean, interval bounds, half-width and count per KPI column (rows: KPIs).

    NaN values (a KPI with nothing to measure in a replication) are left out of that KPI's
    count. With fewer than two values the interval is NaN: one run says nothing of spread.
    ``within_range``: each KPI column's interval by the method of its kind (see the module);
    False for columns that hold something else under a KPI's name (paired differences).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    values = kpis.select_dtypes("number")
    count = values.count()
    mean = values.mean()
    sem = values.std(ddof=1) / np.sqrt(count)
    t_quantile = pd.Series(
        stats.t.ppf((1 + confidence) / 2, np.maximum(count - 1, 1)), index=count.index
    )
    halfwidth = (t_quantile * sem).where(count >= 2)
    lo, hi = mean - halfwidth, mean + halfwidth
    if within_range:  # column by column over numpy values: a sweep summarizes every point
        means, sems, quantiles = mean.to_numpy(), sem.to_numpy(), t_quantile.to_numpy()
        lows, highs = lo.to_numpy(copy=True), hi.to_numpy(copy=True)
        for i, column in enumerate(values.columns):
            lows[i], highs[i] = kpi_interval(
                str(column), means[i], sems[i], quantiles[i], lows[i], highs[i]
            )
        lo, hi = pd.Series(lows, index=lo.index), pd.Series(highs, index=hi.index)
    return pd.DataFrame({"mean": mean, "lo": lo, "hi": hi, "halfwidth": halfwidth, "n": count})


def kpi_interval(
    column: str, mean: float, sem: float, quantile: float, lo: float, hi: float
) -> tuple[float, float]:
    """The interval of a KPI column of the given mean and standard error, by its kind's
    method; ``lo``, ``hi`` are its t interval (NaN when there is none)."""
    kpi = kpi_of(column)
    if kpi is None or np.isnan(lo) or np.isnan(hi):
        return lo, hi
    if kpi.kind in ("rate", "score", "balance"):
        low, high = kpi.lowest, kpi.highest
        share = (mean - low) / (high - low)
        below, above = wilson(share, sem / (high - low), quantile)
        return low + (high - low) * below, low + (high - low) * above
    return max(lo, kpi.lowest), hi


def wilson(share: float, sem: float, quantile: float) -> tuple[float, float]:
    """The Wilson score interval of a share in [0, 1] with standard error ``sem``, at the
    effective sample size ``share (1 - share) / sem^2`` and the given quantile (a Student t
    one over replications). No spread (every replication alike) gives the share itself."""
    share = min(max(share, 0.0), 1.0)
    variance = share * (1 - share)
    if sem <= 0 or variance <= 0:
        return share, share
    n = variance / sem**2
    z2 = quantile**2
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = quantile / (1 + z2 / n) * np.sqrt(variance / n + z2 / (4 * n**2))
    return max(centre - half, 0.0), min(centre + half, 1.0)


def possible_interval(kpi: str, lo: Bound, hi: Bound) -> tuple[Bound, Bound]:
    """An interval cut to what the KPI can be: a rate or a score within 0..1.

    The intervals of ``summarize`` already are; this keeps figures drawn from intervals of
    other sources (older results folders) within range too.
    """
    kpi_entry = kpi_of(kpi)
    if kpi_entry is None:
        return lo, hi
    return np.maximum(lo, kpi_entry.lowest), np.minimum(hi, kpi_entry.highest)
