"""The closed forms in servsim.stats.theory, checked against textbook numbers and brute force."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy.stats import poisson

from servsim.stats.theory import (
    base_stock_lost_sales_poisson,
    base_stock_poisson,
    erlang_b,
    erlang_c,
    mm1_priority_waits,
    mmc_mean_queue_length,
    mmc_mean_wait,
    mmc_utilisation,
    rq_poisson,
)


def _lead_time_demand_support(mean: float) -> np.ndarray:
    """Enough of the Poisson support that the rest holds no mass in double precision."""
    return np.arange(0, int(mean + 50 * math.sqrt(mean) + 200))


def _brute_force_at_level(level: int, mean: float) -> tuple[float, float, float]:
    """P(D <= level - 1), E[(D - level)^+], E[(level - D)^+] by direct summation over the pmf."""
    demand = _lead_time_demand_support(mean)
    probability = poisson.pmf(demand, mean)
    in_stock = probability[demand <= level - 1].sum()
    backorders = (np.maximum(demand - level, 0) * probability).sum()
    on_hand = (np.maximum(level - demand, 0) * probability).sum()
    return in_stock, backorders, on_hand


# --- Erlang B and C ------------------------------------------------------------------------------
def test_erlang_b_textbook_value() -> None:
    assert erlang_b(5, 3.0) == pytest.approx(0.1101, abs=1e-4)
    assert erlang_b(5, 3.0) == pytest.approx(2.025 / 18.4, rel=1e-12)


@pytest.mark.parametrize(("servers", "load"), [(1, 0.5), (3, 2.0), (10, 7.5), (20, 25.0)])
def test_erlang_b_matches_the_factorial_formula(servers: int, load: float) -> None:
    terms = [load**k / math.factorial(k) for k in range(servers + 1)]
    assert erlang_b(servers, load) == pytest.approx(terms[-1] / sum(terms), rel=1e-12)


@pytest.mark.parametrize(("servers", "load"), [(200, 180.0), (1000, 950.0), (1500, 1600.0)])
def test_erlang_b_is_stable_for_large_systems(servers: int, load: float) -> None:
    """B(c, a) = P(X = c) / P(X <= c) for X ~ Poisson(a): factorials would overflow here."""
    expected = poisson.pmf(servers, load) / poisson.cdf(servers, load)
    assert erlang_b(servers, load) == pytest.approx(expected, rel=1e-9)


def test_erlang_b_edge_cases() -> None:
    assert erlang_b(0, 2.0) == 1.0
    assert erlang_b(4, 0.0) == 0.0
    assert erlang_b(np.int64(5), 3) == pytest.approx(erlang_b(5, 3.0))


def test_erlang_c_textbook_values() -> None:
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3, rel=1e-12)
    for load in (0.1, 0.5, 0.9, 0.99):
        assert erlang_c(1, load) == pytest.approx(load, rel=1e-12)  # M/M/1: P(wait) = rho


def test_erlang_c_matches_the_empty_system_formula() -> None:
    servers, load = 4, 2.5
    empty = 1 / (
        sum(load**k / math.factorial(k) for k in range(servers))
        + load**servers / math.factorial(servers) * servers / (servers - load)
    )
    expected = load**servers / math.factorial(servers) * servers / (servers - load) * empty
    assert erlang_c(servers, load) == pytest.approx(expected, rel=1e-12)


# --- M/M/c ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("arrival", "service"), [(0.5, 1.0), (3.0, 4.0), (9.9, 10.0)])
def test_mm1_wait_is_rho_over_mu_minus_lambda(arrival: float, service: float) -> None:
    rho = arrival / service
    assert mmc_mean_wait(arrival, service, 1) == pytest.approx(rho / (service - arrival))
    assert mmc_mean_queue_length(arrival, service, 1) == pytest.approx(rho**2 / (1 - rho))
    assert mmc_utilisation(arrival, service, 1) == pytest.approx(rho)


def test_mm3_textbook_example() -> None:
    """M/M/3, lambda = 2, mu = 1: P0 = 1/9, P(wait) = 4/9, Lq = 8/9, Wq = 4/9."""
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)
    assert mmc_mean_queue_length(2.0, 1.0, 3) == pytest.approx(8 / 9)
    assert mmc_mean_wait(2.0, 1.0, 3) == pytest.approx(4 / 9)
    assert mmc_utilisation(2.0, 1.0, 3) == pytest.approx(2 / 3)


def test_mmc_without_arrivals_has_no_wait() -> None:
    assert mmc_mean_wait(0.0, 1.0, 2) == 0.0
    assert mmc_utilisation(0.0, 1.0, 2) == 0.0


# --- Cobham's priority queue ---------------------------------------------------------------------
def test_one_priority_class_is_mm1() -> None:
    assert mm1_priority_waits([0.7], 1.0) == [pytest.approx(mmc_mean_wait(0.7, 1.0, 1))]


def test_two_priority_classes_by_hand() -> None:
    """mu = 1, lambda = (0.3, 0.4): W0 = 0.7, W = 0.7/(1 x 0.7) = 1 and 0.7/(0.7 x 0.3) = 10/3."""
    assert mm1_priority_waits([0.3, 0.4], 1.0) == [pytest.approx(1.0), pytest.approx(10 / 3)]


def test_priority_waits_conserve_the_fifo_wait() -> None:
    """Kleinrock's conservation law: with equal service times the mean wait over all classes
    equals the FIFO wait, whatever the priorities."""
    rates, service = [0.5, 1.2, 0.8, 0.9], 4.0
    waits = mm1_priority_waits(rates, service)
    overall = sum(rate * wait for rate, wait in zip(rates, waits, strict=True)) / sum(rates)
    assert overall == pytest.approx(mmc_mean_wait(sum(rates), service, 1), rel=1e-12)
    assert waits == sorted(waits)


# --- base stock ----------------------------------------------------------------------------------
LEVELS = [(0, 2.5), (1, 0.3), (5, 2.5), (12, 8.0), (40, 14.4), (760, 692.3), (0, 0.0), (3, 0.0)]


@pytest.mark.parametrize(("order_up_to", "mean"), LEVELS)
def test_base_stock_matches_direct_summation(order_up_to: int, mean: float) -> None:
    in_stock, backorders, on_hand = _brute_force_at_level(order_up_to, mean)
    result = base_stock_poisson(order_up_to, mean)
    assert result["unit_fill_rate"] == pytest.approx(in_stock, abs=1e-12)
    assert result["ready_rate"] == pytest.approx(in_stock, abs=1e-12)
    assert result["avg_backorders"] == pytest.approx(backorders, rel=1e-9, abs=1e-12)
    assert result["avg_on_hand"] == pytest.approx(on_hand, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("order_up_to", "mean"), LEVELS)
def test_base_stock_on_hand_minus_backorders_is_safety_stock(order_up_to: int, mean: float) -> None:
    result = base_stock_poisson(order_up_to, mean)
    safety_stock = result["avg_on_hand"] - result["avg_backorders"]
    assert safety_stock == pytest.approx(order_up_to - mean, abs=1e-9)


@pytest.mark.parametrize(("order_up_to", "mean"), [(60, 1.0), (150, 40.0), (5, 700.0)])
def test_base_stock_far_tails_keep_their_relative_accuracy(order_up_to: int, mean: float) -> None:
    """Tiny backorders (huge S) and tiny on-hand (tiny S) are not lost to cancellation."""
    _, backorders, on_hand = _brute_force_at_level(order_up_to, mean)
    result = base_stock_poisson(order_up_to, mean)
    tiny = min(backorders, on_hand)
    assert 0 < tiny < 1e-20
    assert result["avg_backorders"] == pytest.approx(backorders, rel=1e-10)
    assert result["avg_on_hand"] == pytest.approx(on_hand, rel=1e-10)


# --- lost sales ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("order_up_to", "mean"), [(0, 2.0), (1, 0.5), (5, 3.0), (30, 25.0)])
def test_lost_sales_from_the_truncated_poisson_on_order(order_up_to: int, mean: float) -> None:
    """Units on order n follow Poisson(mean) truncated to 0..S; a demand finding n = S is lost
    (PASTA), and on hand = S - n. On hand thus equals S - lambda L (1 - B) (Little's law)."""
    on_order = np.arange(order_up_to + 1)
    probability = poisson.pmf(on_order, mean) / poisson.cdf(order_up_to, mean)
    result = base_stock_lost_sales_poisson(order_up_to, mean)
    assert result["lost_fraction"] == pytest.approx(probability[-1], rel=1e-12)
    assert result["unit_fill_rate"] == pytest.approx(1 - probability[-1], rel=1e-12)
    expected_on_hand = ((order_up_to - on_order) * probability).sum()
    assert result["avg_on_hand"] == pytest.approx(expected_on_hand, rel=1e-12, abs=1e-12)


def test_lost_sales_lose_less_than_backorders_leave_short() -> None:
    """Lost sales keep the pipeline shorter, so more demand finds stock than with backorders."""
    lost_sales = base_stock_lost_sales_poisson(8, 6.0)
    backorders = base_stock_poisson(8, 6.0)
    assert lost_sales["unit_fill_rate"] > backorders["unit_fill_rate"]
    assert lost_sales["avg_on_hand"] > backorders["avg_on_hand"]


# --- (r, Q) --------------------------------------------------------------------------------------
POINTS = [(-1, 1, 2.0), (-1, 4, 2.0), (0, 3, 1.5), (4, 6, 5.0), (10, 25, 14.4), (690, 120, 692.3)]


@pytest.mark.parametrize(("reorder_point", "batch_size", "mean"), POINTS)
def test_rq_matches_direct_summation(reorder_point: int, batch_size: int, mean: float) -> None:
    positions = range(reorder_point + 1, reorder_point + batch_size + 1)
    per_position = np.array([_brute_force_at_level(level, mean) for level in positions])
    in_stock, backorders, on_hand = per_position.mean(axis=0)
    result = rq_poisson(reorder_point, batch_size, mean)
    assert result["unit_fill_rate"] == pytest.approx(in_stock, abs=1e-12)
    assert result["ready_rate"] == pytest.approx(in_stock, abs=1e-12)
    assert result["avg_backorders"] == pytest.approx(backorders, rel=1e-9, abs=1e-12)
    assert result["avg_on_hand"] == pytest.approx(on_hand, rel=1e-9, abs=1e-12)
    no_stockout = poisson.pmf(_lead_time_demand_support(mean), mean)[: reorder_point + 1].sum()
    assert result["cycle_service_level"] == pytest.approx(no_stockout, abs=1e-12)


@pytest.mark.parametrize(("reorder_point", "mean"), [(-1, 0.8), (0, 0.8), (3, 2.0), (20, 14.4)])
def test_rq_with_batches_of_one_is_base_stock(reorder_point: int, mean: float) -> None:
    rq = rq_poisson(reorder_point, 1, mean)
    base_stock = base_stock_poisson(reorder_point + 1, mean)
    for key, value in base_stock.items():
        assert rq[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


@pytest.mark.parametrize(("reorder_point", "batch_size", "mean"), POINTS)
def test_rq_on_hand_minus_backorders_is_mean_position_minus_demand(
    reorder_point: int, batch_size: int, mean: float
) -> None:
    result = rq_poisson(reorder_point, batch_size, mean)
    mean_position = reorder_point + (batch_size + 1) / 2
    net = result["avg_on_hand"] - result["avg_backorders"]
    assert net == pytest.approx(mean_position - mean, abs=1e-9)


def test_bigger_batches_raise_fill_rate_but_not_cycle_service() -> None:
    small, large = rq_poisson(5, 2, 6.0), rq_poisson(5, 20, 6.0)
    assert large["unit_fill_rate"] > small["unit_fill_rate"]
    assert large["cycle_service_level"] == small["cycle_service_level"]


# --- invalid input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_b(-1, 1.0), "servers"),
        (lambda: erlang_b(2.5, 1.0), "whole number"),
        (lambda: erlang_b(True, 1.0), "whole number"),
        (lambda: erlang_b(3, -0.1), "offered_load"),
        (lambda: erlang_b(3, math.nan), "offered_load"),
        (lambda: erlang_c(0, 0.5), "servers"),
        (lambda: erlang_c(2, 2.0), "unstable"),
        (lambda: erlang_c(2, 3.0), "unstable"),
        (lambda: mmc_mean_wait(3.0, 1.0, 3), "unstable"),
        (lambda: mmc_mean_wait(1.0, 0.0, 3), "service_rate"),
        (lambda: mmc_mean_queue_length(-1.0, 1.0, 3), "arrival_rate"),
        (lambda: mmc_utilisation(5.0, 1.0, 4), "unstable"),
        (lambda: mm1_priority_waits([], 1.0), "at least one"),
        (lambda: mm1_priority_waits([0.6, 0.5], 1.0), "unstable"),
        (lambda: mm1_priority_waits([0.2, -0.1], 1.0), r"arrival_rates\[1\]"),
        (lambda: base_stock_poisson(-1, 2.0), "order_up_to"),
        (lambda: base_stock_poisson(3, -2.0), "lead_time_demand"),
        (lambda: base_stock_poisson(3, math.inf), "lead_time_demand"),
        (lambda: base_stock_lost_sales_poisson(-2, 2.0), "order_up_to"),
        (lambda: rq_poisson(3, 0, 2.0), "batch_size"),
        (lambda: rq_poisson(-2, 4, 2.0), "reorder_point"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(
    call: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call()
