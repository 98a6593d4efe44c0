"""Confidence intervals over replications (Student t), and intervals cut to a KPI's range."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd
from scipy import stats

from servsim.core.catalogue import kind_of

DEFAULT_CONFIDENCE = 0.95

Bound = TypeVar("Bound", float, np.ndarray)


def summarize(kpis: pd.DataFrame, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Mean, interval bounds, half-width and count per KPI column (rows: KPIs).

    NaN values (a KPI with nothing to measure in a replication) are left out of that KPI's
    count. With fewer than two values the interval is NaN: one run says nothing of spread.
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
    return pd.DataFrame(
        {
            "mean": mean,
            "lo": mean - halfwidth,
            "hi": mean + halfwidth,
            "halfwidth": halfwidth,
            "n": count,
        }
    )


def possible_interval(kpi: str, lo: Bound, hi: Bound) -> tuple[Bound, Bound]:
    """A confidence interval cut to what the KPI can be: a rate or a score within 0..1.

    A t interval of a rate near 1 over few replications can reach past 100%; the mean cannot,
    so the cut interval covers it as often and reads sensibly. Summaries keep the t interval.
    """
    if kind_of(kpi) in ("rate", "score"):
        return np.maximum(lo, 0.0), np.minimum(hi, 1.0)
    return lo, hi
