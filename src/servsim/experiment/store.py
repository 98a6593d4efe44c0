"""The results folder of a sweep: manifest, every completed chunk of runs, the summary.

Each chunk is written as its own Parquet file the moment it completes, under a temporary name
and then renamed, so a stopped sweep loses no completed run and never leaves half a file; each
part records its sweep and is checked when read back (``servsim.experiment.parts``). A write
that fails (a full disk, a folder turned read-only) is one problem saying what was kept.
"""

from __future__ import annotations

import contextlib
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
from servsim.core.folders import REPORT, is_servsim_report, write_problem
from servsim.experiment.parts import trusted_parts, write_part

MANIFEST = "manifest.json"
RUNS = "runs"
SUMMARY = "summary"
LOCK = ".servsim.lock"
"""The lock a writing sweep holds on its folder (``servsim.experiment.batches``)."""
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
    kept: int = 0
    """Runs stored in the folder so far."""

    @staticmethod
    def check(folder: Path, manifest: dict[str, Any], resume: bool, force: bool) -> str:
        """How a sweep may use ``folder``: "new", "resume" or "replace"; refuse losing data.

        With ``resume`` the runs already there are kept (their sweep must be this one); with
        ``force`` earlier results are deleted as a whole (the manifest, every part, the
        summary, and the report servsim wrote; never a file servsim did not write); with
        neither, a folder holding anything is refused.
        """
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise _refuse(folder, "is a file, not a results folder; choose another out:")
        holds_files = folder.is_dir() and any(p.name != LOCK for p in folder.iterdir())
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
            try:
                for name in _OURS:
                    _remove(folder / name)
                if is_servsim_report(folder / REPORT):  # it would show the old sweep's runs
                    _remove(folder / REPORT)
            except OSError as error:
                raise _refuse(folder, f"cannot replace its results: {error.strerror}") from None
        store = cls(folder, {**manifest, "started": now(), "finished": None})
        store._write(folder / RUNS, lambda: (folder / RUNS).mkdir(parents=True, exist_ok=True))
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
        store._write(folder / RUNS, lambda: (folder / RUNS).mkdir(exist_ok=True))
        for stale in (folder / RUNS).glob(".*.tmp"):
            stale.unlink()
        parts = part_files(folder)
        store.next_part = 1 + max((_part_number(path) for path in parts), default=-1)
        store.completed = trusted_parts(parts, manifest, move=True)
        store.kept = sum(len(frame) for frame in store.completed)
        store._write_manifest()
        return store

    def append(self, runs: pd.DataFrame) -> Path:
        """Write one completed chunk of runs as the next part file (atomically)."""
        path = self.folder / RUNS / f"part-{self.next_part:06d}.parquet"
        self.next_part += 1
        self._write(path, lambda: _atomic(path, lambda temp: write_part(runs, temp, self.manifest)))
        self.kept += len(runs)
        return path

    def _write(self, path: Path, write: Any) -> None:
        """Run ``write``; an OSError (full disk, read-only folder) becomes one problem saying
        that the runs stored so far are kept."""
        try:
            write()
        except OSError as error:
            message = (
                f"{write_problem(path, error)}; the {self.kept:,} runs stored so far are kept: "
                "make room (or give write access), then finish with --resume (resume=True)"
            )
            raise ScenarioError([Problem(str(self.folder), None, "", message)]) from None

    def finish(self, summary: pd.DataFrame) -> None:
        """Write the per-point summary and note the time the sweep finished."""
        for suffix in (".parquet", ".csv"):
            path = self.folder / f"{SUMMARY}{suffix}"
            if suffix == ".parquet":
                write = lambda temp: summary.to_parquet(temp, index=False)  # noqa: E731
            else:
                write = lambda temp: summary.to_csv(temp, index=False)  # noqa: E731
            self._write(path, lambda: _atomic(path, write))  # noqa: B023 - called at once
        self.manifest["finished"] = now()
        self._write_manifest()

    def _write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=2, default=str) + "\n"
        path = self.folder / MANIFEST
        self._write(path, lambda: _atomic(path, lambda temporary: temporary.write_text(text)))


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a results folder, or a clear error when there is none."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _refuse(Path(folder), f"no {MANIFEST}: not the results folder of a sweep") from None
    except (ValueError, OSError) as error:  # not JSON, not UTF-8, not readable
        raise _refuse(Path(folder), f"{MANIFEST} is damaged: {error}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("plan_hash"), str):
        got = "a mapping without plan_hash" if isinstance(manifest, dict) else "not a mapping"
        raise _refuse(
            Path(folder),
            f"{MANIFEST} is damaged ({got}); --force (force=True) replaces the folder's results",
        )
    return manifest


def part_files(folder: Path) -> list[Path]:
    """The completed chunks' files, in the order they were written."""
    parts = [
        path for path in (Path(folder) / RUNS).glob("part-*.parquet") if _PART.match(path.name)
    ]
    return sorted(parts, key=_part_number)


def read_runs(folder: Path) -> list[pd.DataFrame]:
    """Every completed chunk of runs in a results folder that can be trusted (a damaged part
    is named in a warning and left out)."""
    return trusted_parts(part_files(folder), read_manifest(folder), move=False)


def _part_number(path: Path) -> int:
    match = _PART.match(path.name)
    return int(match.group(1)) if match else -1


def _atomic(path: Path, write: Any) -> None:
    """Write through a temporary file in the same folder, then rename it into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):  # a folder turned read-only keeps its stray file
            temporary.unlink(missing_ok=True)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
