"""Distribution specs: sampled moments agree with their own mean and variance, bounds hold,
units convert, and bad specs are refused at validation."""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from servsim.scenario.distribution_families import (
    Constant,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Normal,
    Poisson,
    Triangular,
    Uniform,
)
from servsim.scenario.distributions import (
    DISTRIBUTION_NAMES,
    Distribution,
    DurationDistribution,
    QuantityDistribution,
)
from tests.conftest import ROOT

DRAWS = 200_000
SEED = 20_240_611

DISTRIBUTION = TypeAdapter(Distribution)
DURATION = TypeAdapter(DurationDistribution)
QUANTITY = TypeAdapter(QuantityDistribution)

# Each spec names its case; together they cover every distribution, both sampling paths of
# truncation (rejection when most mass is kept, inverse CDF when little is) and discrete bounds.
SPECS: dict[str, Any] = {
    "bare-number": 2.5,
    "constant": {"dist": "constant", "value": 3},
    "exponential": {"dist": "exponential", "mean": 2},
    "exponential-max": {"dist": "exponential", "mean": 2, "max": 3},
    "exponential-far-min": {"dist": "exponential", "mean": 1, "min": 5},
    "uniform": {"dist": "uniform", "low": 1, "high": 4},
    "uniform-narrow-window": {"dist": "uniform", "low": 0, "high": 10, "min": 2, "max": 3},
    "triangular": {"dist": "triangular", "low": 1, "mode": 2, "high": 6},
    "triangular-min": {"dist": "triangular", "low": 0, "mode": 0, "high": 10, "min": 1},
    "normal-truncated-at-0": {"dist": "normal", "mean": 1, "sd": 1},
    "normal-mostly-negative": {"dist": "normal", "mean": -1, "sd": 1},
    "normal-far-from-0": {"dist": "normal", "mean": 10, "sd": 2},
    "normal-min-max": {"dist": "normal", "mean": 5, "sd": 2, "min": 4, "max": 8},
    "lognormal": {"dist": "lognormal", "mean": 24, "sd": 6},
    "lognormal-max": {"dist": "lognormal", "mean": 2, "sd": 3, "max": 10},
    "gamma": {"dist": "gamma", "mean": 3, "sd": 1},
    "gamma-exponential-shape": {"dist": "gamma", "mean": 2, "sd": 2},
    "gamma-min": {"dist": "gamma", "mean": 3, "sd": 1, "min": 2.5},
    "weibull": {"dist": "weibull", "shape": 0.7, "mean": 2},
    "weibull-max": {"dist": "weibull", "shape": 2, "mean": 3, "max": 4},
    "negative-binomial": {"dist": "negative_binomial", "mean": 2, "sd": 2},
    "negative-binomial-min-1": {"dist": "negative_binomial", "mean": 1.5, "sd": 2, "min": 1},
    "geometric": {"dist": "geometric", "mean": 2.5},
    "poisson": {"dist": "poisson", "mean": 1.2},
    "poisson-min-1": {"dist": "poisson", "mean": 1.2, "min": 1},
    "poisson-far-min": {"dist": "poisson", "mean": 1.2, "min": 4},
    "poisson-min-max": {"dist": "poisson", "mean": 5, "min": 2, "max": 7},
    "empirical": {"dist": "empirical", "values": [1, 2, 5], "weights": [0.5, 0.3, 0.2]},
    "empirical-unweighted": {"dist": "empirical", "values": [1, 3, 3.5]},
}


def spec_of(data: Any) -> Any:
    return DISTRIBUTION.validate_python(data)


def draws_of(spec: Any, seed: int = SEED) -> np.ndarray:
    return spec.sample(np.random.default_rng(seed), DRAWS)


def test_every_distribution_is_covered() -> None:
    names = {spec_of(data).dist for data in SPECS.values()}
    assert names == set(DISTRIBUTION_NAMES)


@pytest.mark.parametrize("data", SPECS.values(), ids=SPECS.keys())
def test_sampled_moments_match_the_specs_own(data: Any) -> None:
    spec = spec_of(data)
    draws = draws_of(spec)
    assert draws.shape == (DRAWS,)
    assert np.isfinite(spec.mean)
    assert np.isfinite(spec.variance)
    assert spec.variance >= 0
    standard_error = math.sqrt(spec.variance / DRAWS)
    assert abs(draws.mean() - spec.mean) <= 4 * standard_error, (draws.mean(), spec.mean)
    assert draws.var(ddof=1) == pytest.approx(spec.variance, rel=0.03, abs=1e-12)


@pytest.mark.parametrize("data", SPECS.values(), ids=SPECS.keys())
def test_sampling_is_reproducible_with_the_generator(data: Any) -> None:
    spec = spec_of(data)
    np.testing.assert_array_equal(draws_of(spec, seed=1), draws_of(spec, seed=1))


@pytest.mark.parametrize("data", SPECS.values(), ids=SPECS.keys())
def test_every_draw_lies_within_bounds_and_support(data: Any) -> None:
    spec = spec_of(data)
    draws = draws_of(spec)
    if spec.min is not None:
        assert draws.min() >= spec.min
    if spec.max is not None:
        assert draws.max() <= spec.max
    assert draws.min() >= 0  # every distribution here models durations or quantities
    if isinstance(spec, Uniform | Triangular):
        assert draws.min() >= spec.low
        assert draws.max() <= spec.high
    if isinstance(spec, Poisson):
        np.testing.assert_array_equal(draws, np.round(draws))
    if isinstance(spec, Empirical):
        assert set(np.unique(draws)) <= set(spec.values)


@pytest.mark.parametrize(
    ("data", "low", "high"),
    [
        ({"dist": "exponential", "mean": 1, "min": 5}, 5, math.inf),
        ({"dist": "exponential", "mean": 2, "max": 3}, 0, 3),
        ({"dist": "uniform", "low": 0, "high": 10, "min": 2, "max": 3}, 2, 3),
        ({"dist": "normal", "mean": -1, "sd": 1}, 0, math.inf),
        ({"dist": "normal", "mean": 5, "sd": 2, "min": 4, "max": 8}, 4, 8),
        ({"dist": "poisson", "mean": 1.2, "min": 4}, 4, math.inf),
        ({"dist": "poisson", "mean": 5, "min": 2, "max": 7}, 2, 7),
    ],
)
def test_truncation_reaches_close_to_its_bounds(data: Any, low: float, high: float) -> None:
    """Draws fill the allowed window rather than sticking to a corner of it."""
    draws = draws_of(spec_of(data))
    assert draws.min() >= low
    assert draws.max() <= high
    assert draws.min() == pytest.approx(low, abs=0.01)
    if math.isfinite(high):
        assert draws.max() == pytest.approx(high, abs=0.01)


def test_truncated_discrete_draws_start_at_the_first_whole_number_above_min() -> None:
    draws = draws_of(spec_of({"dist": "poisson", "mean": 3, "min": 1.5}))
    assert set(np.unique(draws[:1000])) >= {2.0, 3.0, 4.0}
    assert draws.min() == 2


@pytest.mark.parametrize(
    ("data", "mean", "variance"),
    [
        (7, 7, 0),
        ({"dist": "exponential", "mean": 2}, 2, 4),
        ({"dist": "uniform", "low": 1, "high": 4}, 2.5, 9 / 12),
        ({"dist": "triangular", "low": 1, "mode": 2, "high": 6}, 3, (1 + 4 + 36 - 2 - 6 - 12) / 18),
        ({"dist": "poisson", "mean": 1.2}, 1.2, 1.2),
        ({"dist": "normal", "mean": 20, "sd": 2}, 20, 4),  # 10 sd from the cut at 0
        ({"dist": "empirical", "values": [1, 2, 5], "weights": [5, 3, 2]}, 2.1, 2.29),
        ({"dist": "exponential", "mean": 1, "min": 5}, 6, 1),  # memoryless
        ({"dist": "poisson", "mean": 1.2, "min": 1}, 1.2 / (1 - math.exp(-1.2)), None),
        (
            {"dist": "normal", "mean": 0, "sd": 1},
            math.sqrt(2 / math.pi),
            1 - 2 / math.pi,
        ),  # half-normal
    ],
)
def test_spec_moments_match_closed_forms(data: Any, mean: float, variance: float | None) -> None:
    spec = spec_of(data)
    assert spec.mean == pytest.approx(mean, rel=1e-6, abs=1e-9)
    if variance is not None:
        assert spec.variance == pytest.approx(variance, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("dist", ["lognormal", "gamma"])
@pytest.mark.parametrize(("mean", "sd"), [(24, 6), (2, 3), (0.5, 0.1)])
def test_lognormal_and_gamma_are_given_by_their_own_mean_and_sd(
    dist: str, mean: float, sd: float
) -> None:
    spec = spec_of({"dist": dist, "mean": mean, "sd": sd})
    assert isinstance(spec, Lognormal | Gamma)
    assert spec.mean == pytest.approx(mean, rel=1e-9)
    assert math.sqrt(spec.variance) == pytest.approx(sd, rel=1e-9)


# --- units -------------------------------------------------------------------------------------
def test_a_duration_with_a_unit_is_a_constant_in_the_time_unit() -> None:
    spec = DURATION.validate_python("36h", context={"time_unit": "days"})
    assert isinstance(spec, Constant)
    assert spec.value == pytest.approx(1.5)
    assert spec.mean == pytest.approx(1.5)
    assert DURATION.validate_python("30min", context={"time_unit": "hours"}).value == 0.5
    assert DURATION.validate_python("1w", context={"time_unit": "days"}).value == 7


def test_duration_parameters_with_units_convert() -> None:
    spec = DURATION.validate_python(
        {"dist": "gamma", "mean": "3d", "sd": "1d"}, context={"time_unit": "hours"}
    )
    assert isinstance(spec, Gamma)
    assert spec.mean == pytest.approx(72)
    assert math.sqrt(spec.variance) == pytest.approx(24)
    draws = draws_of(spec)
    assert abs(draws.mean() - 72) <= 4 * math.sqrt(spec.variance / DRAWS)


def test_duration_bounds_and_empirical_values_convert() -> None:
    context = {"time_unit": "days"}
    bounded = DURATION.validate_python(
        {"dist": "uniform", "low": "12h", "high": "3d", "min": "1d", "max": "48h"},
        context=context,
    )
    assert (bounded.low, bounded.high, bounded.min, bounded.max) == (0.5, 3, 1, 2)
    empirical = DURATION.validate_python(
        {"dist": "empirical", "values": ["6h", "1d", 2]}, context=context
    )
    assert empirical.values == [0.25, 1, 2]


def test_plain_numbers_are_already_in_the_time_unit() -> None:
    spec = DURATION.validate_python(
        {"dist": "exponential", "mean": 3}, context={"time_unit": "days"}
    )
    assert isinstance(spec, Exponential)
    assert spec.mean == 3
    assert DURATION.validate_python(5, context={"time_unit": "days"}).value == 5


def test_durations_default_to_hours_without_a_context() -> None:
    assert DURATION.validate_python("2d").value == 48


@pytest.mark.parametrize(
    "data",
    [
        "3 years",
        "36",
        {"dist": "exponential", "mean": "soon"},
        {"dist": "gamma", "mean": "3d", "sd": "-1d"},
    ],
)
def test_bad_durations_are_refused(data: Any) -> None:
    with pytest.raises(ValidationError):
        DURATION.validate_python(data, context={"time_unit": "hours"})


# --- bad specs ---------------------------------------------------------------------------------
BAD_SPECS: dict[str, Any] = {
    "unknown-dist": {"dist": "cauchy", "mean": 2},
    "no-dist": {"mean": 2},
    "negative-exponential-mean": {"dist": "exponential", "mean": -1},
    "zero-exponential-mean": {"dist": "exponential", "mean": 0},
    "missing-parameter": {"dist": "gamma", "mean": 2},
    "extra-parameter": {"dist": "exponential", "mean": 2, "scale": 1},
    "uniform-low-above-high": {"dist": "uniform", "low": 5, "high": 1},
    "triangular-mode-outside": {"dist": "triangular", "low": 1, "mode": 7, "high": 6},
    "negative-constant": -1,
    "zero-sd": {"dist": "normal", "mean": 1, "sd": 0},
    "weights-length-mismatch": {"dist": "empirical", "values": [1, 2, 3], "weights": [1, 1]},
    "negative-weight": {"dist": "empirical", "values": [1, 2], "weights": [2, -1]},
    "no-values": {"dist": "empirical", "values": []},
    "empirical-with-bounds": {"dist": "empirical", "values": [1, 2], "min": 1},
    "min-above-max": {"dist": "exponential", "mean": 2, "min": 5, "max": 3},
    "no-mass-left": {"dist": "exponential", "mean": 1, "min": 1000},
    "window-outside-support": {"dist": "uniform", "low": 1, "high": 2, "min": 3, "max": 4},
    "not-a-spec": "often",
    "boolean": True,
}


@pytest.mark.parametrize("data", BAD_SPECS.values(), ids=BAD_SPECS.keys())
def test_bad_specs_are_refused(data: Any) -> None:
    with pytest.raises(ValidationError):
        spec_of(data)


def test_unknown_dist_names_the_allowed_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        spec_of({"dist": "cauchy"})
    message = str(caught.value)
    assert "cauchy" in message
    assert all(name in message for name in DISTRIBUTION_NAMES)


def test_specs_are_frozen() -> None:
    spec = spec_of({"dist": "exponential", "mean": 2})
    with pytest.raises(ValidationError):
        spec.mean_ = 3


def test_degenerate_triangular_is_refused() -> None:
    with pytest.raises(ValidationError):
        spec_of({"dist": "triangular", "low": 1, "mode": 1, "high": 1})


# --- quantities --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        2.5,
        {"dist": "constant", "value": 2.5},
        0,
        {"dist": "exponential", "mean": 2},
        {"dist": "gamma", "mean": 2, "sd": 1},
        {"dist": "poisson", "mean": 2},
        {"dist": "poisson", "mean": 2, "min": 0},
        {"dist": "empirical", "values": [1, 2.5]},
        {"dist": "empirical", "values": [0, 1]},
    ],
    ids=[
        "fraction",
        "constant-fraction",
        "zero",
        "exponential",
        "gamma",
        "poisson-without-min",
        "poisson-min-0",
        "empirical-fraction",
        "empirical-zero",
    ],
)
def test_quantities_must_be_whole_numbers_of_at_least_one(data: Any) -> None:
    with pytest.raises(ValidationError):
        QUANTITY.validate_python(data)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (3, Constant),
        ({"dist": "constant", "value": 2}, Constant),
        ({"dist": "poisson", "mean": 1.2, "min": 1}, Poisson),
        ({"dist": "empirical", "values": [1, 2, 6], "weights": [6, 3, 1]}, Empirical),
    ],
)
def test_whole_number_quantities_are_accepted(data: Any, kind: type) -> None:
    spec = QUANTITY.validate_python(data)
    assert isinstance(spec, kind)
    draws = draws_of(spec)
    assert draws.min() >= 1
    np.testing.assert_array_equal(draws, np.round(draws))


def test_normal_is_truncated_at_zero_even_without_min() -> None:
    spec = spec_of({"dist": "normal", "mean": 1, "sd": 1})
    assert isinstance(spec, Normal)
    assert spec.min is None
    assert spec.mean > 1  # cutting off the negative tail raises the mean
    assert spec.variance < 1


def test_zero_width_uniform_is_refused() -> None:
    """Regression: {uniform, low: 1, high: 1} was accepted with NaN mean and variance."""
    with pytest.raises(ValidationError, match="write the number itself"):
        TypeAdapter(Distribution).validate_python({"dist": "uniform", "low": 1, "high": 1})


def test_the_poisson_cdf_without_scipy_stats_is_scipy_stats_bit_for_bit() -> None:
    """A quantity of at least 1 is truncated by the Poisson CDF, computed through
    scipy.special so a run needs no scipy.stats: its bits decide the draws."""
    from scipy import stats

    rng = np.random.default_rng(3)
    for mean in np.concatenate([rng.uniform(0.01, 60, 300), [1e-6, 1.2, 1e6]]):
        spec = TypeAdapter(Distribution).validate_python({"dist": "poisson", "mean": mean})
        for x in (-np.inf, -1.0, 0.0, 0.5, 1.0, 3.0, 17.9, np.inf, *rng.uniform(0, 80, 5)):
            assert spec._cdf(x) == float(stats.poisson(mean).cdf(x)), (mean, x)


def test_a_web_shop_run_and_its_kpis_import_no_scipy_stats() -> None:
    """scipy.stats is 46 MB and a third of a second in every process that runs a model (each
    worker of a sweep): a run of the web shop, whose quantities are truncated Poisson, needs
    none of it."""
    code = (
        "import sys, servsim\n"
        "from servsim.kpis.metrics import compute_kpis\n"
        "from servsim.model import run_replication\n"
        "s = servsim.load_scenario('scenarios/webshop.yaml')\n"
        "compute_kpis(run_replication(s, replication=0), s)\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "False"
