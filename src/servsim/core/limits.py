"""Bounds the command line states in its options before any scenario is read.

They live here, at the ground floor, so that ``servsim --help`` can build its options without
importing the scenario layer (pydantic, numpy); ``servsim.scenario.fields`` uses the same values.
"""

from __future__ import annotations

MOST_REPLICATIONS = 100_000
"""Replications of one scenario or one point: far beyond what any interval needs."""

MOST_SEED = 2**63 - 1
"""A seed is stored as a 64-bit integer (results tables, manifests)."""

GROUPINGS = ("segment", "channel", "sku")
"""What KPIs can be broken down by (``servsim run --by``, ``Results.kpis_by``)."""
