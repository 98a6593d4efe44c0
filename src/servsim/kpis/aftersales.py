"""After-sale KPIs and costs as pure functions of a run's log.

Rates are per delivered order of the measurement window; complaints, returns and visits count
with the order they follow. Replacement orders carry no after-sale events of their own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from servsim.core.units import per_hour_to_per_time_unit
from servsim.kpis.labour import time_beyond_schedule
from servsim.kpis.timeavg import time_average
from servsim.model.runlog import RunLog
from servsim.scenario.aftercare import Staffing
from servsim.scenario.schema import Scenario


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else float("nan")


def after_sale_kpis(log: RunLog, orders: pd.DataFrame) -> dict[str, float]:
    """Complaints, claims, returns, resolution time, notices, installation and repairs."""
    delivered = orders[orders["outcome"] == "delivered"]
    mine = orders.index.to_numpy()
    complaints = log.complaints[
        log.complaints["order"].isin(mine) & log.complaints["opened"].notna()
    ]
    resolved = complaints["resolved"].notna()
    resolution = (complaints["resolved"] - complaints["opened"])[resolved].to_numpy()
    returns = log.returns[log.returns["order"].isin(mine) & log.returns["requested"].notna()]
    late = delivered[~delivered["on_time"]]
    visits = log.visits[log.visits["order"].isin(mine)]
    installs = visits[visits["kind"] == "install"]
    arrived = installs["started"] + installs["travel"]
    on_site = arrived.notna() & (arrived <= log.horizon)
    installed = installs.loc[installs["finished"].notna(), "order"]
    snagged = visits.loc[visits["snag"] & (visits["kind"] != "repair"), "order"].unique()
    return {
        "complaint_rate": _ratio(len(complaints), len(delivered)),
        "claim_rate": _ratio(complaints["claim"].sum(), len(delivered)),
        "return_rate": _ratio(len(returns), len(delivered)),
        "resolution_time_mean": float(resolution.mean()) if resolution.size else float("nan"),
        "resolution_time_p90": float(np.percentile(resolution, 90))
        if resolution.size
        else float("nan"),
        "notified_delay_rate": _ratio(late["informed"].sum(), len(late)),
        "notices_per_order": _ratio(orders["notices"].sum(), len(orders)),
        "install_wait_mean": float((arrived - installs["requested"])[on_site].mean())
        if on_site.any()
        else float("nan"),
        "snag_rate": _ratio(len(snagged), installed.nunique()),
        "repair_rate": _ratio((visits["kind"] == "repair").sum(), len(delivered)),
    }


def after_sale_costs(log: RunLog, orders: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Returns and claims, after-sale labour, and service programmes over the window."""
    start, end = log.warmup, log.horizon
    window = end - start
    products = {product.sku: product for product in scenario.products}
    complaints = log.complaints
    opened = complaints["opened"].between(start, end)
    compensation = float(complaints.loc[opened, "compensation"].sum())
    returns_cost = _returns_cost(log, scenario, products)
    repairs = log.visits[
        (log.visits["kind"] == "repair") & log.visits["requested"].between(start, end)
    ]
    repair_parts = (
        scenario.installation.repair_cost * len(repairs) if scenario.installation else 0.0
    )
    labour = 0.0
    if scenario.complaints is not None:
        jobs = complaints[["started", "resolved"]]
        labour += _scheduled_cost(scenario.complaints.support, scenario, start, end, jobs)
    if scenario.installation is not None:
        visits = log.visits[["started", "finished"]]
        labour += _scheduled_cost(scenario.installation.technicians, scenario, start, end, visits)
    programmes = sum(p.cost * window / p.period for p in scenario.programs.values())
    notices = scenario.notices.cost * float(orders["notices"].sum())
    return {
        "cost_returns_claims": compensation + returns_cost + repair_parts,
        "cost_aftercare_labour": labour,
        "cost_service_programs": programmes + notices,
    }


def _returns_cost(log: RunLog, scenario: Scenario, products: dict) -> float:  # type: ignore[type-arg]
    """Reverse transport per return, the value of scrapped goods, and the margin refunded
    on returns for no fault (requested within the window)."""
    if scenario.returns is None or log.returns.empty:
        return 0.0
    returns = log.returns[log.returns["requested"].between(log.warmup, log.horizon)]
    lines = log.lines[log.lines["order"].isin(returns["order"])]
    own = lines["quantity"] - lines["lost"] - lines["substituted"]
    unit_cost = lines["sku"].astype(str).map({s: p.unit_cost for s, p in products.items()})
    margin = lines["sku"].astype(str).map({s: p.price - p.unit_cost for s, p in products.items()})
    value = (own * unit_cost.astype(float)).groupby(lines["order"]).sum()
    refunded = (own * margin.astype(float)).groupby(lines["order"]).sum()
    order = returns["order"]
    scrapped = returns["received"].notna() & ~returns["restocked"]
    no_fault = returns["reason"] == "no_fault"
    return float(
        scenario.returns.cost_per_return * len(returns)
        + order[scrapped].map(value).fillna(0.0).sum()
        + order[no_fault].map(refunded).fillna(0.0).sum()
    )


def _scheduled_cost(
    staffing: Staffing, scenario: Scenario, start: float, end: float, jobs: pd.DataFrame
) -> float:
    """Wage for the people scheduled within [start, end], and for the time they work beyond
    the schedule finishing a job in hand at a shift's end (``jobs``: started, ended)."""
    times, staff = staffing.on_duty(scenario.horizon, scenario.time_unit)
    paid = (end - start) * time_average(times, staff, start, end)
    if staffing.shifts is not None and len(jobs):
        ended = jobs.iloc[:, 1].fillna(scenario.horizon).to_numpy()
        paid += time_beyond_schedule(
            jobs.iloc[:, 0].to_numpy(), ended, (times, staff), (start, end)
        )
    return per_hour_to_per_time_unit(staffing.wage, scenario.time_unit) * paid
