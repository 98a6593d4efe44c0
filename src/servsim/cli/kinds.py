"""Which kind of file the user gave: a scenario, or an experiment (a sweep's or a search's).

Told from the file's top-level keys alone, before the file is loaded, so that ``servsim run``
given an experiment (or ``sweep`` given a scenario) says in one line which command fits,
instead of a dozen missing-key and unknown-key problems.
"""

from __future__ import annotations

import re
from pathlib import Path

from servsim.core.errors import ScenarioError

_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]|$)", re.MULTILINE)
"""A key at the start of a line, not indented: a key of the top-level mapping."""

SCENARIO_KEYS = frozenset({"products", "demand", "processing", "delivery", "stocking"})
"""Keys only a scenario has at its top level."""
EXPERIMENT_KEYS = frozenset({"parameters", "search", "design"})
"""Keys only an experiment has at its top level."""


def file_kind(path: Path) -> tuple[str | None, set[str]]:
    """ "scenario", "experiment" or None (unreadable, or neither: the loader explains), and
    the top-level keys found."""
    from servsim.scenario.reading import read_text  # bounded: size, regular files only

    try:
        text = read_text(path, "scenario or experiment")
    except ScenarioError:
        return None, set()
    keys = set(_TOP_KEY.findall(text))
    experiment = bool(keys & EXPERIMENT_KEYS) and "scenario" in keys
    scenario = len(keys & SCENARIO_KEYS) >= 2
    if experiment and not scenario:
        return "experiment", keys
    if scenario and not experiment:
        return "scenario", keys
    return None, keys
