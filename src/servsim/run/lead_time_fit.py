"""Each sku's lead time fitted for ``servsim fit``, from purchase orders and their receipts.

The gamma and the lognormal by ``scipy.stats.<dist>.fit`` (location 0), and the empirical;
the one of lowest AIC is written. Each fitted law gets a Kolmogorov-Smirnov statistic and
p-value.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy import stats

from servsim.core.errors import Problem, ScenarioError
from servsim.run.fitted_laws import Candidate, Choice, rounded


def fit_lead_times(path: Path, skus: list[str]) -> dict[str, Choice]:
    """sku -> its lead time's fit, from a file of purchase orders: columns ``sku``,
    ``ordered`` and ``received`` (timestamps); one row per receipt. Every bad row is one
    problem."""
    import pandas as pd

    label = str(path)
    try:
        frame = (
            pd.read_parquet(path)
            if path.suffix.lower() == ".parquet"
            else pd.read_csv(path, dtype=str, keep_default_na=False)
        )
    except Exception as error:  # noqa: BLE001 - any parser's failure becomes one problem
        raise ScenarioError(
            [Problem(label, None, "", f"cannot read the receipts: {error}")]
        ) from None
    missing = [c for c in ("sku", "ordered", "received") if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns))
        raise ScenarioError(
            [Problem(label, 1, c, f"missing column {c!r}; columns found: {found}") for c in missing]
        )
    ordered = pd.to_datetime(frame["ordered"], errors="coerce", format="ISO8601")
    received = pd.to_datetime(frame["received"], errors="coerce", format="ISO8601")
    problems = []
    for column, parsed in (("ordered", ordered), ("received", received)):
        for index in np.flatnonzero(parsed.isna().to_numpy()):
            problems.append(
                Problem(
                    label,
                    int(index) + 2,
                    column,
                    f"{frame[column].iloc[index]!r} is not a "
                    "timestamp; allowed: ISO 8601, e.g. 2025-01-06 08:30",
                )
            )
    hours = ((received - ordered) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
    for index in np.flatnonzero(hours <= 0):
        problems.append(
            Problem(
                label,
                int(index) + 2,
                "received",
                "not after ordered; allowed: a receipt after its purchase order",
            )
        )
    if problems:
        raise ScenarioError(problems)
    out = {}
    for sku in sorted(set(frame["sku"].astype(str))):
        times = hours[frame["sku"].astype(str).to_numpy() == sku]
        if times.size >= 3:
            out[sku] = _lead_time_choice(times)
    return out


def _lead_time_choice(times: np.ndarray) -> Choice:
    candidates = []
    probabilities = np.arange(1, 20) / 20
    observed = np.quantile(times, probabilities).tolist()
    if times.std() > 0:
        for name, law in (("gamma", stats.gamma), ("lognormal", stats.lognorm)):
            shape, _, scale = law.fit(times, floc=0)
            frozen = law(shape, loc=0, scale=scale)
            mean, sd = float(frozen.mean()), float(frozen.std())
            if not 1e-6 < sd / mean < 1e3:
                continue
            test = stats.kstest(times, frozen.cdf)
            candidates.append(
                Candidate(
                    name,
                    {"dist": name, "mean": f"{rounded(mean, 5)}h", "sd": f"{rounded(sd, 5)}h"},
                    mean,
                    2,
                    float(frozen.logpdf(times).sum()),
                    float(test.statistic),
                    float(test.pvalue),
                    "Kolmogorov-Smirnov",
                    (observed, frozen.ppf(probabilities).tolist()),
                )
            )
    values, counts = np.unique(np.round(times, 3), return_counts=True)
    candidates.append(
        Candidate(
            "empirical",
            {
                "dist": "empirical",
                "values": [f"{v:g}h" for v in values],
                "weights": counts.tolist(),
            },
            float(times.mean()),
            max(1, values.size - 1),
            -math.inf if times.std() > 0 else 0.0,
            0.0,
            1.0,
            "Kolmogorov-Smirnov",
            (observed, observed),
        )
    )
    candidates.sort(key=lambda c: c.aic)
    return Choice("lead time", candidates)
