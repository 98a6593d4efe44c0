"""Experiments: replications, confidence intervals (sweeps and the frontier build on these)."""

from servsim.experiment.confidence import summarize

__all__ = ["summarize"]
