"""A cheap stand-in for the simulation: KPI means interpolated between the points tried.

A thin-plate spline with a linear trend (scipy's RBFInterpolator), smoothed because the means
are noisy: with 1 to 4 parameters and tens of points it fits in milliseconds, follows the
monotone trends service KPIs usually have, and tells the search where the boundary of the
standards and the low-cost region probably are. It only proposes points: every decision on
a point is taken on that point's own runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.interpolate import RBFInterpolator

from servsim.search.evidence import Evidence
from servsim.search.lattice import Lattice

SMOOTHING = 1e-3
"""Spline smoothing on KPIs scaled to unit spread: follows the trend, not every wiggle."""


class Surrogate:
    """One smoothed spline per KPI over the unit cube of the searched parameters."""

    def __init__(self, coordinates: np.ndarray, means: Mapping[str, np.ndarray]) -> None:
        self._fits: dict[str, tuple[RBFInterpolator | None, float, float]] = {}
        for kpi, values in means.items():
            values = np.asarray(values, dtype=float)
            known = np.isfinite(values)
            if not known.any():
                self._fits[kpi] = (None, np.nan, 1.0)
                continue
            centre = float(values[known].mean())
            spread = float(values[known].std()) or 1.0
            scaled = (values[known] - centre) / spread
            self._fits[kpi] = (_fit(coordinates[known], scaled), centre, spread)

    def predict(self, coordinates: np.ndarray) -> dict[str, np.ndarray]:
        """Each KPI's predicted mean at each row of ``coordinates``."""
        predicted = {}
        for kpi, (fit, centre, spread) in self._fits.items():
            scaled = fit(coordinates) if fit is not None else np.zeros(len(coordinates))
            predicted[kpi] = centre + spread * scaled
        return predicted


def _fit(coordinates: np.ndarray, values: np.ndarray) -> RBFInterpolator | None:
    """The spline, or a simpler one when there are too few points for a linear trend."""
    unique = len(np.unique(coordinates, axis=0))
    if unique < 2:
        return None
    if unique > coordinates.shape[1]:
        try:
            return RBFInterpolator(
                coordinates, values, kernel="thin_plate_spline", degree=1, smoothing=SMOOTHING
            )
        except (ValueError, np.linalg.LinAlgError):
            pass  # the points lie on a line or plane: no linear trend to fit
    return RBFInterpolator(coordinates, values, kernel="linear", degree=0, smoothing=SMOOTHING)


def fitted(
    evidence: Evidence, lattice: Lattice, points: Sequence[int], kpis: Sequence[str]
) -> Surrogate:
    """The surrogate of ``kpis`` fitted to the search-run means of ``points``."""
    means = {kpi: np.array([evidence.mean(point, kpi) for point in points]) for kpi in kpis}
    return Surrogate(lattice.coordinates(lattice.index_of(point) for point in points), means)
