"""Checks across a scenario's sections: every name one section gives another must exist.

A section checks its own fields as it validates; what one section says of another (a segment's
tier, a location's source, a standard on a KPI the scenario does not measure) is checked here,
once every section is known, each problem located at its own place and all reported at once.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from servsim.core.kpi_columns import BY_NAME
from servsim.core.stages import STAGES
from servsim.core.units import HOURS_PER_TIME_UNIT
from servsim.core.validation import CrossChecks
from servsim.scenario.standards import unknown_segment

if TYPE_CHECKING:  # the scenario checks itself and hands itself in; no import at run time
    from servsim.scenario.schema import Scenario


def sections_agree(scenario: Scenario, checks: CrossChecks) -> None:
    """Checks across sections, each problem at its own place, all reported at once."""
    if scenario.warmup >= scenario.horizon:
        checks.add(
            ("warmup",),
            f"must be shorter than horizon ({scenario.horizon:g}), got {scenario.warmup:g}",
        )
    skus = [product.sku for product in scenario.products]
    repeated = sorted(sku for sku, count in Counter(skus).items() if count > 1)
    if repeated:
        checks.add(("products",), f"sku listed twice: {', '.join(repeated)}")
    _segments_agree(scenario, checks, skus)
    for name, tier in scenario.tiers.items():
        if tier.mode is not None and tier.mode not in scenario.delivery.modes:
            checks.add(
                ("tiers", name, "mode"),
                f"unknown carrier mode {tier.mode!r}; modes are: "
                + ", ".join(scenario.delivery.modes),
            )
    _aftercare_parts_agree(scenario, checks)
    for name in scenario.standards.segments:
        unknown = unknown_segment(name, list(scenario.demand.segments))
        if unknown is not None:
            checks.add(("standards", "segments", name), unknown)
    _standards_measured(scenario, checks)
    if scenario.stocking is not None:
        _stocking_agrees(scenario, checks, skus)
    if scenario.network is not None:
        _network_agrees(scenario, checks, skus)
    elif scenario.stocking is not None and not scenario.stocking.items:
        checks.add(
            ("stocking", "items"),
            "give each sku a replenishment policy (or declare network: locations)",
        )


def _standards_measured(scenario: Scenario, checks: CrossChecks) -> None:
    """A standard on a KPI of a part of the business the scenario does not model could
    never be judged (the KPI is NaN): say what models it."""
    modelled = scenario.modelled_stages
    for standard in scenario.standards.all:
        stage = BY_NAME[standard.kpi].stage
        if stage is None or stage in modelled:
            continue
        where = ("standards",) if standard.segment is None else ("standards", "segments")
        checks.add(
            (*where, *((standard.segment,) if standard.segment else ()), standard.kpi),
            f"{standard.kpi} is not measured: this scenario has no {STAGES[stage]}, so "
            "the standard could never be judged",
        )


def _segments_agree(scenario: Scenario, checks: CrossChecks, skus: list[str]) -> None:
    tiers = ", ".join(scenario.all_tiers)
    known = set(skus)
    for name, segment in scenario.demand.segments.items():
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
            if trace.span < scenario.horizon and not segment.history.repeat:
                hours = HOURS_PER_TIME_UNIT[scenario.time_unit]
                checks.add(
                    (*where, "history"),
                    f"the history covers {trace.covers()}, shorter than the horizon "
                    f"({scenario.horizon * hours / 24:g} days); shorten the horizon, or add "
                    "repeat: true to replay the history again from its start",
                )
        unknown = [sku for sku in segment.mix or {} if sku not in known]
        if unknown:
            checks.add(
                (*where, "mix"),
                f"{', '.join(unknown)} is not a product; products are: {', '.join(skus)}",
            )
        if scenario.channels and segment.channels is None:
            checks.add(
                (*where, "channels"),
                "say how this segment's orders come in: "
                "{" + ", ".join(f"{name}: share" for name in scenario.channels) + "}",
            )
        stray_channels = [c for c in segment.channels or {} if c not in scenario.channels]
        if stray_channels:
            checks.add(
                (*where, "channels"),
                f"unknown channel {stray_channels[0]!r}; channels are: "
                + (", ".join(scenario.channels) or "none (define them under channels:)"),
            )
        if segment.urgent and segment.urgent.tier not in scenario.all_tiers:
            checks.add(
                (*where, "urgent", "tier"),
                f"unknown tier {segment.urgent.tier!r}; tiers are: {tiers}",
            )
        if segment.tier not in scenario.all_tiers:
            checks.add((*where, "tier"), f"unknown tier {segment.tier!r}; tiers are: {tiers}")


def _aftercare_parts_agree(scenario: Scenario, checks: CrossChecks) -> None:
    serviced = [p.sku for p in scenario.products if p.install or p.warranty is not None]
    if serviced and scenario.installation is None:
        checks.add(
            ("products",),
            f"{', '.join(serviced)} need installation or warranty repairs: say who does "
            "them under installation: {technicians: .., work: ..}",
        )
    stray = [
        name for name in scenario.satisfaction.segments if name not in scenario.demand.segments
    ]
    if stray:
        checks.add(
            ("satisfaction", "segments", stray[0]),
            f"unknown segment {stray[0]!r}; segments are: " + ", ".join(scenario.demand.segments),
        )


def _stocking_agrees(scenario: Scenario, checks: CrossChecks, skus: list[str]) -> None:
    stocking = scenario.stocking
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
        if item.reserve and item.reserve.for_tier not in scenario.all_tiers:
            checks.add(
                ("stocking", "items", sku, "reserve", "for_tier"),
                f"unknown tier {item.reserve.for_tier!r}; tiers are: "
                + ", ".join(scenario.all_tiers),
            )
    if "postpone" in scenario.stockout_rules and stocking.postponement is None:
        checks.add(
            ("stocking",),
            "postpone is used, so say how the customer answers with "
            "postponement: {acceptance: 0.6, delay: 7d}",
        )
    ordered = [sku for sku in scenario.demand.skus_ordered() if sku in known]  # others: said
    unstocked = [sku for sku in ordered if sku not in stocking.items]
    if unstocked and not stray and scenario.network is None and stocking.items:
        checks.add(
            ("stocking", "items"),
            f"no policy for {', '.join(unstocked)}, which demand orders",
        )


def _network_agrees(scenario: Scenario, checks: CrossChecks, skus: list[str]) -> None:
    """Sources known, no cycle, each sku held by its source, regions with locations."""
    network = scenario.network
    assert network is not None
    locations, suppliers = network.locations, network.suppliers
    if scenario.stocking is None:
        checks.add(("stocking",), "a network needs stocking: (its stock-out rules)")
    elif scenario.stocking.items:
        checks.add(
            ("stocking", "items"),
            "with a network the locations hold the skus: move these under "
            "network.locations.<name>.items",
        )
    if scenario.delivery.quote_from_stock:
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
    _no_cycles(scenario, checks)
    _regions_agree(scenario, checks)
    for name, supplier in suppliers.items():
        for index, outage in enumerate(supplier.dated_outages):
            if outage.start >= scenario.horizon:
                checks.add(
                    ("network", "suppliers", name, "dated_outages", index, "start"),
                    f"after the horizon ({scenario.horizon:g}): it would never happen",
                )


def _no_cycles(scenario: Scenario, checks: CrossChecks) -> None:
    network = scenario.network
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


def _regions_agree(scenario: Scenario, checks: CrossChecks) -> None:
    network = scenario.network
    assert network is not None
    locations = network.locations
    segments = list(scenario.demand.segments)
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
            if segment not in scenario.demand.segments:
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
                if mode not in scenario.delivery.modes:
                    checks.add(
                        (*where, "legs", location, mode),
                        f"unknown carrier mode {mode!r}; modes are: "
                        + ", ".join(scenario.delivery.modes),
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
            if segment not in scenario.demand.segments or held is None:
                continue
            mix = scenario.demand.segments[segment].mix or {}  # a history's skus: its own check
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
