"""Where a command may write, checked before any work is done: a run's --out folder, and a
report file (its folder must exist; only servsim's own files are ever replaced)."""

from __future__ import annotations

from pathlib import Path

from servsim.cli.output import fail
from servsim.core.folders import folder_problem, is_servsim_report


def check_run_folder(out: Path, force: bool) -> None:
    from servsim.run.folder import clashing_files, foreign_files, servsim_files

    problem = folder_problem(out)
    if problem is not None:
        fail(f"{str(out)[:200]}: {problem} (--out)")
    clashes = clashing_files(out)
    if clashes:
        fail(
            f"{out}: holds {', '.join(clashes[:3])}, not written by servsim run, which would "
            "be written over; choose another --out (--force never replaces a file servsim "
            "did not write)"
        )
    if servsim_files(out) and not force:
        fail(
            f"{out}: folder already holds servsim results; choose another --out or add "
            "--force to replace them"
        )
    if not force and foreign_files(out):
        fail(
            f"{out}: folder holds other files ({', '.join(foreign_files(out)[:3])}); choose "
            "another --out, or add --force to write beside them (they are kept)"
        )


def check_report_file(path: Path, force: bool, option: str) -> None:
    """A report file can be written at ``path``: not a folder, its folder exists (none is made
    silently), and it is not a report already there unless ``force``."""
    if is_folder(path):
        fail(f"{path}: is a folder; give the report's file name, such as {path / 'report.html'}")
    folder = path.parent
    if not is_folder(folder):
        what = "is a file, not a folder" if exists(folder) else "no such folder"
        fail(f"{str(folder)[:200]}: {what} ({option}); give a file in an existing folder")
    if exists(path) and not force:
        fail(f"{path}: already exists; choose another path or add --force to replace it")
    if exists(path) and not is_servsim_report(path):
        fail(
            f"{path}: is not a report servsim wrote, and --force replaces only servsim's own "
            "files; choose another path"
        )


def is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder; False for a name the file system cannot even look up."""
    try:
        return path.is_dir()
    except OSError:
        return False


def exists(path: Path) -> bool:
    """Whether ``path`` exists; False for a name the file system cannot even look up."""
    try:
        return path.exists()
    except OSError:
        return False
