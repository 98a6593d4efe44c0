"""Stock-out handling: each answers "what happens to the part of a line that stock cannot fill".

An arriving order always takes what is on hand (first come, first served); substitutes, if
the scenario offers any, are tried next; then the policy decides the fate of the rest, and
whether the part that is there ships at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol


class Fate(Enum):
    """What becomes of the units of a line that stock cannot fill."""

    BACKORDER = "backorder"  # wait for the next replenishment
    LOSE = "lose"  # the sale is lost
    POSTPONE = "postpone"  # the customer accepts a later date: wait, with the promise moved
    CANCEL = "cancel"  # the customer refused the later date: the units are lost


class StockoutPolicy(Protocol):
    @property
    def ships_available_now(self) -> bool:
        """True: the filled part ships at once; a backordered rest follows in another shipment."""
        ...

    @property
    def asks_customer(self) -> bool:
        """True: the fate depends on the customer's answer (a random draw)."""
        ...

    def fate(self, answer: float) -> Fate:
        """The fate of a shortage, given the customer's answer (uniform on [0, 1))."""
        ...


@dataclass(frozen=True)
class Backorder:
    """The order waits, complete, until its backordered units arrive; it ships once."""

    ships_available_now: bool = False
    asks_customer: bool = False

    def fate(self, answer: float) -> Fate:
        return Fate.BACKORDER


@dataclass(frozen=True)
class PartialShipment:
    """Ship what is there now; backorder the rest and ship it when it arrives."""

    ships_available_now: bool = True
    asks_customer: bool = False

    def fate(self, answer: float) -> Fate:
        return Fate.BACKORDER


@dataclass(frozen=True)
class LoseSale:
    """Units that are not on hand are lost; what is on hand ships at once."""

    ships_available_now: bool = True
    asks_customer: bool = False

    def fate(self, answer: float) -> Fate:
        return Fate.LOSE


@dataclass(frozen=True)
class Postpone:
    """Offer a later date: accepted, the order waits complete with its promise moved by
    ``delay``; refused, the short units are cancelled (lost)."""

    acceptance: float
    delay: float
    ships_available_now: bool = False
    asks_customer: bool = True

    def fate(self, answer: float) -> Fate:
        return Fate.POSTPONE if answer < self.acceptance else Fate.CANCEL
