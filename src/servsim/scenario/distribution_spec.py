"""What every distribution shares: the truncation bounds ``min`` and ``max``, exact sampling of
what they leave, and the mean and variance after truncation.

Each family (:mod:`servsim.scenario.distribution_families`) adds only its parameters, its
scipy form and its numpy draw; the bounds, the check that they leave some probability, the
sampling and the moments are written once, here.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from servsim.scenario.fields import at_most


def scipy_stats() -> Any:
    """scipy.stats, imported on the first draw: it takes most of a second to import, and
    ``servsim validate`` and ``--help`` never draw."""
    from scipy import stats

    return stats


MOST_PARAMETER = 1e9
"""Any parameter of a distribution (a quantity's mean, a bound): durations are bounded more
tightly, to a hundred years, in the scenario's time unit."""

Parameter = Annotated[float, at_most(MOST_PARAMETER, "the largest parameter of a distribution")]
"""A finite parameter of at most 10^9."""


class DistributionSpec(BaseModel):
    """Common part of every distribution: optional truncation bounds ``min`` and ``max``."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    min: Parameter | None = Field(default=None, description="draws below are re-drawn (truncation)")
    max: Parameter | None = Field(default=None, description="draws above are re-drawn (truncation)")

    discrete: bool = Field(default=False, exclude=True, repr=False)
    _has_cdf: ClassVar[bool] = True
    """Whether the distribution has a scipy form (``_frozen``) to truncate by its CDF."""

    @model_validator(mode="after")
    def _parameters_are_valid(self) -> DistributionSpec:
        self._check_parameters()
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        low, high = self._support_bounds()
        try:
            # untruncated, a distribution keeps all its mass: scipy (most of a second to
            # import) is needed only to measure what bounds leave
            if not self._is_truncated() or self._surely_kept(low, high):
                mass = 1.0  # (or more than enough of it)
            else:
                mass = self._mass(low, high) if self._has_cdf else 1.0
        except (ArithmeticError, ValueError):
            raise ValueError("the parameters are out of numerical range") from None
        if not mass > 1e-12:
            raise ValueError(f"no probability left between min={low} and max={high}")
        return self

    # --- to be provided by each distribution -------------------------------------------------
    def _check_parameters(self) -> None:
        """Raise ValueError for parameters that make no distribution; runs before any use."""

    def _frozen(self) -> Any:
        """The scipy frozen distribution (untruncated), or None for the non-scipy ones."""
        raise NotImplementedError

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        raise NotImplementedError

    def _natural_min(self) -> float | None:
        return None

    def _surely_kept(self, low: float, high: float) -> bool:
        """Whether plainly more than 1e-12 of the mass lies in [low, high], found without
        scipy (False: measure it with scipy)."""
        return False

    # --- shared behaviour --------------------------------------------------------------------
    def _support_bounds(self) -> tuple[float, float]:
        low = -np.inf if self.min is None else self.min
        natural = self._natural_min()
        if natural is not None:
            low = max(low, natural)
        high = np.inf if self.max is None else self.max
        return low, high

    def _is_truncated(self) -> bool:
        return self.min is not None or self.max is not None or self._natural_min() is not None

    def _cdf(self, x: float) -> float:
        """The untruncated distribution's CDF at ``x``."""
        return float(self._frozen().cdf(x))

    def _cdf_range(self, low: float, high: float) -> tuple[float, float]:
        lower = self._cdf(np.ceil(low) - 1) if self.discrete else self._cdf(low)
        return float(lower if np.isfinite(low) else 0.0), self._cdf(high)

    def _mass(self, low: float, high: float) -> float:
        lower, upper = self._cdf_range(low, high)
        return upper - lower

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values; truncated specs draw by inverse CDF on the allowed range (exact)."""
        if not self._is_truncated() or not self._has_cdf:
            return self._draw_untruncated(rng, n)
        low, high = self._support_bounds()
        lower, upper = self._cdf_range(low, high)
        if upper - lower >= 0.5:
            return self._sample_by_rejection(rng, n, low, high, upper - lower)
        u = rng.uniform(lower, upper, n)
        draws = self._frozen().ppf(u)
        return np.clip(draws, low, high)

    def _sample_by_rejection(
        self, rng: np.random.Generator, n: int, low: float, high: float, mass: float
    ) -> np.ndarray:
        """Exact truncation when most draws are kept: much faster than scipy's ppf."""
        kept = np.empty(0)
        while kept.size < n:
            draws = self._draw_untruncated(rng, int((n - kept.size) / mass * 1.1) + 16)
            kept = np.concatenate([kept, draws[(draws >= low) & (draws <= high)]])
        return kept[:n]

    @cached_property
    def _moments(self) -> tuple[float, float]:
        frozen = self._frozen()
        if not self._is_truncated():
            return float(frozen.mean()), float(frozen.var())
        low, high = self._support_bounds()
        if self.discrete:  # the pmf summed where it is not negligible: never a billion terms
            lo = max(int(np.ceil(low)), int(frozen.support()[0]))
            lo = max(lo, min(int(frozen.ppf(1e-15)), int(min(high, 2**62))))
            hi = int(min(high, frozen.ppf(1 - 1e-15)))
            k = np.arange(lo, hi + 1)
            p = frozen.pmf(k)
            p = p / p.sum()
            mean = float((k * p).sum())
            return mean, float(((k - mean) ** 2 * p).sum())
        mean = frozen.expect(lambda x: x, lb=low, ub=high, conditional=True)
        second = frozen.expect(lambda x: x * x, lb=low, ub=high, conditional=True)
        return float(mean), float(second - mean * mean)

    @property
    def mean(self) -> float:
        """Mean of the distribution as sampled (after truncation)."""
        return self._moments[0]

    @property
    def variance(self) -> float:
        """Variance of the distribution as sampled (after truncation)."""
        return self._moments[1]
