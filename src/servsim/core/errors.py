"""Errors a planner can act on: file, line, field, what is wrong and what is allowed.

A Problem names the file, the line, the data path as written in the file and what is wrong;
``servsim.core.validation`` turns pydantic's validation errors into Problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
"""A place in a document: keys of mappings and indices of lists, from the top."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located well enough to be fixed without a debugger."""

    file: str | None
    line: int | None
    path: str
    message: str
    note: str = ""
    """What else was in play (the overrides applied), said after the message."""

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
        elif self.line is not None:
            where = f"line {self.line}"
        said = self.message + (f" ({self.note})" if self.note else "")
        return ": ".join([part for part in (where, self.path) if part] + [said])


MOST_SHOWN = 20
"""Problems said one per line; the rest are counted on one more line (a file of 10,000 typos
gets 21 lines, not 10,000)."""


class ScenarioError(Exception):
    """Raised for bad scenario input; carries every problem found, so all are fixed in one pass."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        shown = [str(problem) for problem in self.problems[:MOST_SHOWN]]
        more = len(self.problems) - MOST_SHOWN
        if more > 0:
            files = [problem.file for problem in self.problems if problem.file is not None]
            where = f"{files[0]}: " if files else ""
            shown.append(f"{where}and {more:,} more problems; fix the ones above first")
        return "\n".join(shown)


def dotted(path: Sequence[str | int]) -> str:
    """Show a data path the way users write it in overrides: ``stocking.items.A.S``."""
    return ".".join(str(key) for key in path)


def show(value: Any) -> str:
    """A value as a user would recognise it from their file."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def line_of(path: Sequence[str | int], lines: Mapping[Path, int]) -> int | None:
    """The line of the deepest part of ``path`` that the file contains."""
    for depth in range(len(path), -1, -1):
        line = lines.get(tuple(path[:depth]))
        if line is not None:
            return line
    return None


def sorted_by_line(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in the order they appear in the file; unlocated ones last."""
    return sorted(problems, key=lambda problem: (problem.line is None, problem.line or 0))
