"""The typed scenario: every section of a scenario file as a frozen pydantic model.

Validation happens once, here, at load time; the model never re-checks its inputs.
Durations are stored as numbers in the scenario's ``time_unit``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from statistics import NormalDist
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)
from pydantic.functional_validators import BeforeValidator

from servsim.core.catalogue import BY_NAME, STAGES
from servsim.core.units import HOURS_PER_TIME_UNIT, TimeUnit, parse_duration
from servsim.core.validation import CrossChecks, refuse
from servsim.policies import (
    Backorder,
    BaseStock,
    ForecastOrderUpTo,
    LoseSale,
    MinMax,
    PartialShipment,
    PeriodicReview,
    Postpone,
    ReorderPointQuantity,
    ReplenishmentPolicy,
    StockoutPolicy,
)
from servsim.policies.replenishment import ForecastMethod, SeasonKind
from servsim.scenario.aftercare import (
    Complaints,
    Installation,
    Notices,
    Programme,
    Returns,
    Warranty,
)
from servsim.scenario.delivery import Delivery
from servsim.scenario.demand import Channel, Demand
from servsim.scenario.distributions import DurationDistribution
from servsim.scenario.fields import (
    MOST_REPLICATIONS,
    MOST_SKUS,
    Count,
    Duration,
    Money,
    Seed,
    Staff,
)
from servsim.scenario.network import Region, Supplier
from servsim.scenario.overrides import apply_overrides
from servsim.scenario.perception import Satisfaction
from servsim.scenario.section import Section
from servsim.scenario.shifts import Overtime, StaffCalendar
from servsim.scenario.standards import ServiceStandards, unknown_segment
from servsim.scenario.tiers import TIER_PRESETS, Tier


def _none_word_is_none(value: Any) -> Any:
    return None if value in ("none", "off", False) else value


# --- products and demand ----------------------------------------------------------------------
class Product(Section):
    sku: str = Field(min_length=1)
    unit_cost: Money = Field(ge=0, description="value of one unit (purchase cost), at most 1e9")
    price: Money = Field(ge=0, description="selling price of one unit, at most 1e9")
    install: bool = Field(default=False, description="needs installation by a technician")
    warranty: Warranty | None = Field(default=None, description="failures repaired after sale")


# --- stocking -----------------------------------------------------------------------------------
LineRule = Literal["backorder", "lost", "postpone"]
"""What may happen to a sku's short units (per sku)."""
StockoutRule = Literal["backorder", "partial", "lost", "postpone"]
"""The same, plus how an order ships: partial ships what is there at once."""


class Emergency(Section):
    """An emergency order from a faster source when net stock falls below ``trigger``."""

    trigger: Count = Field(
        ge=-1000000, description="order when on hand - backorders < trigger (|trigger| <= 1e9)"
    )
    quantity: Count = Field(ge=1, description="units per emergency order")
    lead_time: DurationDistribution = Field(description="lead time of the emergency source")
    order_cost: Money = Field(default=0.0, ge=0, description="per emergency order, at most 1e9")
    unit_premium: Money = Field(default=0.0, ge=0, description="per unit above unit_cost, <= 1e9")


class Reserve(Section):
    """Critical-level rationing: the last ``units`` on hand serve only ``for_tier`` and above."""

    units: Count = Field(ge=1, description="stock kept back for the better tiers")
    for_tier: str = Field(description="the lowest tier that may take reserved stock")


class _Item(Section):
    lead_time: DurationDistribution = Field(description="supplier lead time of each replenishment")
    reserve: Reserve | None = Field(default=None, description="stock kept for better tiers")
    emergency: Emergency | None = Field(default=None, description="a faster, dearer source")
    stockout: LineRule | None = Field(
        default=None, description="this sku's shortages (default: stocking.stockout)"
    )

    def build(self) -> ReplenishmentPolicy:
        raise NotImplementedError


class BaseStockItem(_Item):
    policy: Literal["base_stock"]
    order_up_to: Count = Field(alias="S", ge=0)

    def build(self) -> ReplenishmentPolicy:
        return BaseStock(self.order_up_to)


class MinMaxItem(_Item):
    policy: Literal["sS"]
    reorder_point: Count = Field(alias="s", ge=-1)
    order_up_to: Count = Field(alias="S", ge=0)

    @model_validator(mode="after")
    def _up_to_above_reorder_point(self) -> MinMaxItem:
        if self.order_up_to <= self.reorder_point:
            refuse(f"S ({self.order_up_to}) must be greater than s ({self.reorder_point})")
        return self

    def build(self) -> ReplenishmentPolicy:
        return MinMax(self.reorder_point, self.order_up_to)


class ReorderPointItem(_Item):
    policy: Literal["rQ"]
    reorder_point: Count = Field(alias="r", ge=-1)
    batch_size: Count = Field(alias="Q", ge=1)

    def build(self) -> ReplenishmentPolicy:
        return ReorderPointQuantity(self.reorder_point, self.batch_size)


class PeriodicReviewItem(_Item):
    policy: Literal["RS"]
    review: Duration = Field(gt=0, description="time between reviews (R)")
    order_up_to: Count = Field(alias="S", ge=0)

    def build(self) -> ReplenishmentPolicy:
        return PeriodicReview(self.review, self.order_up_to)


class ForecastItem(_Item):
    """(R,S) driven by a rolling forecast: every review the order-up-to level S is recomputed
    from the demand seen per review period and a target service level, so stock follows a
    seasonal or trending demand instead of staying where it was set."""

    policy: Literal["forecast"]
    review: Duration = Field(gt=0, description="time between reviews (R): the forecast's period")
    initial: Count = Field(
        alias="S", ge=0, description="the order-up-to level until two periods are seen"
    )
    service_level: float = Field(
        ge=0.5,
        le=0.9999,
        description="target chance of no stock-out in a review cycle, 0.5 to 0.9999 (sets z)",
    )
    method: ForecastMethod = Field(
        default="moving_average",
        description="moving_average (of window periods), exponential (smoothing, alpha), "
        "holt (level and trend: alpha, beta) or holt_winters (level, trend and a season of "
        "`season` periods: alpha, beta, gamma; statsmodels)",
    )
    window: int = Field(default=4, ge=2, le=520, description="periods in the moving average")
    alpha: float = Field(default=0.3, gt=0, le=1, description="smoothing of the level, 0 to 1")
    beta: float = Field(default=0.1, gt=0, le=1, description="smoothing of the trend (holt)")
    gamma: float = Field(
        default=0.1, gt=0, le=1, description="smoothing of the season (holt_winters)"
    )
    season: int | str | None = Field(
        default=None,
        description="holt_winters: the season's length, a number of reviews (52) or a "
        "duration (365d), a whole number of reviews from 2 to 520",
    )
    seasonality: SeasonKind = Field(
        default="multiplicative",
        description="holt_winters: additive or multiplicative (a season that scales demand)",
    )
    optimize: bool = Field(
        default=False,
        description="holt_winters: fit alpha, beta and gamma by statsmodels once a season "
        "(they are the starting values until then) instead of keeping them fixed",
    )

    _season_periods: int = PrivateAttr(default=0)

    @model_validator(mode="after")
    def _season_for_holt_winters(self, info: ValidationInfo) -> ForecastItem:
        if self.method != "holt_winters":
            if self.season is not None:
                refuse("season: only the holt_winters method has a season")
            return self
        if self.season is None:
            refuse("season: holt_winters needs a season (a number of reviews, or a duration)")
        if isinstance(self.season, int):
            periods = float(self.season)
        else:
            unit = (info.context or {}).get("time_unit", "hours")
            try:
                periods = parse_duration(self.season, unit) / self.review
            except ValueError as error:
                refuse(f"season: {error}")
            if abs(periods - round(periods)) > 1e-6 * max(periods, 1.0):
                refuse(f"season: {self.season} is not a whole number of reviews ({self.review:g})")
        if not 2 <= round(periods) <= 520:
            refuse(f"season: a season is 2 to 520 reviews, got {periods:g}")
        self._season_periods = round(periods)
        return self

    def build(self) -> ReplenishmentPolicy:
        z = NormalDist().inv_cdf(self.service_level)
        return ForecastOrderUpTo(  # type: ignore[return-value]
            self.review,
            self.initial,
            self.lead_time.mean,
            z,
            self.method,
            self.window,
            self.alpha,
            self.beta,
            self.gamma,
            self._season_periods,
            self.seasonality,
            self.optimize,
        )


POLICY_NAMES = ("base_stock", "sS", "rQ", "RS", "forecast")


def _policy_must_be_known(value: Any) -> Any:
    if isinstance(value, dict):
        name = value.get("policy")
        if name is None:
            raise ValueError("an item needs 'policy:' (one of " + ", ".join(POLICY_NAMES) + ")")
        if name not in POLICY_NAMES:
            raise ValueError(f"unknown policy {name!r}; allowed: " + ", ".join(POLICY_NAMES))
    return value


Item = Annotated[
    Annotated[
        BaseStockItem | MinMaxItem | ReorderPointItem | PeriodicReviewItem | ForecastItem,
        Field(discriminator="policy"),
    ],
    BeforeValidator(_policy_must_be_known),
]


class Postponement(Section):
    """Offered when stock is short: a later date, which the customer may accept."""

    acceptance: float = Field(ge=0, le=1, description="probability the customer accepts")
    delay: Duration = Field(gt=0, description="how much later than promised the order may come")


class Substitute(Section):
    sku: str
    acceptance: float = Field(ge=0, le=1, description="probability the customer accepts it")
    price_difference: Money = Field(
        default=0.0, description="per unit: what the customer pays less (a cost to us), |.| <= 1e9"
    )


class Stocking(Section):
    stockout: StockoutRule = Field(
        description="fate of units not on hand: backorder (ship complete), partial, lost, "
        "postpone (offer a later date)"
    )
    postponement: Postponement | None = Field(default=None, description="with postpone")
    substitutes: dict[str, list[Substitute]] = Field(
        default_factory=dict, description="sku -> substitutes to offer, best first"
    )
    items: dict[str, Item] = Field(
        default_factory=dict,
        max_length=MOST_SKUS,
        description="sku -> replenishment policy (<= 10,000); none with a network, whose "
        "locations hold the skus",
    )

    def policy(self, rule: str) -> StockoutPolicy:
        """The stock-out policy object a rule names."""
        if rule == "postpone":
            if self.postponement is None:
                raise ValueError("postpone needs stocking.postponement: {acceptance:, delay:}")
            return Postpone(self.postponement.acceptance, self.postponement.delay)
        plain: dict[str, StockoutPolicy] = {
            "backorder": Backorder(),
            "partial": PartialShipment(),
            "lost": LoseSale(),
        }
        return plain[rule]


# --- a network of stock locations -------------------------------------------------------------
class Location(Section):
    """A stock location: a central DC, a regional warehouse, a store."""

    source: str = Field(
        description="where it is replenished from: a supplier or another location (an echelon); "
        "an upstream shortage delays its replenishments"
    )
    items: dict[str, Item] = Field(
        min_length=1,
        max_length=MOST_SKUS,
        description="sku -> replenishment policy, as stocking.items; lead_time is the time "
        "from the source (the supplier's lead time, or the transit from the upstream location)",
    )
    vendor_managed: bool = Field(
        default=False,
        description="the customer's own stock, which the firm watches and replenishes (VMI): "
        "a unit short there is the customer's lost sale, whatever the stock-out rule, and "
        "counts against the firm's service",
    )


class Network(Section):
    """Suppliers, stock locations and the regions they serve."""

    suppliers: dict[str, Supplier] = Field(
        default_factory=dict, description="outside sources by name"
    )
    locations: dict[str, Location] = Field(min_length=1, description="stock locations by name")
    regions: dict[str, Region] = Field(
        min_length=1, description="regions by name: every segment in exactly one"
    )

    def upstream_first(self) -> list[str]:
        """The locations, each after the location it is replenished from (without cycles)."""
        done: list[str] = []
        pending = list(self.locations)
        while pending:
            ready = [
                name
                for name in pending
                if self.locations[name].source not in self.locations
                or self.locations[name].source in done
            ]
            if not ready:
                return done + pending
            done += ready
            pending = [name for name in pending if name not in ready]
        return done

    def region_of(self, segment: str) -> tuple[str, Region]:
        """The region a segment belongs to."""
        return next((name, r) for name, r in self.regions.items() if segment in r.segments)

    def rule_of(self, segment: str) -> str:
        """The sourcing rule of a segment's orders: its own, else its region's."""
        _, region = self.region_of(segment)
        return region.rules.get(segment, region.rule)


# --- processing and delivery ------------------------------------------------------------------
class Processing(StaffCalendar):
    """Order processing: ``staff`` clerks round the clock, or ``shifts`` (a weekly calendar)."""

    staff: Staff | None = Field(
        default=None, ge=1, description="clerks, always on duty (at most 100,000)"
    )
    overtime: Overtime | None = Field(default=None, description="only with shifts")
    time: DurationDistribution = Field(description="processing time of one shipment")

    @model_validator(mode="after")
    def _overtime_needs_shifts(self) -> Processing:
        if self.overtime is not None and self.shifts is None:
            refuse("overtime needs shifts: round-the-clock staff have no end of shift")
        return self


# --- money and satisfaction -------------------------------------------------------------------
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


# --- the scenario -----------------------------------------------------------------------------
class Scenario(Section):
    """A complete, validated scenario. Build one with :func:`servsim.load_scenario`."""

    name: str
    description: str = ""
    time_unit: TimeUnit
    horizon: Duration = Field(
        gt=0, description="simulated time of one replication (at most 100 years)"
    )
    warmup: Duration = Field(default=0.0, ge=0, description="time before KPIs start counting")
    replications: Count = Field(
        default=10, ge=1, le=MOST_REPLICATIONS, description="at most 100,000"
    )
    seed: Seed = Field(default=0, description="random seed: 0 to 2^63 - 1")
    products: list[Product] = Field(
        min_length=1, max_length=MOST_SKUS, description="at most 10,000 products"
    )
    demand: Demand
    stocking: Annotated[Stocking | None, BeforeValidator(_none_word_is_none)]
    processing: Annotated[Processing | None, BeforeValidator(_none_word_is_none)]
    delivery: Delivery
    channels: dict[str, Channel] = Field(
        default_factory=dict, description="order entry channels: entry time and error rates"
    )
    tiers: dict[str, Tier] = Field(
        default_factory=dict, description="service tiers beyond (or replacing) the presets"
    )
    costs: Costs = Costs()
    programs: dict[str, Programme] = Field(
        default_factory=dict, description="customer education and training programmes"
    )
    notices: Notices = Notices()
    complaints: Complaints | None = None
    returns: Returns | None = None
    installation: Installation | None = None
    satisfaction: Satisfaction = Field(
        default={}, validate_default=True, description="how customers judge an order"
    )
    standards: ServiceStandards = Field(
        default_factory=ServiceStandards, description="the written service policy: KPI targets"
    )
    network: Network | None = Field(
        default=None,
        description="stock locations, their suppliers and the regions they serve (needs "
        "stocking: for the stock-out rules; stocking.items then stay empty)",
    )

    _source: dict[str, Any] | None = PrivateAttr(default=None)
    _source_path: Path | None = PrivateAttr(default=None)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _parts_agree(self) -> Scenario:
        """Checks across sections, each problem at its own place, all reported at once."""
        checks = CrossChecks("scenario")
        if self.warmup >= self.horizon:
            checks.add(
                ("warmup",),
                f"must be shorter than horizon ({self.horizon:g}), got {self.warmup:g}",
            )
        skus = [product.sku for product in self.products]
        repeated = sorted(sku for sku, count in Counter(skus).items() if count > 1)
        if repeated:
            checks.add(("products",), f"sku listed twice: {', '.join(repeated)}")
        self._segments_agree(checks, skus)
        for name, tier in self.tiers.items():
            if tier.mode is not None and tier.mode not in self.delivery.modes:
                checks.add(
                    ("tiers", name, "mode"),
                    f"unknown carrier mode {tier.mode!r}; modes are: "
                    + ", ".join(self.delivery.modes),
                )
        self._aftercare_parts_agree(checks)
        for name in self.standards.segments:
            unknown = unknown_segment(name, list(self.demand.segments))
            if unknown is not None:
                checks.add(("standards", "segments", name), unknown)
        self._standards_measured(checks)
        if self.stocking is not None:
            self._stocking_agrees(checks, skus)
        if self.network is not None:
            self._network_agrees(checks, skus)
        elif self.stocking is not None and not self.stocking.items:
            checks.add(
                ("stocking", "items"),
                "give each sku a replenishment policy (or declare network: locations)",
            )
        checks.raise_any(self)
        return self

    def _standards_measured(self, checks: CrossChecks) -> None:
        """A standard on a KPI of a part of the business the scenario does not model could
        never be judged (the KPI is NaN): say what models it."""
        modelled = self.modelled_stages
        for standard in self.standards.all:
            stage = BY_NAME[standard.kpi].stage
            if stage is None or stage in modelled:
                continue
            where = ("standards",) if standard.segment is None else ("standards", "segments")
            checks.add(
                (*where, *((standard.segment,) if standard.segment else ()), standard.kpi),
                f"{standard.kpi} is not measured: this scenario has no {STAGES[stage]}, so "
                "the standard could never be judged",
            )

    def _segments_agree(self, checks: CrossChecks, skus: list[str]) -> None:
        tiers = ", ".join(self.all_tiers)
        known = set(skus)
        for name, segment in self.demand.segments.items():
            where = ("demand", "segments", name)
            if segment.history is not None and segment.history._trace is not None:
                trace = segment.history.trace
                if not trace.orders_per_block:
                    checks.add(
                        (*where, "history", "resample"),
                        f"the history covers {trace.covers()}, not one whole "
                        f"{segment.history.resample}: replications 1, 2, ... resample whole "
                        "blocks; allowed: resample: day (or a longer history)",
                    )
                if trace.span < self.horizon and not segment.history.repeat:
                    hours = HOURS_PER_TIME_UNIT[self.time_unit]
                    checks.add(
                        (*where, "history"),
                        f"the history covers {trace.covers()}, shorter than the horizon "
                        f"({self.horizon * hours / 24:g} days); shorten the horizon, or add "
                        "repeat: true to replay the history again from its start",
                    )
            unknown = [sku for sku in segment.mix or {} if sku not in known]
            if unknown:
                checks.add(
                    (*where, "mix"),
                    f"{', '.join(unknown)} is not a product; products are: {', '.join(skus)}",
                )
            if self.channels and segment.channels is None:
                checks.add(
                    (*where, "channels"),
                    "say how this segment's orders come in: "
                    "{" + ", ".join(f"{name}: share" for name in self.channels) + "}",
                )
            stray_channels = [c for c in segment.channels or {} if c not in self.channels]
            if stray_channels:
                checks.add(
                    (*where, "channels"),
                    f"unknown channel {stray_channels[0]!r}; channels are: "
                    + (", ".join(self.channels) or "none (define them under channels:)"),
                )
            if segment.urgent and segment.urgent.tier not in self.all_tiers:
                checks.add(
                    (*where, "urgent", "tier"),
                    f"unknown tier {segment.urgent.tier!r}; tiers are: {tiers}",
                )
            if segment.tier not in self.all_tiers:
                checks.add((*where, "tier"), f"unknown tier {segment.tier!r}; tiers are: {tiers}")

    def _aftercare_parts_agree(self, checks: CrossChecks) -> None:
        serviced = [p.sku for p in self.products if p.install or p.warranty is not None]
        if serviced and self.installation is None:
            checks.add(
                ("products",),
                f"{', '.join(serviced)} need installation or warranty repairs: say who does "
                "them under installation: {technicians: .., work: ..}",
            )
        stray = [name for name in self.satisfaction.segments if name not in self.demand.segments]
        if stray:
            checks.add(
                ("satisfaction", "segments", stray[0]),
                f"unknown segment {stray[0]!r}; segments are: " + ", ".join(self.demand.segments),
            )

    def _stocking_agrees(self, checks: CrossChecks, skus: list[str]) -> None:
        stocking = self.stocking
        assert stocking is not None
        known = set(skus)
        stray = [sku for sku in stocking.items if sku not in known]
        if stray:
            checks.add(
                ("stocking", "items", stray[0]),
                f"{', '.join(stray)} is not a product; products are: {', '.join(skus)}",
            )
        for sku, offers in stocking.substitutes.items():
            if sku not in stocking.items:
                checks.add(("stocking", "substitutes", sku), f"{sku} is not a stocked product")
            for rank, offer in enumerate(offers):
                if offer.sku == sku or offer.sku not in stocking.items:
                    checks.add(
                        ("stocking", "substitutes", sku, rank, "sku"),
                        f"{offer.sku!r} is not another stocked product; stocked: "
                        + ", ".join(stocking.items),
                    )
        for sku, item in stocking.items.items():
            if item.reserve and item.reserve.for_tier not in self.all_tiers:
                checks.add(
                    ("stocking", "items", sku, "reserve", "for_tier"),
                    f"unknown tier {item.reserve.for_tier!r}; tiers are: "
                    + ", ".join(self.all_tiers),
                )
        if "postpone" in self.stockout_rules and stocking.postponement is None:
            checks.add(
                ("stocking",),
                "postpone is used, so say how the customer answers with "
                "postponement: {acceptance: 0.6, delay: 7d}",
            )
        ordered = [sku for sku in self.demand.skus_ordered() if sku in known]  # others: said
        unstocked = [sku for sku in ordered if sku not in stocking.items]
        if unstocked and not stray and self.network is None and stocking.items:
            checks.add(
                ("stocking", "items"),
                f"no policy for {', '.join(unstocked)}, which demand orders",
            )

    def _network_agrees(self, checks: CrossChecks, skus: list[str]) -> None:
        """Sources known, no cycle, each sku held by its source, regions with locations."""
        network = self.network
        assert network is not None
        locations, suppliers = network.locations, network.suppliers
        if self.stocking is None:
            checks.add(("stocking",), "a network needs stocking: (its stock-out rules)")
        elif self.stocking.items:
            checks.add(
                ("stocking", "items"),
                "with a network the locations hold the skus: move these under "
                "network.locations.<name>.items",
            )
        if self.delivery.quote_from_stock:
            checks.add(
                ("delivery", "quote_from_stock"),
                "not available with a network yet; allowed: false",
            )
        known = set(skus)
        sources = ", ".join([*locations, *suppliers]) or "none"
        for name, location in locations.items():
            where = ("network", "locations", name)
            stray = [sku for sku in location.items if sku not in known]
            if stray:
                checks.add(
                    (*where, "items", stray[0]),
                    f"{', '.join(stray)} is not a product; products are: {', '.join(skus)}",
                )
            for sku, item in location.items.items():
                if item.reserve is not None:
                    checks.add(
                        (*where, "items", sku, "reserve"),
                        "reserve per sku is not available in a network yet",
                    )
            if location.source == name:
                checks.add((*where, "source"), "a location cannot replenish from itself")
            elif location.source not in locations and location.source not in suppliers:
                checks.add(
                    (*where, "source"),
                    f"unknown source {location.source!r}; allowed: a supplier or another "
                    f"location ({sources})",
                )
            elif location.source in locations:
                upstream = locations[location.source].items
                for sku in location.items:
                    if sku in known and sku not in upstream:
                        checks.add(
                            (*where, "items", sku),
                            f"its source {location.source!r} does not hold {sku}; "
                            f"{location.source} holds: {', '.join(upstream)}",
                        )
        self._no_cycles(checks)
        self._regions_agree(checks)
        for name, supplier in suppliers.items():
            for index, outage in enumerate(supplier.dated_outages):
                if outage.start >= self.horizon:
                    checks.add(
                        ("network", "suppliers", name, "dated_outages", index, "start"),
                        f"after the horizon ({self.horizon:g}): it would never happen",
                    )

    def _no_cycles(self, checks: CrossChecks) -> None:
        network = self.network
        assert network is not None
        locations = network.locations
        reported: set[str] = set()
        for start in locations:
            path = [start]
            while locations[path[-1]].source in locations:
                following = locations[path[-1]].source
                if following == path[-1]:
                    break  # said: replenished from itself
                if following in path:
                    cycle = path[path.index(following) :]
                    if not reported & set(cycle):
                        checks.add(
                            ("network", "locations", cycle[0], "source"),
                            "the locations replenish one another in a cycle ("
                            + " -> ".join([*cycle, cycle[0]])
                            + "); allowed: a tree whose roots are supplied by a supplier",
                        )
                        reported |= set(cycle)
                    break
                path.append(following)

    def _regions_agree(self, checks: CrossChecks) -> None:
        network = self.network
        assert network is not None
        locations = network.locations
        segments = list(self.demand.segments)
        seen: dict[str, str] = {}
        for name, region in network.regions.items():
            where = ("network", "regions", name)
            for index, location in enumerate(region.locations):
                if location not in locations:
                    checks.add(
                        (*where, "locations", index),
                        f"unknown location {location!r}; locations are: " + ", ".join(locations),
                    )
            for index, segment in enumerate(region.segments):
                if segment not in self.demand.segments:
                    checks.add(
                        (*where, "segments", index),
                        f"unknown segment {segment!r}; segments are: " + ", ".join(segments),
                    )
                elif segment in seen:
                    checks.add(
                        (*where, "segments", index),
                        f"{segment} is already in region {seen[segment]}: a segment belongs "
                        "to one region",
                    )
                else:
                    seen[segment] = name
            for segment in region.rules:
                if segment not in region.segments:
                    checks.add(
                        (*where, "rules", segment),
                        f"{segment!r} is not a segment of this region; its segments: "
                        + ", ".join(region.segments),
                    )
            for location, legs in region.legs.items():
                if location not in region.locations:
                    checks.add(
                        (*where, "legs", location),
                        f"{location!r} does not serve this region; it is served by: "
                        + ", ".join(region.locations),
                    )
                for mode in legs:
                    if mode not in self.delivery.modes:
                        checks.add(
                            (*where, "legs", location, mode),
                            f"unknown carrier mode {mode!r}; modes are: "
                            + ", ".join(self.delivery.modes),
                        )
            rules = {region.rule, *region.rules.values()}
            if "transship" in rules and region.transshipment is None:
                checks.add(
                    (*where, "transshipment"),
                    "the transship rule needs transshipment: {time: .., cost_per_unit: ..}",
                )
            primary = region.locations[0]
            held = locations[primary].items if primary in locations else None
            for index, segment in enumerate(region.segments):
                if segment not in self.demand.segments or held is None:
                    continue
                mix = self.demand.segments[segment].mix or {}  # a history's skus: its own check
                missing = [sku for sku, w in mix.items() if w > 0 and sku not in held]
                if missing:
                    checks.add(
                        (*where, "segments", index),
                        f"{segment} orders {', '.join(missing)}, which the region's primary "
                        f"location {primary} does not hold; {primary} holds: " + ", ".join(held),
                    )
        for segment in segments:
            if segment not in seen:
                checks.add(
                    ("network", "regions"),
                    f"segment {segment} is in no region; say which locations serve it",
                )

    @property
    def stockout_rules(self) -> tuple[str | None, ...]:
        """Every stock-out rule written: the stocking's, each item's and each segment's."""
        if self.stocking is None:
            return ()
        located = (
            [
                item
                for location in self.network.locations.values()
                for item in location.items.values()
            ]
            if self.network is not None
            else []
        )
        return (
            self.stocking.stockout,
            *(item.stockout for item in [*self.stocking.items.values(), *located]),
            *(segment.stockout for segment in self.demand.segments.values()),
        )

    @property
    def modelled_stages(self) -> frozenset[str]:
        """The parts of the business (``servsim.core.catalogue.STAGES``) this scenario models;
        the KPIs of the others are NaN."""
        stocking = self.stocking
        modelled = {
            "complaints": self.complaints is not None,
            "returns": self.returns is not None,
            "installation": self.installation is not None
            and any(product.install for product in self.products),
            "repairs": self.installation is not None
            and any(product.warranty is not None for product in self.products),
            "notices": self.notices.policy != "none",
            "substitution": stocking is not None and bool(stocking.substitutes),
            "postponement": "postpone" in self.stockout_rules,
            "expediting": self.delivery.expedite is not None,
            "network": self.network is not None,
        }
        assert set(modelled) == set(STAGES), "every stage of the catalogue is decided here"
        return frozenset(stage for stage, present in modelled.items() if present)

    @property
    def has_aftercare(self) -> bool:
        """Whether anything follows an order's delivery: notices, complaints, returns,
        installation."""
        return (
            self.notices.policy != "none"
            or self.complaints is not None
            or self.returns is not None
            or self.installation is not None
        )

    def programme_factor(self, effect: str) -> float:
        """The product of every programme's factor on ``effect`` (1 without programmes)."""
        factor = 1.0
        for programme in self.programs.values():
            factor *= getattr(programme, effect)
        return factor

    def stockout_rule(self, segment: str, sku: str) -> str:
        """The rule for a segment's short line of a sku: the segment's, the sku's (in a network:
        at the segment's primary location, the one that answers for its region), the default."""
        assert self.stocking is not None
        item = self.stocking.items.get(sku)
        if self.network is not None:
            _, region = self.network.region_of(segment)
            primary = self.network.locations.get(region.locations[0])
            item = primary.items.get(sku) if primary is not None else None
        own = self.demand.segments[segment].stockout
        return own or (item.stockout if item else None) or self.stocking.stockout

    def reserved_against(self, segment: str, sku: str) -> int:
        """Units of a sku that a segment's orders may not take (kept for better tiers)."""
        item = self.stocking.items.get(sku) if self.stocking else None
        if item is None or item.reserve is None:
            return 0
        tiers = self.all_tiers
        own = tiers[self.demand.segments[segment].tier].priority
        return item.reserve.units if own < tiers[item.reserve.for_tier].priority else 0

    def shipping_rule(self, segment: str) -> str:
        """The stock-out rule that decides whether a segment's orders ship in parts."""
        assert self.stocking is not None
        return self.demand.segments[segment].stockout or self.stocking.stockout

    def __eq__(self, other: object) -> bool:
        """Equal when the validated contents are; how the file spelled them does not matter."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    @property
    def source_path(self) -> Path | None:
        """The file this scenario was loaded from, if any (overrides keep it)."""
        return self._source_path

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with values replaced by dotted path (``"stocking.items.A.S": 50``)."""
        return apply_overrides(self, overrides)

    def product(self, sku: str) -> Product:
        return next(product for product in self.products if product.sku == sku)

    @property
    def all_tiers(self) -> dict[str, Tier]:
        """The presets (basic, enhanced, exceptional) with the scenario's own tiers over them."""
        return TIER_PRESETS | self.tiers

    def promise_of(self, tier: str) -> float:
        """Promised order-to-delivery time of a tier (the delivery promise unless it says)."""
        promise = self.all_tiers[tier].promise
        return self.delivery.promise if promise is None else promise

    def mode_of(self, tier: str) -> str:
        """Carrier mode of a tier (the default mode unless it says)."""
        return self.all_tiers[tier].mode or self.delivery.default

    @property
    def skus(self) -> list[str]:
        """Products in the order they were listed."""
        return [product.sku for product in self.products]
