"""Closed-form results of queueing and inventory theory, to check the simulation against.

Every function is exact (no approximation where an exact formula exists) and evaluated in
a numerically stable way: the Erlang B recursion instead of factorials, and Poisson loss
functions as sums of positive terms instead of differences of large numbers.

References:
    Zipkin, P. H. (2000). Foundations of Inventory Management. McGraw-Hill. Ch. 6-7.
    Axsater, S. (2015). Inventory Control, 3rd ed. Springer. Ch. 5.
    Gross, D., Shortle, J. F., Thompson, J. M., Harris, C. M. (2008). Fundamentals of
    Queueing Theory, 4th ed. Wiley. Sections 2.3 (M/M/c), 2.5 (M/M/c/c), 3.4 (priorities).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import TypedDict

import numpy as np
from scipy import optimize
from scipy.stats import poisson

# --- checking inputs --------------------------------------------------------------------------


def _count(name: str, value: int, minimum: int = 0) -> int:
    """A whole number >= minimum (bools and floats such as 2.0 are refused: they hide mistakes)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _rate(name: str, value: float, positive: bool = False) -> float:
    """A finite number >= 0 (> 0 when ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return number


# --- queues -------------------------------------------------------------------------------------


def gim1_mean_wait(transform: Callable[[float], float], service_rate: float) -> float:
    """Mean wait in queue of a GI/M/1 queue: s / (mu (1 - s)), s the root in (0, 1) of
    s = A*(mu (1 - s)), A* the Laplace-Stieltjes transform of the interarrival time (Gross
    et al. 2008, section 5.3). ``transform`` is A*; the queue must be stable."""
    mu = _rate("service_rate", service_rate, positive=True)

    def gap(s: float) -> float:
        return transform(mu * (1 - s)) - s

    if gap(1 - 1e-12) >= 0:
        raise ValueError("the queue is not stable: arrivals are not slower than service")
    root = float(optimize.brentq(gap, 0.0, 1 - 1e-12, xtol=1e-14))
    return root / (mu * (1 - root))


def gamma_transform(mean: float, sd: float) -> Callable[[float], float]:
    """The Laplace-Stieltjes transform of a gamma interarrival time given by mean and sd."""
    shape, scale = (mean / sd) ** 2, sd**2 / mean
    return lambda theta: (1 + theta * scale) ** -shape


def renewal_count_moments(window: float, mean: float, sd: float) -> tuple[float, float]:
    """Mean and variance of a renewal process's count over a long window: t / m and
    t sigma^2 / m^3 for interarrival mean m and sd sigma (asymptotically, Cox 1962)."""
    window = _rate("window", window, positive=True)
    mean = _rate("mean", mean, positive=True)
    return window / mean, window * _rate("sd", sd) ** 2 / mean**3


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of M/G/c/c (Erlang loss), by the stable recursion over servers.

    ``offered_load`` = arrival rate x mean service time. The result is insensitive to the
    service-time distribution beyond its mean. With 0 servers every arrival is blocked.
    """
    servers = _count("servers", servers)
    load = _rate("offered_load", offered_load)
    blocking = 1.0
    for server in range(1, servers + 1):
        blocking = load * blocking / (server + load * blocking)
    return blocking


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival has to wait in M/M/c (Erlang delay), from Erlang B.

    Requires ``offered_load`` (arrival rate / service rate) < ``servers``: otherwise the
    queue grows without bound and no steady state exists.
    """
    servers = _count("servers", servers, minimum=1)
    load = _rate("offered_load", offered_load)
    if load >= servers:
        raise ValueError(
            f"unstable: offered_load ({load:g}) must be below servers ({servers}); "
            "the queue would grow without bound"
        )
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


def _stable_mmc(arrival_rate: float, service_rate: float, servers: int) -> tuple[float, float, int]:
    arrival = _rate("arrival_rate", arrival_rate)
    service = _rate("service_rate", service_rate, positive=True)
    servers = _count("servers", servers, minimum=1)
    if arrival >= servers * service:
        raise ValueError(
            f"unstable: arrival_rate ({arrival:g}) must be below servers x service_rate "
            f"({servers} x {service:g} = {servers * service:g})"
        )
    return arrival, service, servers


def mmc_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue Wq of M/M/c under FIFO: Erlang C / (c mu - lambda)."""
    arrival, service, servers = _stable_mmc(arrival_rate, service_rate, servers)
    waiting = erlang_c(servers, arrival / service)
    return waiting / (servers * service - arrival)


def mmc_mean_queue_length(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean number waiting Lq of M/M/c: lambda x Wq (Little's law)."""
    return arrival_rate * mmc_mean_wait(arrival_rate, service_rate, servers)


def mmc_utilisation(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Long-run fraction of time a server is busy in a stable M/M/c: lambda / (c mu)."""
    arrival, service, servers = _stable_mmc(arrival_rate, service_rate, servers)
    return arrival / (servers * service)


def mm1_priority_waits(arrival_rates: Sequence[float], service_rate: float) -> list[float]:
    """Mean wait in queue per class of M/M/1 with non-preemptive priorities (Cobham, 1954).

    Class 0 has the highest priority. With sigma_k the load of classes 0..k and
    W0 = sum(lambda_i E[S^2]) / 2 = sum(lambda_i) / mu^2 (exponential service, same rate
    for every class): W_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k)).
    """
    if len(arrival_rates) == 0:
        raise ValueError("arrival_rates must list at least one class")
    rates = [_rate(f"arrival_rates[{index}]", rate) for index, rate in enumerate(arrival_rates)]
    service = _rate("service_rate", service_rate, positive=True)
    total_load = sum(rates) / service
    if total_load >= 1:
        raise ValueError(
            f"unstable: total load sum(arrival_rates) / service_rate = {total_load:g} must be < 1"
        )
    residual_work = sum(rates) / service**2
    waits = []
    load_above = 0.0
    for rate in rates:
        load_including = load_above + rate / service
        waits.append(residual_work / ((1 - load_above) * (1 - load_including)))
        load_above = load_including
    return waits


# --- inventory --------------------------------------------------------------------------------

_LOG_NEGLIGIBLE = 691.0
"""-ln(1e-300): Poisson tail probabilities below exp(-691) are taken as exactly 0 or 1."""


def _poisson_losses(levels: np.ndarray, mean: float) -> tuple[np.ndarray, np.ndarray]:
    """E[(D - y)^+] and E[(y - D)^+] for D ~ Poisson(mean) at each level y, stably.

    Both are sums of positive terms: E[(D - y)^+] = sum_{k >= y} P(D > k) and
    E[(y - D)^+] = sum_{k < y} P(D <= k). Outside [low, high] (Bernstein bounds) the tail
    probabilities are below 1e-300, so each term there is exactly 0 or 1 in floating point.
    """
    spread = math.sqrt(2 * _LOG_NEGLIGIBLE * mean)
    low = max(0, math.floor(mean - spread))
    high = math.ceil(mean + spread + 2 * _LOG_NEGLIGIBLE / 3)
    window = np.arange(low, high + 1)
    # Index i holds the value at level low + i, for i = 0 .. high - low + 1.
    excess_at = np.append(np.cumsum(poisson.sf(window, mean)[::-1])[::-1], 0.0)
    shortfall_at = np.append(0.0, np.cumsum(poisson.cdf(window, mean)))
    inside = np.clip(levels, low, high + 1) - low
    below = np.maximum(low - levels, 0)
    above = np.maximum(levels - high - 1, 0)
    return excess_at[inside] + below, shortfall_at[inside] + above


class BaseStockPerformance(TypedDict):
    unit_fill_rate: float
    avg_backorders: float
    avg_on_hand: float
    ready_rate: float


class LostSalesPerformance(TypedDict):
    lost_fraction: float
    unit_fill_rate: float
    avg_on_hand: float


class ReorderPointPerformance(TypedDict):
    unit_fill_rate: float
    cycle_service_level: float
    avg_backorders: float
    avg_on_hand: float
    ready_rate: float


def base_stock_poisson(order_up_to: int, lead_time_demand: float) -> BaseStockPerformance:
    """Steady state of continuous-review base stock, unit Poisson demand, backorders.

    Every demand triggers an order of one unit; the lead time L is constant, so the net
    inventory is S - D with D ~ Poisson(lambda L) the lead-time demand (Zipkin 2000, 6.2).
    By PASTA the unit fill rate equals the ready rate, P(D <= S - 1).
    """
    order_up_to = _count("order_up_to", order_up_to)
    mean = _rate("lead_time_demand", lead_time_demand)
    excess, shortfall = _poisson_losses(np.array([order_up_to]), mean)
    in_stock = float(poisson.cdf(order_up_to - 1, mean))
    return {
        "unit_fill_rate": in_stock,
        "avg_backorders": float(excess[0]),
        "avg_on_hand": float(shortfall[0]),
        "ready_rate": in_stock,
    }


def base_stock_lost_sales_poisson(
    order_up_to: int, lead_time_demand: float
) -> LostSalesPerformance:
    """Steady state of continuous-review base stock, unit Poisson demand, lost sales.

    Units on order behave as busy servers of an Erlang loss system with S servers and
    offered load lambda L, so the lost fraction is Erlang B (any lead-time distribution
    with mean L); on hand = S - units on order = S - lambda L (1 - B) by Little's law.
    """
    order_up_to = _count("order_up_to", order_up_to)
    mean = _rate("lead_time_demand", lead_time_demand)
    lost = erlang_b(order_up_to, mean)
    return {
        "lost_fraction": lost,
        "unit_fill_rate": 1.0 - lost,
        "avg_on_hand": order_up_to - mean * (1.0 - lost),
    }


def rq_poisson(
    reorder_point: int, batch_size: int, lead_time_demand: float
) -> ReorderPointPerformance:
    """Steady state of continuous-review (r,Q), unit Poisson demand, backorders.

    Conventions (Zipkin 2000, 6.4; Axsater 2015, 5.3): whenever the inventory position
    (on hand + on order - backorders) falls to r or below, batches of Q are ordered until
    it is above r again; the lead time L is constant. The inventory position is then
    uniform on {r+1, ..., r+Q}, independent of the lead-time demand D ~ Poisson(lambda L),
    and net inventory = IP - D. Averaging over y in {r+1, ..., r+Q}:
    unit fill rate = ready rate = mean P(D <= y - 1) (PASTA), backorders = mean E[(D - y)^+],
    on hand = mean E[(y - D)^+]. The cycle service level is P(D <= r): no stock-out just
    before a replenishment arrives (an order placed at IP = r covers demand up to r).
    """
    reorder_point = _count("reorder_point", reorder_point, minimum=-1)
    batch_size = _count("batch_size", batch_size, minimum=1)
    mean = _rate("lead_time_demand", lead_time_demand)
    positions = np.arange(reorder_point + 1, reorder_point + batch_size + 1)
    excess, shortfall = _poisson_losses(positions, mean)
    in_stock = float(np.mean(poisson.cdf(positions - 1, mean)))
    return {
        "unit_fill_rate": in_stock,
        "cycle_service_level": float(poisson.cdf(reorder_point, mean)),
        "avg_backorders": float(np.mean(excess)),
        "avg_on_hand": float(np.mean(shortfall)),
        "ready_rate": in_stock,
    }


# --- two echelons -------------------------------------------------------------------------------
class RetailerPerformance(TypedDict):
    unit_fill_rate: float
    avg_backorders: float
    avg_on_hand: float
    warehouse_backorders: float
    warehouse_delay: float


def _pmf(mean: float, size: int) -> np.ndarray:
    return poisson.pmf(np.arange(size), mean)


def one_warehouse_retailers_poisson(
    warehouse_up_to: int,
    retailer_up_to: int,
    rate: float,
    retailers: int,
    warehouse_lead_time: float,
    transit: float,
) -> RetailerPerformance:
    """Exact steady state of one retailer among N identical ones fed by one warehouse, every
    stock point one-for-one (base stock), unit Poisson demand ``rate`` at each retailer,
    constant lead times, backorders, first come first served at the warehouse.

    The warehouse sees Poisson demand N x rate; its backorders are B0 = (X0 - S0)^+ with
    X0 ~ Poisson(N rate L0). Each of them is one retailer's with chance 1/N, so the retailer's
    own units held back at the warehouse are B0i ~ Binomial(B0, 1/N), and its net inventory is
    S1 - B0i - D1, D1 ~ Poisson(rate L1) the demand over the transit time, independent of B0i
    (Axsater 2015, 10.3; for N = 1 the serial system, Axsater's exact recursion). By PASTA the
    unit fill rate is P(B0i + D1 <= S1 - 1). The warehouse's mean delay is E[B0] / (N rate)
    (Little).
    """
    warehouse_up_to = _count("warehouse_up_to", warehouse_up_to)
    retailer_up_to = _count("retailer_up_to", retailer_up_to)
    retailers = _count("retailers", retailers, minimum=1)
    rate = _rate("rate", rate, positive=True)
    demand0 = retailers * rate * _rate("warehouse_lead_time", warehouse_lead_time)
    demand1 = rate * _rate("transit", transit)
    size = int(demand0 + demand1 + 12 * math.sqrt(demand0 + demand1 + 1) + 40)
    x0 = _pmf(demand0, size + warehouse_up_to)
    b0 = np.zeros(size)
    b0[0] = x0[: warehouse_up_to + 1].sum()
    b0[1:] = x0[warehouse_up_to + 1 : warehouse_up_to + size]
    if retailers == 1:
        mine = b0
    else:
        from scipy.stats import binom

        counts = np.arange(size)
        mine = np.zeros(size)
        for held, chance in enumerate(b0):
            if chance > 1e-300:
                mine += chance * binom.pmf(counts, held, 1 / retailers)
    total = np.convolve(mine, _pmf(demand1, size))[:size]
    levels = np.arange(size)
    short = levels - retailer_up_to
    warehouse_backorders = float(np.sum(levels * b0))
    return {
        "unit_fill_rate": float(total[:retailer_up_to].sum()),
        "avg_backorders": float(np.sum(np.where(short > 0, short, 0) * total)),
        "avg_on_hand": float(np.sum(np.where(short < 0, -short, 0) * total)),
        "warehouse_backorders": warehouse_backorders,
        "warehouse_delay": warehouse_backorders / (retailers * rate),
    }


def metric_retailer_backorders(
    retailer_up_to: int, rate: float, transit: float, warehouse_delay: float
) -> float:
    """METRIC's approximation of a retailer's mean backorders (Sherbrooke 1968): the
    warehouse's random delay replaced by its mean W (``warehouse_delay``), the retailer's
    lead-time demand taken as Poisson with mean rate x (L1 + W). It ignores the delay's
    variance, so it understates the backorders of a retailer stocked above its mean
    lead-time demand."""
    retailer_up_to = _count("retailer_up_to", retailer_up_to)
    mean = _rate("rate", rate) * (_rate("transit", transit) + _rate("delay", warehouse_delay))
    excess, _ = _poisson_losses(np.array([retailer_up_to]), mean)
    return float(excess[0])
