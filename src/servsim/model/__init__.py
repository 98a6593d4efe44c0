"""The simulation kernel: a SimPy world built from a Scenario that runs and hands back a RunLog."""

from servsim.model.runlog import RunLog
from servsim.model.world import World, run_replication

__all__ = ["RunLog", "World", "run_replication"]
