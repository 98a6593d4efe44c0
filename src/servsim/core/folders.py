"""Whether results can be written to a folder, found out before any run starts.

A sweep of hours whose folder turns out unwritable at its first chunk, or a run whose ``--out``
fails after the simulation, loses the work; a name with a NUL, a name of 300 characters, a
path below a file, a folder under /proc, a read-only mount or a full disk is found here, by
trying, and said in one line.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

NAME_MAX = 255
"""Longest name of one folder or file, in bytes, on the common file systems."""

LEAST_FREE = 1_048_576
"""Free space below which a folder counts as on a full disk (1 MiB)."""


def folder_problem(folder: Path) -> str | None:
    """Why results cannot be written to ``folder``, or None when they can: the name checked,
    the folder made (with its parents), a file created and removed in it, the disk's free
    space measured."""
    text = os.fspath(folder)
    if "\x00" in text:
        return "the folder's name contains a NUL character; give a plain folder name"
    for part in Path(text).parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            return (
                f"a name in the path is {size} bytes long ({part[:24]}...); file systems take "
                f"at most {NAME_MAX}"
            )
    below = _first_existing(Path(text))
    if below is not None and not below.is_dir():
        if below == Path(text):
            return "is a file, not a folder; choose another folder"
        return f"{below} is a file, so no folder can be made below it; choose another folder"
    try:
        Path(text).mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return "is a file, not a folder; choose another folder"
    except OSError as error:
        return f"cannot make the folder: {error.strerror or error}"
    try:
        descriptor, probe = tempfile.mkstemp(dir=text, prefix=".servsim-probe-")
        os.close(descriptor)
        os.unlink(probe)
    except OSError as error:
        return f"cannot write in the folder: {error.strerror or error}"
    free = shutil.disk_usage(text).free
    if free < LEAST_FREE:
        return f"its disk is full ({free:,} bytes free); make room or choose another folder"
    return None


def _first_existing(path: Path) -> Path | None:
    """The path itself or its nearest ancestor that exists (what a new folder is made in)."""
    for candidate in (path, *path.parents):
        try:
            if candidate.exists():
                return candidate
        except OSError:
            return None
    return None


def write_problem(path: Path, error: OSError) -> str:
    """An OSError while writing ``path`` in plain words (full disk, read-only, no access)."""
    return f"cannot write {path.name}: {error.strerror or error}"


REPORT = "report.html"
"""The report a results folder gets by default (``servsim report``, ``run --report``)."""

_REPORT_MARK = b" by servsim "
"""Every report servsim writes says "written <time> by servsim <version>" under its title."""


def is_servsim_report(path: Path) -> bool:
    """Whether ``path`` is an HTML report servsim wrote (not a file of the user's that happens
    to bear the name): a regular file whose heading says so."""
    try:
        if not path.is_file() or path.is_symlink():
            return False
        text = path.read_bytes()
    except OSError:
        return False
    return text.lstrip()[:15].lower() == b"<!doctype html>" and _REPORT_MARK in text


def remove_files(folder: Path, names: list[str]) -> None:
    """Delete the named files of ``folder`` (those there); an OSError is left to the caller."""
    for name in names:
        path = folder / name
        if path.is_symlink() or path.is_file():
            path.unlink()
