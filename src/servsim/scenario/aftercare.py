"""After the sale: status notices, complaints and claims, returns, installation and warranty,
and the customer education programmes that make them rarer (the post-transaction elements of
customer service)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from servsim.scenario.distributions import DurationDistribution
from servsim.scenario.fields import Duration, Factor, Money
from servsim.scenario.section import Section
from servsim.scenario.shifts import StaffCalendar

Share = float
"""A probability on [0, 1]."""


class Programme(Section):
    """Customer education or training: a cost per period that makes trouble rarer.

    Each factor multiplies a probability (0.8: a fifth fewer); several programmes multiply.
    """

    cost: Money = Field(ge=0, description="paid every period (at most 1e9)")
    period: Duration = Field(gt=0, description="how often the cost is paid (e.g. 7d)")
    entry_errors: Factor = Field(default=1.0, ge=0, description="factor on wrong items/invoices")
    complaints: Factor = Field(default=1.0, ge=0, description="factor on the complaint chance")
    returns: Factor = Field(default=1.0, ge=0, description="factor on the return chances")
    snags: Factor = Field(default=1.0, ge=0, description="factor on technical snags")


NoticePolicy = Literal["none", "on_dispatch", "on_delay", "always"]


class Notices(Section):
    """Proactive order status information.

    ``on_dispatch``: a notice for every shipment when it leaves, which tells of a delay if the
    carrier will be late; ``on_delay``: a notice when a delay is foreseen (a line is short when
    the order is placed, or the shipment will arrive after the promise when it leaves);
    ``always``: both. A customer told before the promise passes is "informed".
    """

    policy: NoticePolicy = "none"
    cost: Money = Field(default=0.0, ge=0, description="per notice sent (at most 1e9)")
    complaint_factor: float = Field(
        default=0.5, ge=0, le=1, description="informed late orders: complaint chance x this"
    )
    lateness_relief: float = Field(
        default=0.5, ge=0, le=1, description="informed late orders: lateness loss x this"
    )


class Staffing(StaffCalendar):
    """A pool of people (support agents, technicians): ``staff`` always on duty, or shifts."""

    wage: Money = Field(
        default=0.0,
        ge=0,
        description="per person per scheduled hour, and per hour of work finished after a "
        "shift's end (at most 1e9)",
    )


class ComplaintChances(Section):
    """The chance of a complaint for each thing that went wrong (they combine as independent
    causes: 1 - (1-base)(1-late)(1-incomplete)...)."""

    base: Share = Field(default=0.0, ge=0, le=1, description="orders that went right")
    late: Share = Field(default=0.0, ge=0, le=1, description="late at all")
    per_day_late: Factor = Field(default=0.0, ge=0, description="added to late per day late")
    incomplete: Share = Field(default=0.0, ge=0, le=1, description="units lost or cancelled")
    damaged: Share = Field(default=0.0, ge=0, le=1)
    wrong_item: Share = Field(default=0.0, ge=0, le=1)
    wrong_invoice: Share = Field(default=0.0, ge=0, le=1)
    uninformed: Share = Field(
        default=0.0, ge=0, le=1, description="late and not told before the promise passed"
    )


class Claims(Section):
    """A share of complaints claims compensation: a fixed amount plus a share of the order."""

    share: Share = Field(default=0.0, ge=0, le=1, description="of complaints")
    compensation: Money = Field(default=0.0, ge=0, description="fixed amount per claim, <= 1e9")
    of_order_value: Factor = Field(default=0.0, ge=0, description="share of the order's value")


class Complaints(Section):
    """Complaints: their chance per cause, when they come, the support pool that resolves
    them first come first served, and the claims they carry."""

    chance: ComplaintChances = ComplaintChances()
    after: DurationDistribution = Field(
        default=0, validate_default=True, description="from delivery to the complaint"
    )
    support: Staffing = Field(description="support staff who resolve complaints")
    time: DurationDistribution = Field(description="handling time of one complaint")
    claims: Claims = Claims()


class Returns(Section):
    """Goods sent back: wrong or damaged orders (replaced by a new, linked order) and returns
    for no fault (refunded). Returned units travel back, then are restocked or scrapped."""

    base: Share = Field(default=0.0, ge=0, le=1, description="orders returned for no fault")
    damaged: Share = Field(default=1.0, ge=0, le=1, description="damaged orders returned")
    wrong_item: Share = Field(default=1.0, ge=0, le=1, description="wrong orders returned")
    after: DurationDistribution = Field(
        default=0, validate_default=True, description="from delivery to the return request"
    )
    transit: DurationDistribution = Field(
        default=0, validate_default=True, description="back to the warehouse"
    )
    restock: Share = Field(
        default=1.0, ge=0, le=1, description="chance returned goods pass inspection (else scrap)"
    )
    cost_per_return: Money = Field(default=0.0, ge=0, description="reverse transport, <= 1e9")


class Installation(Section):
    """Technicians install products that need it and repair warranty failures, first come
    first served; each visit is travel and work; a snag needs another visit."""

    technicians: Staffing
    travel: DurationDistribution = Field(default=0, validate_default=True)
    work: DurationDistribution = Field(description="time on site per visit")
    snag: Share = Field(default=0.0, ge=0, le=1, description="a visit leaves a technical snag")
    repair_cost: Money = Field(default=0.0, ge=0, description="parts per warranty repair, <= 1e9")


class Warranty(Section):
    """A product's warranty: with ``failure`` probability an order of it fails once, at a time
    uniform over the period after delivery, and a technician repairs it."""

    period: Duration = Field(gt=0)
    failure: Share = Field(ge=0, le=1, description="chance an order fails within the period")
