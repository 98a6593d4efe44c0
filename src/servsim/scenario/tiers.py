"""Service tiers: what a segment is promised and how it is served (basic, enhanced, exceptional).

A tier sets the priority (higher first) in the processing queue and in the backorder queue
that arriving stock fills, the promised time from order to delivery, and the carrier mode.
The three named presets differ in priority only; a scenario's ``tiers:`` section sets their
promise and mode, or defines tiers of its own.
"""

from __future__ import annotations

from pydantic import Field

from servsim.scenario.fields import OptionalDuration
from servsim.scenario.section import Section


class Tier(Section):
    priority: int = Field(
        default=0, ge=0, le=100, description="higher is processed and restocked first"
    )
    promise: OptionalDuration = Field(
        default=None, ge=0, description="promised order-to-delivery time (default: delivery's)"
    )
    mode: str | None = Field(default=None, description="carrier mode (default: delivery's)")


TIER_PRESETS: dict[str, Tier] = {
    "basic": Tier(priority=0),
    "enhanced": Tier(priority=1),
    "exceptional": Tier(priority=2),
}
