"""What a network of stock locations records while it runs, and the facts it leaves."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from servsim.model.records import NOT_YET, LocationLevelLog, SupplyLog
from servsim.model.table import Table


@dataclass(frozen=True)
class NetworkLog:
    """What a network of stock locations adds to a run's facts."""

    locations: list[str]
    suppliers: list[str]
    location_levels: pd.DataFrame
    """Step function per location and sku: time, location, sku, on_hand, backorders
    (customer units waiting there), owed (units owed to the locations below it)."""
    supplies: pd.DataFrame
    """One row per order placed with a supplier: supplier, sku, ordered, due (after its lead
    time), arrives (its last part), quantity, received, on_time."""
    line_location: np.ndarray
    """Per order line: the index of the location that serves it."""
    primary: np.ndarray
    """Per order line: the index of its region's primary location."""
    transshipments: pd.DataFrame
    """One row per transshipped line: line, source (location index), units."""
    outages: pd.DataFrame
    """One row per supplier outage: supplier, start, end."""
    received: dict[tuple[int, int], int] = field(default_factory=dict)
    """(location, sku) -> units that arrived there by the horizon"""
    sent: dict[tuple[int, int], int] = field(default_factory=dict)
    """(location, sku) -> units that left it for another location by the horizon"""
    shipment_location: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per shipment: the location it leaves from (a split order's parts leave from theirs)"""
    order_region: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per order: the index of its region (its segment's, or its history row's)"""


@dataclass
class NetworkRecord:
    """What a network records while it runs."""

    locations: list[str]
    suppliers: list[str]
    location_levels: LocationLevelLog = field(default_factory=LocationLevelLog)
    supplies: SupplyLog = field(default_factory=SupplyLog)
    line_location: list[int] = field(default_factory=list)
    """per order line: the location that serves it"""
    shipment_location: list[int] = field(default_factory=list)
    """per shipment: the location it leaves from"""
    region_of_segment: list[int] = field(default_factory=list)
    """per segment: its region (an index into the network's regions)"""
    primary_of_region: list[int] = field(default_factory=list)
    """per region: its primary location"""
    order_region: dict[int, int] = field(default_factory=dict)
    """order -> its region, where a history row names one other than its segment's"""
    transshipped: dict[int, tuple[int, int]] = field(default_factory=dict)
    """line -> (location the units came from, units)"""
    outages: list[tuple[int, float, float]] = field(default_factory=list)
    received: dict[tuple[int, int], int] = field(default_factory=dict)
    """(location, sku) -> units that arrived there (filled in at the end)"""
    sent: dict[tuple[int, int], int] = field(default_factory=dict)
    """(location, sku) -> units that left it for another location (filled in at the end)"""
    _levels: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def totals(self, skus: list[str]) -> Table:
        """The network's stock per sku over time (on hand and customer backorders at every
        location), a row at each location's change: what a single stock point records, as
        the stock-levels table."""
        frame = pd.DataFrame(self._level_columns())
        place = frame["location"] * len(skus) + frame["sku"]
        changes = frame.groupby(place, sort=False)[["on_hand", "backorders"]].diff()
        changes = changes.fillna(frame[["on_hand", "backorders"]])
        running = changes.groupby(frame["sku"], sort=False).cumsum()
        return Table(
            {
                "time": frame["time"].to_numpy(),
                "sku": frame["sku"].to_numpy().astype(np.int32),
                "on_hand": running["on_hand"].to_numpy().astype(np.int64),
                "backorders": running["backorders"].to_numpy().astype(np.int64),
            },
            {"sku": skus},
        )

    def _level_columns(self) -> dict[str, np.ndarray]:
        """The location levels as columns, converted once (the totals and the log use them)."""
        if self._levels is None:
            self._levels = self.location_levels.take_columns()
        return self._levels

    def finish(
        self,
        line_order: np.ndarray,
        segment_of_order: np.ndarray,
        skus: list[str],
        horizon: float,
    ) -> NetworkLog:
        levels = self._level_columns()
        supplies = self.supplies.take_columns()
        located = np.asarray(self.line_location, dtype=np.int64)
        assert located.size == len(line_order)
        order_region = np.asarray(self.region_of_segment, dtype=np.int64)[
            np.asarray(segment_of_order, dtype=np.int64)
        ]
        if self.order_region:  # history rows that name another region
            order_region[list(self.order_region)] = list(self.order_region.values())
        primary = np.asarray(self.primary_of_region, dtype=np.int64)[
            order_region[np.asarray(line_order, dtype=np.int64)]
        ]
        arrives = supplies["arrives"]
        moved = list(self.transshipped.items())
        return NetworkLog(
            locations=self.locations,
            suppliers=self.suppliers,
            location_levels=pd.DataFrame(
                {
                    "time": levels["time"],
                    "location": pd.Categorical.from_codes(
                        levels["location"].astype(np.int32), self.locations
                    ),
                    "sku": pd.Categorical.from_codes(levels["sku"].astype(np.int32), skus),
                    "on_hand": levels["on_hand"].astype(np.int64),
                    "backorders": levels["backorders"].astype(np.int64),
                    "owed": levels["owed"].astype(np.int64),
                }
            ),
            supplies=pd.DataFrame(
                {
                    "supplier": pd.Categorical.from_codes(
                        supplies["supplier"].astype(np.int32), self.suppliers
                    ),
                    "sku": pd.Categorical.from_codes(supplies["sku"].astype(np.int32), skus),
                    "ordered": supplies["ordered"],
                    "due": supplies["due"],
                    "arrives": np.where(arrives <= horizon, arrives, NOT_YET),
                    "quantity": supplies["quantity"].astype(np.int64),
                    "received": supplies["received"].astype(np.int64),
                    "on_time": supplies["on_time"].astype(bool),
                }
            ),
            line_location=located,
            primary=primary,
            order_region=order_region,
            shipment_location=np.asarray(self.shipment_location, dtype=np.int64),
            transshipments=pd.DataFrame(
                {
                    "line": np.asarray([line for line, _ in moved], dtype=np.int64),
                    "source": np.asarray(
                        [fact[0] for fact in [m[1] for m in moved]], dtype=np.int64
                    ),
                    "units": np.asarray(
                        [fact[1] for fact in [m[1] for m in moved]], dtype=np.int64
                    ),
                }
            ),
            outages=pd.DataFrame(
                {
                    "supplier": pd.Categorical.from_codes(
                        np.asarray([o[0] for o in self.outages], dtype=np.int32), self.suppliers
                    ),
                    "start": np.asarray([o[1] for o in self.outages], dtype=float),
                    "end": np.asarray([o[2] for o in self.outages], dtype=float),
                }
            ),
            received=dict(self.received),
            sent=dict(self.sent),
        )
