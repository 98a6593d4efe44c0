"""The KPI catalogue: every figure servsim reports, what it means, and how to read it.

One entry per KPI (name, group, kind, better direction, whether it is measured per customer
segment, a one-line definition). Tables, standards, report styles, the docs' KPI reference and
the check that every computed KPI is listed all read this list, so adding a KPI is one entry
here plus its computation in ``servsim.kpis``.

The record itself is ``servsim.core.kpi``; the lookups by column name and the named sets of
KPIs (rates, durations, cost terms, ...) are ``servsim.core.kpi_columns``; the parts of the
business a scenario may leave out, and their KPIs, are ``servsim.core.stages``.
"""

from __future__ import annotations

from dataclasses import replace

from servsim.core.kpi import Better, Kind, Kpi
from servsim.core.stages import STAGE_OF

AVAILABILITY = "Availability"
TIME = "Time and reliability"
AFTER_SALE = "After the sale"
SATISFACTION = "Satisfaction"
CUSTOMERS = "Customers"
PROFIT = "Profit"
COST = "Cost"
NETWORK = "Network"
VOLUME = "Volume"


def _group(
    group: str, kind: Kind, better: Better, per_segment: bool, entries: list[tuple[str, str]]
) -> list[Kpi]:
    return [Kpi(name, group, kind, better, text, per_segment) for name, text in entries]


def _cost_terms(entries: list[tuple[str, str]]) -> list[Kpi]:
    return [Kpi(name, COST, "money", "lower", text, part_of="cost_total") for name, text in entries]


CATALOGUE: tuple[Kpi, ...] = (
    # --- availability ---------------------------------------------------------------------
    *_group(
        AVAILABILITY,
        "rate",
        "higher",
        True,
        [
            (
                "unit_fill_rate",
                "units filled from stock on hand when the order arrived / units demanded",
            ),
            ("line_fill_rate", "order lines filled completely from stock on arrival / lines"),
            ("order_fill_rate", "orders with every line filled from stock on arrival / orders"),
        ],
    ),
    Kpi(
        "ready_rate",
        AVAILABILITY,
        "rate",
        "higher",
        "share of time with stock on hand, weighted by each sku's share of order lines",
    ),
    Kpi(
        "cycle_service_level",
        AVAILABILITY,
        "rate",
        "higher",
        "replenishment cycles (arrival to arrival) without a stock-out / cycles",
    ),
    *_group(
        AVAILABILITY,
        "count",
        "neither",
        False,
        [("avg_on_hand", "time-average of units on hand, all skus together")],
    ),
    *_group(
        AVAILABILITY,
        "count",
        "lower",
        False,
        [("avg_backorders", "time-average of units backordered, all skus together")],
    ),
    Kpi(
        "lost_sales_rate",
        AVAILABILITY,
        "rate",
        "lower",
        "units lost (not on hand, not backordered) / units demanded",
        per_segment=True,
    ),
    *_group(
        AVAILABILITY,
        "rate",
        "neither",
        False,
        [
            ("substitution_rate", "units served by a substitute sku / units demanded"),
            ("substituted_order_rate", "orders with a substituted line / orders"),
        ],
    ),
    *_group(
        AVAILABILITY,
        "rate",
        "lower",
        False,
        [
            ("postponed_rate", "orders whose customer accepted a later date on a stock-out"),
            (
                "cancelled_rate",
                "orders cancelled by their customer: a later date refused, or "
                "a backorder that outlasted the customer's patience",
            ),
        ],
    ),
    *_group(
        AVAILABILITY,
        "duration",
        "lower",
        False,
        [
            (
                "stock_wait_mean",
                "mean time from placing an order until all its units are "
                "allocated (0 when filled at once)",
            ),
            ("avg_backorder_delay", "mean time from order to allocation per backordered unit"),
        ],
    ),
    # --- time and reliability ---------------------------------------------------------------
    *_group(
        TIME,
        "duration",
        "lower",
        True,
        [
            ("cycle_mean", "mean order cycle time: placement to delivery of the last unit"),
            ("cycle_p50", "median order cycle time"),
            ("cycle_p90", "90th percentile of order cycle time"),
            ("cycle_p95", "95th percentile of order cycle time"),
            ("cycle_p99", "99th percentile of order cycle time"),
            ("cycle_sd", "standard deviation of order cycle time (delivery consistency)"),
            ("cycle_spread", "95th minus 5th percentile of order cycle time (consistency)"),
        ],
    ),
    *_group(
        TIME,
        "rate",
        "higher",
        True,
        [
            ("on_time_rate", "delivered orders whose last unit came by the promise / delivered"),
            ("otif", "orders delivered in full by the promise / orders whose outcome is known"),
            (
                "perfect_order_rate",
                "orders on time, in full, undamaged, with the right items "
                "and invoice / orders whose outcome is known",
            ),
        ],
    ),
    *_group(
        TIME,
        "rate",
        "lower",
        True,
        [
            ("expedited_rate", "orders with a shipment upgraded to a faster mode / orders"),
            ("damage_rate", "delivered orders with a shipment damaged in transit / delivered"),
            ("wrong_item_rate", "orders entered with a wrong item / orders"),
            ("invoice_error_rate", "orders entered with a wrong invoice / orders"),
        ],
    ),
    *_group(
        TIME,
        "duration",
        "lower",
        True,
        [
            (
                "processing_time",
                "mean time a clerk worked on a shipment (the scenario's processing time, "
                "entry time included)",
            ),
            ("processing_wait", "mean time a released shipment queued for a clerk"),
            (
                "processing_lead_time",
                "mean time from release to processing until ready to ship: the wait for a "
                "clerk plus the work",
            ),
        ],
    ),
    Kpi(
        "staff_utilisation",
        TIME,
        "rate",
        "neither",
        "clerk time spent processing / clerk time scheduled",
    ),
    # --- after the sale ----------------------------------------------------------------------
    *_group(
        AFTER_SALE,
        "rate",
        "lower",
        True,
        [
            ("complaint_rate", "complaints / delivered orders"),
            ("claim_rate", "complaints claiming compensation / delivered orders"),
            ("return_rate", "returns / delivered orders"),
        ],
    ),
    *_group(
        AFTER_SALE,
        "duration",
        "lower",
        True,
        [
            ("resolution_time_mean", "mean time from a complaint to its resolution"),
            ("resolution_time_p90", "90th percentile of complaint resolution time"),
        ],
    ),
    Kpi(
        "notified_delay_rate",
        AFTER_SALE,
        "rate",
        "higher",
        "late orders whose customer was told before the promise passed / late orders",
        per_segment=True,
    ),
    Kpi(
        "notices_per_order",
        AFTER_SALE,
        "count",
        "neither",
        "status notices sent / orders",
        per_segment=True,
    ),
    Kpi(
        "install_wait_mean",
        AFTER_SALE,
        "duration",
        "lower",
        "mean time from delivery to a technician on site, for orders that need installation",
        per_segment=True,
    ),
    *_group(
        AFTER_SALE,
        "rate",
        "lower",
        True,
        [
            ("snag_rate", "installed orders that needed another visit / installed orders"),
            ("repair_rate", "warranty repairs / delivered orders"),
        ],
    ),
    # --- satisfaction and customers ------------------------------------------------------------
    Kpi(
        "satisfaction_mean",
        SATISFACTION,
        "score",
        "higher",
        "mean per-order satisfaction score on [0, 1]",
        per_segment=True,
    ),
    Kpi(
        "satisfied_share",
        SATISFACTION,
        "rate",
        "higher",
        "orders scoring at or above their segment's threshold / orders scored",
        per_segment=True,
    ),
    # --- customers ----------------------------------------------------------------------------
    Kpi(
        "retention_rate",
        CUSTOMERS,
        "rate",
        "higher",
        "customers active when the warm-up ended who are still active at the end / those customers",
    ),
    Kpi(
        "customer_base_growth",
        CUSTOMERS,
        "change",
        "higher",
        "customers active at the end / customers active when the warm-up ended, minus 1 "
        "(churn against acquisition)",
    ),
    *_group(
        CUSTOMERS,
        "count",
        "lower",
        False,
        [
            ("churned_customers", "customers who stopped ordering within the measured window"),
            (
                "demand_lost_to_churn",
                "orders churned customers would still have placed in the run, at their last "
                "order rate",
            ),
        ],
    ),
    Kpi(
        "repeat_order_rate",
        CUSTOMERS,
        "rate",
        "higher",
        "customers who ordered again in the window / customers who ordered in it",
    ),
    Kpi(
        "inter_order_time_mean",
        CUSTOMERS,
        "duration",
        "lower",
        "mean time between consecutive orders of one customer in the window",
    ),
    Kpi(
        "orders_per_customer",
        CUSTOMERS,
        "count",
        "higher",
        "orders in the window / customers who ordered in it",
    ),
    Kpi(
        "spend_per_customer",
        CUSTOMERS,
        "money",
        "higher",
        "revenue of the window's orders / customers who ordered in it",
    ),
    Kpi(
        "net_promoter_score",
        CUSTOMERS,
        "balance",
        "higher",
        "share of active customers who would recommend the firm (trust >= 0.9) minus the "
        "share who would speak against it (trust < 0.7), at the end, among those who have "
        "judged the service",
    ),
    Kpi(
        "satisfied_customers",
        CUSTOMERS,
        "rate",
        "higher",
        "active customers whose trust is at or above their segment's satisfaction threshold "
        "at the end / active customers who have judged the service",
    ),
    Kpi(
        "trust_mean",
        CUSTOMERS,
        "score",
        "higher",
        "mean trust (0..1) at the end of the active customers who have judged the service: "
        "their memory of it",
    ),
    Kpi(
        "customer_lifetime_value",
        CUSTOMERS,
        "money",
        "higher",
        "a customer's gross margin per year / (its chance of leaving per year + the cost of "
        "capital)",
        signed=True,
    ),
    # --- profit --------------------------------------------------------------------------------
    Kpi("revenue", PROFIT, "money", "higher", "price of every unit the window's orders got"),
    Kpi(
        "gross_margin",
        PROFIT,
        "money",
        "higher",
        "revenue - unit cost of the units sold",
        signed=True,
    ),
    Kpi(
        "profit",
        PROFIT,
        "money",
        "higher",
        "gross margin - every cost paid in the window (all cost terms but purchases, lost "
        "margin and goodwill)",
        signed=True,
    ),
    Kpi("profit_per_order", PROFIT, "money", "higher", "profit / orders counted", signed=True),
    # --- network (NaN without one) ---------------------------------------------------
    Kpi(
        "transshipment_rate",
        NETWORK,
        "rate",
        "lower",
        "share of order lines served by moving units from another location to the primary",
    ),
    Kpi(
        "primary_share",
        NETWORK,
        "rate",
        "higher",
        "share of orders served wholly from their region's primary location, none transshipped",
    ),
    Kpi(
        "supplier_on_time",
        NETWORK,
        "rate",
        "higher",
        "share of supplier orders that arrived within their lead time (none late, none held "
        "by capacity or an outage)",
    ),
    Kpi(
        "supplier_in_full",
        NETWORK,
        "rate",
        "higher",
        "share of supplier orders that arrived with every unit ordered",
    ),
    Kpi("supplier_otif", NETWORK, "rate", "higher", "share of supplier orders on time and in full"),
    Kpi(
        "supplier_availability",
        NETWORK,
        "rate",
        "higher",
        "share of the window the suppliers were not in an outage (averaged over suppliers)",
    ),
    Kpi(
        "disruption_time",
        NETWORK,
        "duration",
        "lower",
        "time the suppliers spent in outages in the window (added over suppliers)",
    ),
    # --- cost --------------------------------------------------------------------------------
    *_cost_terms(
        [
            ("cost_holding", "unit cost x holding rate x time-average units on hand"),
            ("cost_ordering", "order cost per replenishment order placed"),
            ("cost_emergency", "emergency orders: their order cost and unit premium"),
            ("cost_purchase", "unit cost of the units ordered"),
            ("cost_processing_labour", "clerks' wage for the time scheduled"),
            ("cost_overtime", "overtime wage for clerk time worked beyond the schedule"),
            ("cost_transport", "cost per shipment at each shipment's planned carrier mode"),
            ("cost_expedite", "extra cost of shipments upgraded to a faster mode"),
            ("cost_damage", "cost per shipment damaged in transit"),
            ("cost_backorder_penalty", "penalty per unit per day backordered"),
            ("cost_lost_margin", "margin (price - unit cost) of the units lost"),
            ("cost_lost_sale_penalty", "penalty per unit lost, on top of its margin"),
            ("cost_substitution", "price concessions on substituted units"),
            ("cost_legs", "network: units shipped x cost per unit of their location's leg"),
            ("cost_transshipment", "network: units transshipped x cost per unit"),
            (
                "cost_returns_claims",
                "compensation, reverse transport, scrapped goods, margin refunded and repair parts",
            ),
            ("cost_aftercare_labour", "wage of support staff and technicians scheduled"),
            ("cost_service_programs", "customer education programmes and status notices"),
            (
                "cost_guarantee",
                "delivery guarantee refunds: the share of a late order's value paid back",
            ),
            (
                "cost_credit",
                "receivables financed at the cost of capital for the days customers take to "
                "pay, and bad debts",
            ),
            (
                "cost_goodwill",
                "future margin lost over the value horizon: orders churned customers would have "
                "placed, and orders customers now place less often than at the start",
            ),
        ]
    ),
    Kpi("cost_total", COST, "money", "lower", "every cost term added up"),
    Kpi("cost_per_order", COST, "money", "lower", "cost_total / orders counted"),
    # --- volume ------------------------------------------------------------------------------
    Kpi(
        "orders",
        VOLUME,
        "count",
        "neither",
        "orders placed in the measured window (after the warm-up)",
        per_segment=True,
    ),
)
"""Every KPI of a run, in the order the tables show them."""
# each KPI stamped with the part of the business it measures (``servsim.core.stages``)
CATALOGUE = tuple(replace(kpi, stage=STAGE_OF.get(kpi.name)) for kpi in CATALOGUE)
