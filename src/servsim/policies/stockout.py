"""Stock-out handling: each answers "what happens to the part of a line that stock cannot fill".

An arriving order always takes what is on hand (first come, first served); the policy decides
the fate of the shortage and whether the filled part ships at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class StockoutPolicy(Protocol):
    @property
    def loses_shortage(self) -> bool:
        """True: the unfilled units are lost sales. False: they are backordered."""
        ...

    @property
    def ships_available_now(self) -> bool:
        """True: the filled part ships at once; a backordered rest follows in a 2nd shipment."""
        ...


@dataclass(frozen=True)
class Backorder:
    """The order waits, complete, until its backordered units arrive; it ships once."""

    loses_shortage: bool = False
    ships_available_now: bool = False


@dataclass(frozen=True)
class PartialShipment:
    """Ship what is there now; backorder the rest and ship it when it arrives."""

    loses_shortage: bool = False
    ships_available_now: bool = True


@dataclass(frozen=True)
class LoseSale:
    """Units that are not on hand are lost; what is on hand ships at once."""

    loses_shortage: bool = True
    ships_available_now: bool = True
