"""After-sale KPIs and costs as pure functions of a run's log.

Rates are per delivered order of the measurement window; complaints, returns and visits count
with the order they follow. Replacement orders carry no after-sale events of their own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.core.units import per_hour_to_per_time_unit
from servsim.kpis.labour import time_beyond_schedule
from servsim.kpis.outcomes import order_flags
from servsim.kpis.ratios import count, ratio, sum_by_order
from servsim.kpis.timeavg import time_average
from servsim.model.runlog import RunLog
from servsim.model.table import Table
from servsim.scenario.aftercare import Staffing
from servsim.scenario.schema import Scenario


def after_sale_kpis(log: RunLog, orders: Table) -> dict[str, float]:
    """Complaints, claims, returns, resolution time, notices, installation and repairs."""
    tables = log.tables
    delivered = orders.is_("outcome", "delivered")
    served = count(delivered)
    mine = order_flags(log, orders)
    complaints = tables.complaints
    opened = complaints["opened"]
    complained = mine[complaints["order"]] & ~np.isnan(opened)
    resolved_at = complaints["resolved"][complained]
    resolved = ~np.isnan(resolved_at)
    resolution = (resolved_at - opened[complained])[resolved]
    returns = tables.returns
    returned = mine[returns["order"]] & ~np.isnan(returns["requested"])
    late = delivered & ~orders["on_time"]
    visits = tables.visits.rows(mine[tables.visits["order"]])
    install = visits.is_("kind", "install")
    arrived = (visits["started"] + visits["travel"])[install]
    on_site = arrived <= log.horizon  # NaN: not yet
    finished = ~np.isnan(visits["finished"])
    installed = np.unique(visits["order"][install & finished])
    snagged = np.unique(visits["order"][visits["snag"] & ~visits.is_("kind", "repair")])
    return {
        "complaint_rate": ratio(count(complained), served),
        "claim_rate": ratio(count(complaints["claim"][complained]), served),
        "return_rate": ratio(count(returned), served),
        "resolution_time_mean": float(resolution.mean()) if resolution.size else float("nan"),
        "resolution_time_p90": float(np.percentile(resolution, 90))
        if resolution.size
        else float("nan"),
        "notified_delay_rate": ratio(count(orders["informed"][late]), count(late)),
        "notices_per_order": ratio(orders["notices"].sum(), len(orders)),
        "install_wait_mean": float((arrived - visits["requested"][install])[on_site].mean())
        if on_site.any()
        else float("nan"),
        "snag_rate": ratio(snagged.size, installed.size),
        "repair_rate": ratio(count(visits.is_("kind", "repair")), served),
    }


def after_sale_costs(log: RunLog, orders: Table, scenario: Scenario) -> dict[str, float]:
    """Returns and claims, after-sale labour, and service programmes over the window."""
    start, end = log.warmup, log.horizon
    window = end - start
    products = {product.sku: product for product in scenario.products}
    complaints, visits = log.tables.complaints, log.tables.visits
    compensation = float(
        np.sum(complaints["compensation"][_between(complaints["opened"], start, end)])
    )
    returns_cost = _returns_cost(log, scenario, products)
    repairs = visits.is_("kind", "repair") & _between(visits["requested"], start, end)
    repair_parts = (
        scenario.installation.repair_cost * count(repairs) if scenario.installation else 0.0
    )
    labour = 0.0
    if scenario.complaints is not None:
        jobs = (complaints["started"], complaints["resolved"])
        labour += _scheduled_cost(scenario.complaints.support, scenario, start, end, jobs)
    if scenario.installation is not None:
        jobs = (visits["started"], visits["finished"])
        labour += _scheduled_cost(scenario.installation.technicians, scenario, start, end, jobs)
    programmes = sum(p.cost * window / p.period for p in scenario.programs.values())
    notices = scenario.notices.cost * float(orders["notices"].sum())
    return {
        "cost_returns_claims": compensation + returns_cost + repair_parts,
        "cost_aftercare_labour": labour,
        "cost_service_programs": programmes + notices,
    }


def _between(times: np.ndarray, start: float, end: float) -> np.ndarray:
    return (times >= start) & (times <= end)


def _returns_cost(log: RunLog, scenario: Scenario, products: dict) -> float:  # type: ignore[type-arg]
    """Reverse transport per return, the value of scrapped goods, and the margin refunded
    on returns for no fault (requested within the window)."""
    if scenario.returns is None or log.tables.returns.empty:
        return 0.0
    returns = log.tables.returns
    returns = returns.rows(_between(returns["requested"], log.warmup, log.horizon))
    order = returns["order"]
    all_lines = log.tables.lines
    lines = all_lines.rows(np.isin(all_lines["order"], order))
    own = lines["quantity"] - lines["lost"] - lines["substituted"]
    unit_cost = lines.mapped("sku", {s: p.unit_cost for s, p in products.items()})
    margin = lines.mapped("sku", {s: p.price - p.unit_cost for s, p in products.items()})
    value = sum_by_order(own * unit_cost, lines["order"])
    refunded = sum_by_order(own * margin, lines["order"])
    scrapped = ~np.isnan(returns["received"]) & ~returns["restocked"]
    no_fault = returns.is_("reason", "no_fault")
    return float(
        scenario.returns.cost_per_return * len(returns)
        + pd.Series(order[scrapped]).map(value).fillna(0.0).sum()
        + pd.Series(order[no_fault]).map(refunded).fillna(0.0).sum()
    )


def _scheduled_cost(
    staffing: Staffing,
    scenario: Scenario,
    start: float,
    end: float,
    jobs: tuple[np.ndarray, np.ndarray],
) -> float:
    """Wage for the people scheduled within [start, end], and for the time they work beyond
    the schedule finishing a job in hand at a shift's end (``jobs``: started, ended)."""
    times, staff = staffing.on_duty(scenario.horizon, scenario.time_unit)
    paid = (end - start) * time_average(times, staff, start, end)
    if staffing.shifts is not None and len(jobs[0]):
        ended = np.where(np.isnan(jobs[1]), scenario.horizon, jobs[1])
        paid += time_beyond_schedule(jobs[0], ended, (times, staff), (start, end))
    return per_hour_to_per_time_unit(staffing.wage, scenario.time_unit) * paid
