"""Units per line of a demand history fitted for ``servsim fit``.

The zero-truncated Poisson, the zero-truncated negative binomial, the geometric and the
empirical law are fitted by maximum likelihood (scipy.stats' pmfs, maximised by
scipy.optimize on the count of each value, which is the same likelihood as over every line and
takes milliseconds for a million lines), and the one of lowest AIC is written, saying so. Each
gets a chi-square test on the counts of each value (bins of fewer than 5 expected pooled).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize, stats

from servsim.run.fitted_laws import Candidate, Choice, rounded


def fit_quantities(quantity: np.ndarray) -> Choice:
    """Units per line (whole numbers >= 1): four laws by maximum likelihood, best AIC first."""
    values, counts = np.unique(quantity, return_counts=True)
    mean = float(quantity.mean())
    candidates: list[Candidate] = []

    def truncated(frozen: Any) -> np.ndarray:
        return frozen.pmf(values) / frozen.sf(0)

    def loglik(pmf: np.ndarray) -> float:
        return float((counts * np.log(np.maximum(pmf, 1e-300))).sum())

    # zero-truncated Poisson: the mean of the truncated law matches the data's (the MLE)
    if mean > 1:
        lam = optimize.brentq(lambda m: m / -np.expm1(-m) - mean, 1e-9, mean + 10)
        spec = {"dist": "poisson", "mean": rounded(lam), "min": 1}
        pmf = truncated(stats.poisson(lam))
        candidates.append(_discrete("poisson", spec, 1, mean, pmf, values, counts))
    # geometric on 1, 2, ...: p = 1 / mean (the MLE)
    spec = {"dist": "geometric", "mean": rounded(mean)}
    pmf = stats.geom(1 / mean).pmf(values)
    candidates.append(_discrete("geometric", spec, 1, mean, pmf, values, counts))
    # zero-truncated negative binomial: (n, p) by scipy.optimize on the likelihood
    if values.size > 2 and quantity.var() > 0:

        def negative(theta: np.ndarray) -> float:
            n, p = np.exp(theta[0]), 1 / (1 + np.exp(-theta[1]))
            return -loglik(truncated(stats.nbinom(n, p)))

        best = optimize.minimize(negative, x0=[0.0, 0.0], method="Nelder-Mead")
        n, p = float(np.exp(best.x[0])), float(1 / (1 + np.exp(-best.x[1])))
        frozen = stats.nbinom(n, p)
        nb_mean, nb_sd = float(frozen.mean()), float(frozen.std())
        if nb_sd**2 > nb_mean * (1 + 1e-6) and 1e-6 < nb_sd / nb_mean < 1e3:
            spec = {
                "dist": "negative_binomial",
                "mean": rounded(nb_mean),
                "sd": rounded(nb_sd),
                "min": 1,
            }
            pmf = truncated(frozen)
            candidates.append(_discrete("negative_binomial", spec, 2, mean, pmf, values, counts))
    # empirical: the observed frequencies
    spec = {"dist": "empirical", "values": values.tolist(), "weights": counts.tolist()}
    candidates.append(
        _discrete(
            "empirical", spec, max(1, values.size - 1), mean, counts / counts.sum(), values, counts
        )
    )
    candidates.sort(key=lambda c: c.aic)
    return Choice("quantity", candidates)


def _discrete(
    name: str,
    spec: dict[str, Any],
    parameters: int,
    mean: float,
    pmf: np.ndarray,
    values: np.ndarray,
    counts: np.ndarray,
) -> Candidate:
    """A discrete candidate: its likelihood, chi-square and QQ points, from its pmf at the
    observed values."""
    statistic, p_value = _binned_chi_square(values, counts, pmf, parameters)
    probabilities = np.arange(1, 20) / 20
    observed = np.quantile(np.repeat(values, counts), probabilities).tolist()
    cdf = np.cumsum(pmf)
    fitted = [
        float(values[min(int(np.searchsorted(cdf, q)), values.size - 1)]) for q in probabilities
    ]
    log_likelihood = float((counts * np.log(np.maximum(pmf, 1e-300))).sum())
    return Candidate(
        name,
        spec,
        mean,
        parameters,
        log_likelihood,
        statistic,
        p_value,
        "chi-square",
        (observed, fitted),
    )


def _binned_chi_square(
    values: np.ndarray, counts: np.ndarray, pmf: np.ndarray, parameters: int
) -> tuple[float, float]:
    """Chi-square of the counts of each value, the upper tail pooled into the last bin and
    bins of fewer than 5 expected merged upward."""
    total = counts.sum()
    expected = pmf * total
    expected[-1] += max(0.0, total - expected.sum())  # the tail beyond the largest value
    observed, wanted = [], []
    bucket_o = bucket_e = 0.0
    for o, e in zip(counts, expected, strict=True):
        bucket_o, bucket_e = bucket_o + o, bucket_e + e
        if bucket_e >= 5:
            observed.append(bucket_o)
            wanted.append(bucket_e)
            bucket_o = bucket_e = 0.0
    if bucket_e > 0 and wanted:
        observed[-1] += bucket_o
        wanted[-1] += bucket_e
    freedom = len(wanted) - 1 - parameters
    if freedom < 1:
        return math.nan, math.nan
    result = stats.chisquare(
        observed, np.asarray(wanted) * sum(observed) / sum(wanted), ddof=parameters
    )
    return float(result.statistic), float(result.pvalue)


def _quantile_points(values: np.ndarray, counts: np.ndarray) -> list[float]:
    return np.quantile(np.repeat(values, counts), np.arange(1, 20) / 20).tolist()
