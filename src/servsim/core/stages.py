"""The parts of the business a scenario may leave out, and the KPIs that measure each.

A scenario without complaints, returns or a network has no figure of them to report: their
KPIs are NaN there, not 0. The catalogue (``servsim.core.catalogue``) stamps each KPI with its
stage from ``STAGE_OF``; the scenario says which stages it models.
"""

from __future__ import annotations

STAGES: dict[str, str] = {
    "complaints": "complaints (a complaints: section)",
    "returns": "returns (a returns: section)",
    "installation": "installation by technicians (a product with install: true)",
    "repairs": "warranty repairs (a product with a warranty)",
    "notices": "status notices (notices: a policy other than none)",
    "substitution": "substitutes offered on a stock-out (stocking.substitutes)",
    "postponement": "later dates offered on a stock-out (the stock-out rule postpone)",
    "expediting": "late shipments upgraded (delivery.expedite)",
    "network": "a network of stock locations (a network: section)",
}
"""The parts of the business a scenario may leave out, and what models each. A KPI of a part
the scenario lacks is NaN (shown as ``-``); a modelled part with no events in a run is 0.
Cost terms stay 0 when their part is absent: nothing is spent on it, and the terms add up to
``cost_total``."""

STAGE_OF: dict[str, str] = {
    "complaint_rate": "complaints",
    "claim_rate": "complaints",
    "resolution_time_mean": "complaints",
    "resolution_time_p90": "complaints",
    "return_rate": "returns",
    "install_wait_mean": "installation",
    "snag_rate": "installation",
    "repair_rate": "repairs",
    "notified_delay_rate": "notices",
    "notices_per_order": "notices",
    "substitution_rate": "substitution",
    "substituted_order_rate": "substitution",
    "postponed_rate": "postponement",
    "expedited_rate": "expediting",
    "transshipment_rate": "network",
    "primary_share": "network",
    "supplier_on_time": "network",
    "supplier_in_full": "network",
    "supplier_otif": "network",
    "supplier_availability": "network",
    "disruption_time": "network",
}
"""The stage of each KPI that measures a part a scenario may leave out (the others have none)."""
