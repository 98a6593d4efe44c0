"""The ground floor: errors a planner can act on, time units, the KPI catalogue, formats.

Nothing here knows of scenarios, the simulation or the command line; every other layer may
import from it.
"""
