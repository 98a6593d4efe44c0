"""The probability distributions a scenario may name, one class each: validated specs that
sample in numpy blocks.

Each spec knows its own mean and variance (after truncation), so tests compare sampled
moments with theory and the model can reason about expected values without sampling. What
they share is :class:`servsim.scenario.distribution_spec.DistributionSpec`; how a scenario
writes one of them is :mod:`servsim.scenario.distributions`.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from servsim.scenario.distribution_spec import DistributionSpec, Parameter, scipy_stats

MOST_EMPIRICAL_VALUES = 10_000
"""Values an empirical distribution lists."""

SPREAD_RANGE = (1e-6, 1e3)
"""The standard deviation of a gamma or lognormal, relative to its mean: beyond it the shape
parameters overflow (a fixed value is written as the number itself)."""


def _spread_in_range(sd: float, mean: float) -> None:
    lowest, highest = SPREAD_RANGE
    if not lowest <= sd / mean <= highest:
        raise ValueError(
            f"sd ({sd:g}) must be between {lowest:g} and {highest:g} times the mean ({mean:g}); "
            "for a fixed value write the number itself"
        )


class Constant(DistributionSpec):
    """Always the same value (a bare number in a scenario file means this)."""

    dist: Literal["constant"] = "constant"
    value: Parameter = Field(ge=0)

    _has_cdf: ClassVar[bool] = False

    def _frozen(self) -> Any:
        return None

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)

    @cached_property
    def _moments(self) -> tuple[float, float]:
        return self.value, 0.0


class Exponential(DistributionSpec):
    dist: Literal["exponential"]
    mean_: Parameter = Field(alias="mean", gt=0)

    def _frozen(self) -> Any:
        return scipy_stats().expon(scale=self.mean_)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_, n)


class Uniform(DistributionSpec):
    dist: Literal["uniform"]
    low: Parameter = Field(ge=0)
    high: Parameter = Field(ge=0)

    def _check_parameters(self) -> None:
        if self.low >= self.high:
            raise ValueError(
                f"low ({self.low}) must be below high ({self.high}); "
                "for a fixed value write the number itself"
            )

    def _frozen(self) -> Any:
        return scipy_stats().uniform(loc=self.low, scale=self.high - self.low)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class Triangular(DistributionSpec):
    dist: Literal["triangular"]
    low: Parameter = Field(ge=0)
    mode: Parameter = Field(ge=0)
    high: Parameter = Field(ge=0)

    def _check_parameters(self) -> None:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError(
                f"need low <= mode <= high and low < high, got {self.low}, {self.mode}, {self.high}"
            )

    def _frozen(self) -> Any:
        width = self.high - self.low
        return scipy_stats().triang((self.mode - self.low) / width, loc=self.low, scale=width)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)


class Normal(DistributionSpec):
    """Normal, truncated at 0 (durations and quantities cannot be negative)."""

    dist: Literal["normal"]
    mean_: Parameter = Field(alias="mean")
    sd: Parameter = Field(gt=0)

    def _frozen(self) -> Any:
        return scipy_stats().norm(loc=self.mean_, scale=self.sd)

    def _natural_min(self) -> float | None:
        return 0.0

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.normal(self.mean_, self.sd, n)


class Lognormal(DistributionSpec):
    """Lognormal given by its own mean and standard deviation (not those of the log)."""

    dist: Literal["lognormal"]
    mean_: Parameter = Field(alias="mean", gt=0)
    sd: Parameter = Field(gt=0)

    def _check_parameters(self) -> None:
        _spread_in_range(self.sd, self.mean_)

    @property
    def _log_params(self) -> tuple[float, float]:
        sigma2 = np.log1p((self.sd / self.mean_) ** 2)
        return float(np.log(self.mean_) - sigma2 / 2), float(np.sqrt(sigma2))

    def _frozen(self) -> Any:
        mu, sigma = self._log_params
        return scipy_stats().lognorm(s=sigma, scale=np.exp(mu))

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu, sigma = self._log_params
        return rng.lognormal(mu, sigma, n)


class Gamma(DistributionSpec):
    """Gamma given by mean and standard deviation."""

    dist: Literal["gamma"]
    mean_: Parameter = Field(alias="mean", gt=0)
    sd: Parameter = Field(gt=0)

    def _check_parameters(self) -> None:
        _spread_in_range(self.sd, self.mean_)

    def _frozen(self) -> Any:
        return scipy_stats().gamma(a=(self.mean_ / self.sd) ** 2, scale=self.sd**2 / self.mean_)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.gamma((self.mean_ / self.sd) ** 2, self.sd**2 / self.mean_, n)


class Weibull(DistributionSpec):
    """Weibull given by its shape k and its mean (the scale is mean / Gamma(1 + 1/k)); shape
    below 1 spreads more than the exponential, above 1 less (k = 1 is the exponential)."""

    dist: Literal["weibull"]
    shape: Parameter = Field(ge=0.05, le=100, description="the shape k, 0.05 to 100")
    mean_: Parameter = Field(alias="mean", gt=0)

    @property
    def _scale(self) -> float:
        return float(self.mean_ / math.gamma(1 + 1 / self.shape))

    def _frozen(self) -> Any:
        return scipy_stats().weibull_min(c=self.shape, scale=self._scale)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self._scale * rng.weibull(self.shape, n)


class Poisson(DistributionSpec):
    dist: Literal["poisson"]
    mean_: Parameter = Field(alias="mean", gt=0)
    discrete: bool = Field(default=True, exclude=True, repr=False)

    def _frozen(self) -> Any:
        return scipy_stats().poisson(self.mean_)

    def _cdf(self, x: float) -> float:
        """scipy.stats.poisson's CDF through the function it calls (``scipy.special.pdtr``,
        a test checks the bits): a quantity of at least 1 then needs no scipy.stats, 46 MB
        and a third of a second to import in every process that runs a model."""
        if np.isnan(x):
            return float("nan")
        if x < 0:
            return 0.0
        if np.isinf(x):
            return 1.0
        from scipy.special import pdtr

        return float(pdtr(np.floor(x), self.mean_))

    def _surely_kept(self, low: float, high: float) -> bool:
        """The probability of the smallest count kept alone exceeds 1e-12 (``min: 1``)."""
        first = max(0, math.ceil(low))
        if first > high:
            return False
        log_pmf = first * math.log(self.mean_) - self.mean_ - math.lgamma(first + 1)
        return log_pmf > math.log(1e-11)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.poisson(self.mean_, n).astype(float)


class NegativeBinomial(DistributionSpec):
    """Negative binomial counts 0, 1, 2, ... given by mean and sd (sd^2 above the mean: more
    spread than the Poisson of the same mean); a quantity needs ``min: 1``."""

    dist: Literal["negative_binomial"]
    mean_: Parameter = Field(alias="mean", gt=0)
    sd: Parameter = Field(gt=0)
    discrete: bool = Field(default=True, exclude=True, repr=False)

    def _check_parameters(self) -> None:
        if not self.sd**2 > self.mean_:
            raise ValueError(
                f"sd^2 ({self.sd**2:g}) must exceed the mean ({self.mean_:g}); at or below it "
                "use {dist: poisson, ...}"
            )

    @property
    def _shapes(self) -> tuple[float, float]:
        """scipy's (n, p): n = mean^2 / (sd^2 - mean), p = mean / sd^2."""
        variance = self.sd**2
        return self.mean_**2 / (variance - self.mean_), self.mean_ / variance

    def _frozen(self) -> Any:
        return scipy_stats().nbinom(*self._shapes)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.negative_binomial(*self._shapes, n).astype(float)


class Geometric(DistributionSpec):
    """Geometric counts 1, 2, 3, ...: the number of tries up to the first success, given by
    its mean (at least 1)."""

    dist: Literal["geometric"]
    mean_: Parameter = Field(alias="mean", ge=1)
    discrete: bool = Field(default=True, exclude=True, repr=False)

    def _frozen(self) -> Any:
        return scipy_stats().geom(1 / self.mean_)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.geometric(1 / self.mean_, n).astype(float)


class Empirical(DistributionSpec):
    """A finite set of values with weights (relative frequencies; normalised)."""

    dist: Literal["empirical"]
    values: list[Parameter] = Field(min_length=1, max_length=MOST_EMPIRICAL_VALUES)
    weights: list[Parameter] | None = None

    def _check_parameters(self) -> None:
        if any(v < 0 for v in self.values):
            raise ValueError("values must not be negative")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but values has {len(self.values)}"
                )
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be >= 0 with a positive sum")
        if self.min is not None or self.max is not None:
            raise ValueError("min and max are not allowed on empirical: list only allowed values")

    @property
    def probabilities(self) -> np.ndarray:
        weights = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights)
        return weights / weights.sum()

    _has_cdf: ClassVar[bool] = False

    def _frozen(self) -> Any:
        return None

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), size=n, p=self.probabilities)

    @cached_property
    def _moments(self) -> tuple[float, float]:
        values, p = np.asarray(self.values), self.probabilities
        mean = float((values * p).sum())
        return mean, float(((values - mean) ** 2 * p).sum())
