"""SupplyNetPy's side of bench_supplynetpy.py: run in SupplyNetPy's own virtual environment.

One retailer fed by an unlimited supplier, (s, S) = (40, 100), a constant 2-day lead time,
lost sales (customers with no tolerance), Poisson orders of one unit at 20 a day. Prints one
JSON line: orders, seconds (network built and simulated), units sold and the unit fill rate.
"""

import json
import random
import sys
import time

import SupplyNetPy.Components as scm

DAYS = float(sys.argv[1]) if len(sys.argv) > 1 else 3650.0
PRICE = 20
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
orders = 0


def next_order() -> float:
    global orders
    orders += 1
    return random.expovariate(20.0)


began = time.perf_counter()
net = scm.create_sc_net(
    nodes=[
        {"ID": "S1", "name": "Supplier", "node_type": "infinite_supplier"},
        {
            "ID": "R1",
            "name": "Retailer",
            "node_type": "retailer",
            "capacity": 100,
            "initial_level": 100,
            "inventory_holding_cost": 0.1,
            "replenishment_policy": scm.SSReplenishment,
            "policy_param": {"s": 40, "S": 100},
            "product_buy_price": 10,
            "product_sell_price": PRICE,
        },
    ],
    links=[{"ID": "L1", "source": "S1", "sink": "R1", "cost": 5, "lead_time": lambda: 2}],
    demands=[
        {
            "ID": "d1",
            "name": "Customers",
            "order_arrival_model": next_order,
            "order_quantity_model": lambda: 1,
            "demand_node": "R1",
        }
    ],
)
figures = scm.simulate_sc_net(net, sim_time=DAYS, logging=False)
seconds = time.perf_counter() - began
sold = figures["revenue"] / PRICE
print(json.dumps({"orders": orders, "seconds": seconds, "sold": sold, "fill": sold / orders}))
