"""Order processing: a pool of clerks serving shipments first come, first served.

Shipments are released in time order, so the FIFO c-server queue is computed exactly by the
Kiefer-Wolfowitz recursion (start = max(release, earliest free clerk)) without scheduling
events: the same waiting times as a SimPy Resource at a fraction of the cost.
"""

from __future__ import annotations

import heapq


class ClerkPool:
    """``staff`` identical clerks; each shipment goes to the clerk free first."""

    def __init__(self, staff: int) -> None:
        self.staff = staff
        self._free_at = [0.0] * staff

    def serve(self, now: float, duration: float) -> tuple[float, float]:
        """Start and end of a job released at ``now`` needing ``duration`` of a clerk."""
        free_at = self._free_at
        start = free_at[0] if free_at[0] > now else now
        end = start + duration
        heapq.heapreplace(free_at, end)
        return start, end


class NoProcessing:
    """``processing: none``: shipments are ready the moment they are released."""

    staff = 0

    def serve(self, now: float, duration: float) -> tuple[float, float]:
        return now, now
