"""Dotted-path overrides (``"processing.staff": 4``): applied to the raw document, then validated.

Working on the document as written, not on the validated models, means overrides accept the
same forms as files (``"24h"``) and every cross-check of the schema runs again.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from servsim.core.errors import Problem, ScenarioError, dotted, show
from servsim.core.validation import accepts_key, keys_allowed_at, unknown_key_message
from servsim.scenario.documents import plain, validate_document

Document = TypeVar("Document", bound=BaseModel)
"""A validated document (a Scenario) that keeps what it was validated from."""


def apply_overrides(scenario: Document, overrides: Mapping[str, Any]) -> Document:
    """Return a new scenario with each dotted path set to its value; ``scenario`` is unchanged."""
    model = type(scenario)
    written: dict[str, Any] | None = getattr(scenario, "_source", None)
    document = copy.deepcopy(written) if written is not None else scenario.model_dump(by_alias=True)
    problems: list[Problem] = []
    for path, value in overrides.items():
        problem = _set(document, str(path), plain(value), model)
        if problem is not None:
            problems.append(problem)
    if problems:
        raise ScenarioError(problems)
    source_path: Path | None = getattr(scenario, "_source_path", None)
    try:
        return validate_document(
            document,
            model,
            file=None if source_path is None else str(source_path),
            lines=getattr(scenario, "_lines", {}),
            source_path=source_path,
        )
    except ScenarioError as error:
        raise ScenarioError([_unlocated(p, overrides) for p in error.problems]) from None


def _unlocated(problem: Problem, overrides: Mapping[str, Any]) -> Problem:
    """Point a problem at the override that caused it: inside one, no file line applies."""
    for path in overrides:
        if problem.path == path or problem.path.startswith(f"{path}."):
            return dataclasses.replace(problem, file=None, line=None)
    around = [
        f"{path} = {show(value)}"
        for path, value in overrides.items()
        if not problem.path or path.startswith(f"{problem.path}.")
    ]
    if around:
        return dataclasses.replace(problem, note=f"with override {', '.join(around)}")
    return problem


def _set(document: dict[str, Any], path: str, value: Any, model: type[BaseModel]) -> Problem | None:
    """Set ``value`` at the dotted ``path``; a Problem when the schema has no such place."""
    keys = path.split(".")
    if not all(keys):
        return Problem(None, None, path, "expected a dotted path such as processing.staff")
    node: Any = document
    walked: list[str | int] = []
    for position, key in enumerate(keys):
        last = position == len(keys) - 1
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                return Problem(
                    None,
                    None,
                    path,
                    f"{dotted(walked)} is a list with entries 0 to {len(node) - 1}, got {key!r}",
                )
            step: str | int = int(key)
        elif isinstance(node, dict):
            step = key
            if key not in node and key.lstrip("-").isdigit() and int(key) in node:
                step = int(key)
            elif key not in node and not last and (missing := _missing_entry(walked, node, key)):
                return Problem(None, None, path, missing)
            elif key not in node and not accepts_key(model, walked, document, key):
                allowed = keys_allowed_at(model, walked, document) or []
                return Problem(None, None, path, unknown_key_message(key, allowed))
        else:
            return Problem(
                None, None, path, f"{dotted(walked)} is a single value, not a section with keys"
            )
        if last:
            node[step] = value
            return None
        if isinstance(node, dict) and node.get(step) is None:
            node[step] = {}
        node = node[step]
        walked.append(step)
    return None


_NAMED_ENTRIES = {
    ("network", "locations"): "location",
    ("network", "regions"): "region",
    ("network", "suppliers"): "supplier",
    ("network", "locations", None, "items"): "sku",
    ("network", "regions", None, "legs"): "leg",
}
"""Tables of the network whose entries are named by the file: a dotted path into an entry the
network lacks is a mistaken name (``network.locations.DC.items.A.S`` where the DC is ``dc``),
not a new entry (a whole new entry, ``network.locations.east_wh: {...}``, may still be added)."""


def _missing_entry(walked: list[str | int], node: dict[Any, Any], key: str) -> str | None:
    """Why ``key`` names no entry of the network's table at ``walked``; None when not one."""
    for table, kind in _NAMED_ENTRIES.items():
        if len(table) == len(walked) and all(
            part is None or part == step for part, step in zip(table, walked, strict=True)
        ):
            names = [str(name) for name in node]
            if not names:
                return f"{dotted(walked)} has no {kind} {key!r}: it has none"
            case = [name for name in names if name.lower() == key.lower()]
            hint = case or difflib.get_close_matches(key, names, n=1)
            said = f" (did you mean {hint[0]!r}?)" if hint else ""
            return f"{dotted(walked)} has no {kind} {key!r}{said}; it has {', '.join(names)}"
    return None
