"""Products: what the firm sells, at what cost and price, and the service each unit needs."""

from __future__ import annotations

from pydantic import Field

from servsim.scenario.aftercare import Warranty
from servsim.scenario.fields import Money
from servsim.scenario.section import Section


class Product(Section):
    sku: str = Field(min_length=1)
    unit_cost: Money = Field(ge=0, description="value of one unit (purchase cost), at most 1e9")
    price: Money = Field(ge=0, description="selling price of one unit, at most 1e9")
    install: bool = Field(default=False, description="needs installation by a technician")
    warranty: Warranty | None = Field(default=None, description="failures repaired after sale")
