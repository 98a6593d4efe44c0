"""The results folder of a sweep: manifest, every completed chunk of runs, the summary.

Each chunk is written as its own Parquet file the moment it completes, under a temporary name
and then renamed, so a stopped sweep loses no completed run and never leaves half a file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from servsim.core.errors import Problem, ScenarioError

MANIFEST = "manifest.json"
RUNS = "runs"
SUMMARY = "summary"
_PART = re.compile(r"^part-(\d+)\.parquet$")
_OURS = (MANIFEST, RUNS, f"{SUMMARY}.parquet", f"{SUMMARY}.csv")


def now() -> str:
    """The current time, as the manifest records it (UTC, ISO 8601)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _refuse(folder: Path, message: str) -> ScenarioError:
    return ScenarioError([Problem(str(folder), None, "", message)])


@dataclass
class ResultsStore:
    """One experiment's folder; ``open`` it to start, resume or (with force) replace a sweep."""

    folder: Path
    manifest: dict[str, Any]
    next_part: int = 0
    completed: list[pd.DataFrame] = field(default_factory=list)

    @staticmethod
    def check(folder: Path, manifest: dict[str, Any], resume: bool, force: bool) -> str:
        """How a sweep may use ``folder``: "new", "resume" or "replace"; refuse losing data.

        With ``resume`` the runs already there are kept (their sweep must be this one); with
        ``force`` earlier results are deleted; with neither, a folder holding anything is refused.
        """
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise _refuse(folder, "is a file, not a results folder; choose another out:")
        holds_files = folder.is_dir() and any(folder.iterdir())
        existing = (folder / MANIFEST).is_file()
        if holds_files and force:
            return "replace"
        if resume and existing:
            if read_manifest(folder).get("plan_hash") != manifest["plan_hash"]:
                raise _refuse(
                    folder,
                    "holds the runs of a different sweep (the scenario, the seed or the points "
                    "changed); --force (force=True) replaces them, or choose another out:",
                )
            return "resume"
        if holds_files and existing:
            raise _refuse(
                folder,
                "already holds the results of a sweep; finish it with --resume "
                "(resume=True), replace it with --force (force=True), or choose another out:",
            )
        if holds_files:
            raise _refuse(
                folder,
                "already holds other files; choose another out:, or add --force (force=True) "
                "to write into it anyway",
            )
        return "new"

    @classmethod
    def open(
        cls, folder: Path, manifest: dict[str, Any], resume: bool = False, force: bool = False
    ) -> ResultsStore:
        """Prepare ``folder`` for a sweep described by ``manifest`` (see ``check``)."""
        folder = Path(folder)
        mode = cls.check(folder, manifest, resume, force)
        if mode == "resume":
            return cls._resumed(folder, manifest)
        if mode == "replace":
            for name in _OURS:
                _remove(folder / name)
        (folder / RUNS).mkdir(parents=True, exist_ok=True)
        store = cls(folder, {**manifest, "started": now(), "finished": None})
        store._write_manifest()
        return store

    @classmethod
    def _resumed(cls, folder: Path, manifest: dict[str, Any]) -> ResultsStore:
        earlier = read_manifest(folder)
        kept: dict[str, Any] = {
            key: earlier[key] for key in ("started", "resumed") if key in earlier
        }
        resumed = [*kept.get("resumed", []), now()]
        store = cls(folder, {**manifest, **kept, "resumed": resumed, "finished": None})
        (folder / RUNS).mkdir(exist_ok=True)
        for stale in (folder / RUNS).glob(".*.tmp"):
            stale.unlink()
        parts = part_files(folder)
        store.next_part = 1 + max((_part_number(path) for path in parts), default=-1)
        store.completed = [pd.read_parquet(path) for path in parts]
        store._write_manifest()
        return store

    def append(self, runs: pd.DataFrame) -> Path:
        """Write one completed chunk of runs as the next part file (atomically)."""
        path = self.folder / RUNS / f"part-{self.next_part:06d}.parquet"
        self.next_part += 1
        _atomic(path, lambda temporary: runs.to_parquet(temporary, index=False))
        return path

    def finish(self, summary: pd.DataFrame) -> None:
        """Write the per-point summary and note the time the sweep finished."""
        for suffix in (".parquet", ".csv"):
            path = self.folder / f"{SUMMARY}{suffix}"
            if suffix == ".parquet":
                _atomic(path, lambda temporary: summary.to_parquet(temporary, index=False))
            else:
                _atomic(path, lambda temporary: summary.to_csv(temporary, index=False))
        self.manifest["finished"] = now()
        self._write_manifest()

    def _write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=2, default=str) + "\n"
        _atomic(self.folder / MANIFEST, lambda temporary: temporary.write_text(text))


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a results folder, or a clear error when there is none."""
    path = Path(folder) / MANIFEST
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise _refuse(Path(folder), f"no {MANIFEST}: not the results folder of a sweep") from None
    except json.JSONDecodeError as error:
        raise _refuse(Path(folder), f"{MANIFEST} is damaged: {error}") from None
    return manifest


def part_files(folder: Path) -> list[Path]:
    """The completed chunks' files, in the order they were written."""
    parts = [
        path for path in (Path(folder) / RUNS).glob("part-*.parquet") if _PART.match(path.name)
    ]
    return sorted(parts, key=_part_number)


def read_runs(folder: Path) -> list[pd.DataFrame]:
    """Every completed chunk of runs in a results folder."""
    return [pd.read_parquet(path) for path in part_files(folder)]


def _part_number(path: Path) -> int:
    match = _PART.match(path.name)
    return int(match.group(1)) if match else -1


def _atomic(path: Path, write: Any) -> None:
    """Write through a temporary file in the same folder, then rename it into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    os.replace(temporary, path)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
