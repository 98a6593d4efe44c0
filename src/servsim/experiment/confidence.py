"""Confidence intervals over replications (Student t), as METRICS.md defines them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

DEFAULT_CONFIDENCE = 0.95


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
