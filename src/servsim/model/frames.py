"""The recorder's logs turned into DataFrames once, at the end of a run."""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from servsim.model.records import (
    NOT_YET,
    RETURN_REASONS,
    VISIT_KINDS,
    Complaint,
    CustomerFacts,
    JudgementLog,
    LevelLog,
    ReplenishmentLog,
    RestockLog,
    Return,
    ShipmentLog,
    Visit,
)


def shipments_frame(log: ShipmentLog, modes: list[str], horizon: float) -> pd.DataFrame:
    column = log.columns()
    delivered = column["delivered"]
    delivered[delivered > horizon] = NOT_YET
    ready = column["ready"]
    ready[ready > horizon] = NOT_YET  # still being processed at the horizon
    return pd.DataFrame(
        {
            "order": column["order"].astype(np.int64),
            "units": column["units"].astype(np.int64),
            "released": column["released"],
            "start": column["start"],
            "ready": ready,
            "dispatched": column["dispatched"],
            "delivered": delivered,
            "mode": pd.Categorical.from_codes(column["mode"].astype(np.int32), modes),
            "expedited": column["expedited"].astype(bool),
            "damaged": column["damaged"].astype(bool),
        },
        copy=False,  # fresh columns: no copy into blocks
    )


def replenishments_frame(
    log: ReplenishmentLog, receipts: dict[int, tuple[int, int]], skus: list[str]
) -> pd.DataFrame:
    column = log.columns()
    count = len(log)
    net_before = np.full(count, NOT_YET)
    lost_before = np.full(count, NOT_YET)
    if receipts:
        received = np.fromiter(receipts, dtype=np.int64, count=len(receipts))
        facts = np.fromiter(
            chain.from_iterable(receipts.values()), dtype=float, count=2 * len(receipts)
        ).reshape(-1, 2)
        net_before[received] = facts[:, 0]
        lost_before[received] = facts[:, 1]
    return pd.DataFrame(
        {
            "sku": pd.Categorical.from_codes(column["sku"].astype(np.int32), skus),
            "ordered": column["ordered"],
            "arrives": column["arrives"],
            "quantity": column["quantity"].astype(np.int64),
            "emergency": column["emergency"].astype(bool),
            "net_before": net_before,
            "lost_before": lost_before,
        },
        copy=False,
    )


def levels_frame(log: LevelLog, skus: list[str]) -> pd.DataFrame:
    column = log.columns()
    return pd.DataFrame(
        {
            "time": column["time"],
            "sku": pd.Categorical.from_codes(column["sku"].astype(np.int32), skus),
            "on_hand": column["on_hand"].astype(np.int64),
            "backorders": column["backorders"].astype(np.int64),
        },
        copy=False,
    )


def until(times: list[float], horizon: float) -> np.ndarray:
    values = np.asarray(times, dtype=float)
    values[values > horizon] = NOT_YET
    return values


def codes(sparse: dict[int, int], count: int, missing: int = 0) -> np.ndarray:
    codes = np.full(count, missing, dtype=np.int64)
    if sparse:
        codes[list(sparse)] = list(sparse.values())
    return codes


def flags(marked: set[int], count: int) -> np.ndarray:
    flags = np.zeros(count, dtype=bool)
    flags[list(marked)] = True
    return flags


def _records(rows: list[Any], names: tuple[str, ...]) -> dict[str, list[Any]]:
    """The named fields of records, as one list per field."""
    return {name: [getattr(row, name) for row in rows] for name in names}


def _after(times: list[float], horizon: float | None) -> np.ndarray:
    """Times after the horizon have not happened yet."""
    values = np.asarray(times, dtype=float)
    if horizon is not None:
        values[values > horizon] = NOT_YET
    return values


def complaints_frame(rows: list[Complaint], horizon: float | None = None) -> pd.DataFrame:
    names = ("order", "opened", "started", "resolved", "claim", "compensation")
    table = _records(rows, names)
    return pd.DataFrame(
        {
            "order": np.asarray(table["order"], dtype=np.int64),
            "opened": _after(table["opened"], horizon),
            "started": np.asarray(table["started"], dtype=float),
            "resolved": np.asarray(table["resolved"], dtype=float),
            "claim": np.asarray(table["claim"], dtype=bool),
            "compensation": np.asarray(table["compensation"], dtype=float),
        }
    )


def returns_frame(rows: list[Return], horizon: float | None = None) -> pd.DataFrame:
    names = ("order", "reason", "requested", "received", "restocked", "replacement")
    table = _records(rows, names)
    return pd.DataFrame(
        {
            "order": np.asarray(table["order"], dtype=np.int64),
            "reason": pd.Categorical(table["reason"], categories=RETURN_REASONS),
            "requested": _after(table["requested"], horizon),
            "received": _after(table["received"], horizon),
            "restocked": np.asarray(table["restocked"], dtype=bool),
            "replacement": np.asarray(table["replacement"], dtype=np.int64),
        }
    )


def visits_frame(rows: list[Visit], horizon: float | None = None) -> pd.DataFrame:
    names = ("order", "kind", "requested", "started", "travel", "finished", "snag")
    table = _records(rows, names)
    return pd.DataFrame(
        {
            "order": np.asarray(table["order"], dtype=np.int64),
            "kind": pd.Categorical(table["kind"], categories=VISIT_KINDS),
            "requested": np.asarray(table["requested"], dtype=float),
            "started": np.asarray(table["started"], dtype=float),
            "travel": np.asarray(table["travel"], dtype=float),
            "finished": np.asarray(table["finished"], dtype=float),
            "snag": np.asarray(table["snag"], dtype=bool),
        }
    )


def restocks_frame(log: RestockLog, skus: list[str]) -> pd.DataFrame:
    column = log.columns()
    return pd.DataFrame(
        {
            "time": column["time"],
            "sku": pd.Categorical.from_codes(column["sku"].astype(np.int32), skus),
            "units": column["units"].astype(np.int64),
        }
    )


def customers_frame(bases: list[CustomerFacts], segments: list[str]) -> pd.DataFrame:
    """Customers of every base: segment, customer, joined, left, orders, trust, glitches."""
    frames = []
    for base in bases:
        gone = np.full(len(base.joined), NOT_YET)
        if base.left:
            gone[list(base.left)] = list(base.left.values())
        frames.append(
            pd.DataFrame(
                {
                    "segment": base.segment,
                    "customer": np.arange(len(base.joined)),
                    "joined": np.asarray(base.joined, dtype=float),
                    "left": gone,
                    "orders": np.asarray(base.orders, dtype=np.int64),
                    "trust": np.asarray(base.trust, dtype=float),
                    "glitches": np.asarray(base.glitches, dtype=float),
                    "experiences": np.asarray(base.experiences, dtype=np.int64),
                }
            )
        )
    if not frames:
        empty: dict[str, list[float]] = {
            "segment": [],
            "customer": [],
            "joined": [],
            "left": [],
            "orders": [],
        }
        frames.append(
            pd.DataFrame({**empty, "trust": [], "glitches": [], "experiences": []}).astype(
                {"customer": np.int64, "orders": np.int64, "joined": float, "left": float}
                | {"trust": float, "glitches": float, "experiences": np.int64}
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table["segment"] = pd.Categorical(table["segment"], categories=segments)
    return table


def judgements_frame(log: JudgementLog) -> pd.DataFrame:
    column = log.columns()
    return pd.DataFrame({**column, "order": column["order"].astype(np.int64)})
