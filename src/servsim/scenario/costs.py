"""Costs: the rates that turn a run's holding, orders, shortages and staff hours into money."""

from __future__ import annotations

from pydantic import Field

from servsim.scenario.fields import Money
from servsim.scenario.section import Section


class Costs(Section):
    """Cost rates; each in the unit its name states, converted to the time unit on use."""

    holding_rate: Money = Field(default=0.0, ge=0, description="per year, fraction of unit_cost")
    order_cost: Money = Field(default=0.0, ge=0, description="per replenishment order")
    backorder_penalty: Money = Field(default=0.0, ge=0, description="per unit per day backordered")
    lost_sale_penalty: Money = Field(default=0.0, ge=0, description="per unit lost, beyond margin")
    staff_wage: Money = Field(
        default=0.0,
        ge=0,
        description="per clerk per hour; also paid for work finished after a shift's end "
        "when processing names no overtime wage (each amount at most 1e9)",
    )
    cost_of_capital: float = Field(
        default=0.08,
        ge=0,
        le=1,
        description="per year: finances receivables on credit and discounts customer value",
    )
