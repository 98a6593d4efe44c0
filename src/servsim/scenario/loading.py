"""Reading scenario files: YAML in, a validated Scenario out, or every problem with its line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from servsim.scenario.documents import plain, read_document, validate_document
from servsim.scenario.schema import Scenario


def load_scenario(source: str | os.PathLike[str] | Mapping[str, Any]) -> Scenario:
    """Load a scenario from a YAML file or a mapping, reporting all its problems at once."""
    if isinstance(source, Mapping):
        return validate_document(plain(source), Scenario, file=None, lines={})
    path = Path(source)
    document, lines, problems = read_document(path, Scenario)
    return validate_document(
        document, Scenario, file=str(source), lines=lines, source_path=path, problems=problems
    )
