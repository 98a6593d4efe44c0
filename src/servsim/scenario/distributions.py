"""Probability distributions a scenario may name: validated specs that sample in numpy blocks.

Each spec knows its own mean and variance (after truncation), so tests compare sampled
moments with theory and the model can reason about expected values without sampling.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal, NoReturn

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator
from pydantic.functional_validators import BeforeValidator

from servsim.core.units import parse_duration
from servsim.core.validation import CrossChecks, refuse
from servsim.scenario.fields import at_most, bounded_duration


def _scipy_stats() -> Any:
    """scipy.stats, imported on the first draw: it takes most of a second to import, and
    ``servsim validate`` and ``--help`` never draw."""
    from scipy import stats

    return stats


MOST_PARAMETER = 1e9
"""Any parameter of a distribution (a quantity's mean, a bound): durations are bounded more
tightly, to a hundred years, in the scenario's time unit."""

Parameter = Annotated[float, at_most(MOST_PARAMETER, "the largest parameter of a distribution")]
"""A finite parameter of at most 10^9."""

MOST_EMPIRICAL_VALUES = 10_000
"""Values an empirical distribution lists."""

SPREAD_RANGE = (1e-6, 1e3)
"""The standard deviation of a gamma or lognormal, relative to its mean: beyond it the shape
parameters overflow (a fixed value is written as the number itself)."""

DISTRIBUTION_NAMES = (
    "constant",
    "exponential",
    "uniform",
    "triangular",
    "normal",
    "lognormal",
    "gamma",
    "weibull",
    "poisson",
    "negative_binomial",
    "geometric",
    "empirical",
)


class _Spec(BaseModel):
    """Common part of every distribution: optional truncation bounds ``min`` and ``max``."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    min: Parameter | None = Field(default=None, description="draws below are re-drawn (truncation)")
    max: Parameter | None = Field(default=None, description="draws above are re-drawn (truncation)")

    discrete: bool = Field(default=False, exclude=True, repr=False)
    _has_cdf: ClassVar[bool] = True
    """Whether the distribution has a scipy form (``_frozen``) to truncate by its CDF."""

    @model_validator(mode="after")
    def _parameters_are_valid(self) -> _Spec:
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


def _spread_in_range(sd: float, mean: float) -> None:
    lowest, highest = SPREAD_RANGE
    if not lowest <= sd / mean <= highest:
        raise ValueError(
            f"sd ({sd:g}) must be between {lowest:g} and {highest:g} times the mean ({mean:g}); "
            "for a fixed value write the number itself"
        )


class Constant(_Spec):
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


class Exponential(_Spec):
    dist: Literal["exponential"]
    mean_: Parameter = Field(alias="mean", gt=0)

    def _frozen(self) -> Any:
        return _scipy_stats().expon(scale=self.mean_)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_, n)


class Uniform(_Spec):
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
        return _scipy_stats().uniform(loc=self.low, scale=self.high - self.low)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class Triangular(_Spec):
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
        return _scipy_stats().triang((self.mode - self.low) / width, loc=self.low, scale=width)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)


class Normal(_Spec):
    """Normal, truncated at 0 (durations and quantities cannot be negative)."""

    dist: Literal["normal"]
    mean_: Parameter = Field(alias="mean")
    sd: Parameter = Field(gt=0)

    def _frozen(self) -> Any:
        return _scipy_stats().norm(loc=self.mean_, scale=self.sd)

    def _natural_min(self) -> float | None:
        return 0.0

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.normal(self.mean_, self.sd, n)


class Lognormal(_Spec):
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
        return _scipy_stats().lognorm(s=sigma, scale=np.exp(mu))

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu, sigma = self._log_params
        return rng.lognormal(mu, sigma, n)


class Gamma(_Spec):
    """Gamma given by mean and standard deviation."""

    dist: Literal["gamma"]
    mean_: Parameter = Field(alias="mean", gt=0)
    sd: Parameter = Field(gt=0)

    def _check_parameters(self) -> None:
        _spread_in_range(self.sd, self.mean_)

    def _frozen(self) -> Any:
        return _scipy_stats().gamma(a=(self.mean_ / self.sd) ** 2, scale=self.sd**2 / self.mean_)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.gamma((self.mean_ / self.sd) ** 2, self.sd**2 / self.mean_, n)


class Weibull(_Spec):
    """Weibull given by its shape k and its mean (the scale is mean / Gamma(1 + 1/k)); shape
    below 1 spreads more than the exponential, above 1 less (k = 1 is the exponential)."""

    dist: Literal["weibull"]
    shape: Parameter = Field(ge=0.05, le=100, description="the shape k, 0.05 to 100")
    mean_: Parameter = Field(alias="mean", gt=0)

    @property
    def _scale(self) -> float:
        return float(self.mean_ / math.gamma(1 + 1 / self.shape))

    def _frozen(self) -> Any:
        return _scipy_stats().weibull_min(c=self.shape, scale=self._scale)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self._scale * rng.weibull(self.shape, n)


class Poisson(_Spec):
    dist: Literal["poisson"]
    mean_: Parameter = Field(alias="mean", gt=0)
    discrete: bool = Field(default=True, exclude=True, repr=False)

    def _frozen(self) -> Any:
        return _scipy_stats().poisson(self.mean_)

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


class NegativeBinomial(_Spec):
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
        return _scipy_stats().nbinom(*self._shapes)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.negative_binomial(*self._shapes, n).astype(float)


class Geometric(_Spec):
    """Geometric counts 1, 2, 3, ...: the number of tries up to the first success, given by
    its mean (at least 1)."""

    dist: Literal["geometric"]
    mean_: Parameter = Field(alias="mean", ge=1)
    discrete: bool = Field(default=True, exclude=True, repr=False)

    def _frozen(self) -> Any:
        return _scipy_stats().geom(1 / self.mean_)

    def _draw_untruncated(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.geometric(1 / self.mean_, n).astype(float)


class Empirical(_Spec):
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


def _bare_number_is_constant(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"dist": "constant", "value": value}
    return value


def _tag_must_be_known(value: Any) -> Any:
    if isinstance(value, dict):
        name = value.get("dist")
        if name is None:
            raise ValueError(
                "a distribution needs 'dist:' (one of " + ", ".join(DISTRIBUTION_NAMES) + ")"
                " or is a bare number"
            )
        if name not in DISTRIBUTION_NAMES:
            raise ValueError(
                f"unknown distribution {name!r}; allowed: " + ", ".join(DISTRIBUTION_NAMES)
            )
    return value


_Union = Annotated[
    Constant
    | Exponential
    | Uniform
    | Triangular
    | Normal
    | Lognormal
    | Gamma
    | Weibull
    | Poisson
    | NegativeBinomial
    | Geometric
    | Empirical,
    Field(discriminator="dist"),
]

Distribution = Annotated[
    _Union, BeforeValidator(_tag_must_be_known), BeforeValidator(_bare_number_is_constant)
]
"""Any distribution; a bare number is a constant."""

_DURATION_KEYS = ("value", "mean", "sd", "low", "mode", "high", "min", "max")


def _durations_to_numbers(value: Any, info: ValidationInfo) -> Any:
    """Convert ``36h``-style parameters to numbers in the scenario's time unit, each 0 or
    between a millisecond and a hundred years."""
    time_unit = (info.context or {}).get("time_unit", "hours")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            number = bounded_duration(parse_duration(value, time_unit), info)
        except ValueError as error:
            if isinstance(value, str):
                raise
            _raise_at("value", error, top=True)
        return {"dist": "constant", "value": number}
    if isinstance(value, dict):
        converted = dict(value)
        for key in _DURATION_KEYS:
            if _is_duration(converted.get(key)):
                try:
                    converted[key] = bounded_duration(
                        parse_duration(converted[key], time_unit), info
                    )
                except ValueError as error:
                    _raise_at(key, error)
        if isinstance(converted.get("values"), list):
            values = converted["values"] = list(converted["values"])
            for index, written in enumerate(values):
                if _is_duration(written):
                    try:
                        values[index] = bounded_duration(parse_duration(written, time_unit), info)
                    except ValueError as error:
                        _raise_at(("values", index), error)
        return converted
    return value


def _is_duration(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _raise_at(key: str | tuple[str | int, ...], error: ValueError, top: bool = False) -> NoReturn:
    """A parameter's value is not a duration: say so at the parameter's own place (``top``:
    the distribution is the bare number itself)."""
    checks = CrossChecks("distribution")
    checks.add(() if top else (key,) if isinstance(key, str) else key, str(error))
    checks.raise_any()
    raise error  # pragma: no cover - raise_any raised


DurationDistribution = Annotated[Distribution, BeforeValidator(_durations_to_numbers)]
"""A distribution of durations; parameters may carry units (``{dist: gamma, mean: 3d, sd: 1d}``)."""


def _must_be_whole_numbers(value: Any) -> Any:
    spec: _Spec = value
    if isinstance(spec, Poisson | NegativeBinomial | Geometric):
        return spec
    if isinstance(spec, Constant) and float(spec.value).is_integer() and spec.value >= 1:
        return spec
    if isinstance(spec, Empirical) and all(float(v).is_integer() and v >= 1 for v in spec.values):
        return spec
    refuse(
        "a quantity must be a whole number >= 1, {dist: poisson, mean: .., min: ..}, "
        "{dist: negative_binomial, mean: .., sd: .., min: ..}, {dist: geometric, mean: ..}, "
        "or {dist: empirical, values: [whole numbers >= 1], weights: [..]}"
    )
    return spec


def _poisson_quantity_needs_min(value: Any) -> Any:
    if isinstance(value, Poisson | NegativeBinomial) and (value.min is None or value.min < 1):
        name = "Poisson" if isinstance(value, Poisson) else "negative binomial"
        refuse(f"a {name} quantity needs min: 1 (or more): orders of 0 units do not exist")
    return value


from pydantic.functional_validators import AfterValidator  # noqa: E402

QuantityDistribution = Annotated[
    Distribution,
    AfterValidator(_must_be_whole_numbers),
    AfterValidator(_poisson_quantity_needs_min),
]
"""A distribution of whole unit counts >= 1."""
