"""Write the example order history scenarios/data/webshop_orders.csv (synthetic, anonymous).

Thirteen weeks (Monday 6 January to Sunday 6 April 2025) of a small web shop's orders, one row
per order line, in local time (Europe/Amsterdam, timestamps without an offset): about 40
orders a day, busiest on Monday and in the evening, quietest on Saturday, none between 1:00
and 7:00; 7 lines in 10 are for sku A; one order in five has a second line; units per line
are Poisson with mean 1.2, never 0. Order ids and customer ids are random codes, so nothing
in the file comes from a real shop. Run it again to regenerate the same file (seed 16):

    python scripts/make_order_history.py
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "scenarios" / "data" / "webshop_orders.csv"
START = datetime(2025, 1, 6)
DAYS = 91
PER_DAY = 40.0
HOUR = np.asarray(
    [0.3, 0.1, 0, 0, 0, 0, 0, 0.4, 0.8, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.0, 1.0, 1.1, 1.3, 1.6]
    + [1.9, 2.0, 1.6, 0.8]
)
WEEKDAY = np.asarray([1.3, 1.1, 1.0, 1.0, 1.0, 0.7, 0.9])


def main() -> None:
    rng = np.random.default_rng(16)
    hourly = HOUR / HOUR.sum() * PER_DAY
    rows = []
    for day in range(DAYS):
        for hour in range(24):
            mean = hourly[hour] * WEEKDAY[day % 7]
            for _ in range(rng.poisson(mean)):
                placed = START + timedelta(
                    days=day, hours=hour, seconds=float(rng.uniform(0, 3600))
                )
                order = f"W{rng.integers(16**7, 16**8):08X}"
                customer = f"C{rng.integers(0, 1500):05d}"
                first = "A" if rng.uniform() < 0.7 else "B"
                skus = [first] + (["B" if first == "A" else "A"] if rng.uniform() < 0.2 else [])
                for sku in skus:
                    quantity = 0
                    while quantity == 0:
                        quantity = int(rng.poisson(1.2))
                    rows.append(
                        (placed.strftime("%Y-%m-%d %H:%M:%S"), order, customer, sku, quantity)
                    )
    rows.sort()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["created_at", "order_id", "customer", "sku", "quantity"])
        writer.writerows(rows)
    print(f"wrote {len(rows):,} order lines to {OUT}")


if __name__ == "__main__":
    main()
