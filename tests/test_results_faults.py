"""Results folders under faults: damaged parts, damaged manifests, read-only folders, full
disks, two writers at once, a killed main process, and kill -9 at random moments.

No run is lost and none is trusted blindly: a damaged part is named, set aside and run again,
so the resumed sweep's tables are bit for bit those of a sweep that never met a fault.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from filelock import FileLock

import servsim
from servsim.experiment.parts import DamagedPartWarning
from servsim.experiment.store import LOCK, part_files
from tests.conftest import SMALL_SHOP
from tests.hostile_helpers import HANG, assert_clean_refusal, invoke
from tests.sweep_helpers import SMALL_SWEEP, assert_same_table, write_experiment

SERVSIM = str(Path(sys.executable).with_name("servsim"))


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, servsim.SweepResults]:
    """The small sweep run to the end, serially, four runs per part: a folder to damage."""
    folder = tmp_path_factory.mktemp("finished")
    experiment = write_experiment(folder)
    return folder, servsim.sweep(experiment, executor="serial", chunk=4)


def _copy(finished: tuple[Path, servsim.SweepResults], tmp_path: Path) -> Path:
    shutil.copytree(finished[0], tmp_path / "sweep")
    return tmp_path / "sweep" / "experiment.yaml"


def _other_seed_part(tmp_path: Path) -> Path:
    other = write_experiment(tmp_path / "other", SMALL_SWEEP.replace("seed: 5", "seed: 6"))
    servsim.sweep(other, executor="serial", chunk=4)
    return part_files(tmp_path / "other" / "results")[2]


def _damage(kind: str, part: Path, tmp_path: Path) -> str:
    """Damage ``part`` as ``kind`` says; the words a warning about it must say."""
    if kind == "truncated":
        part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
        return "not a readable Parquet file"
    if kind == "empty":
        part.write_bytes(b"")
        return "not a readable Parquet file"
    if kind == "garbage":
        part.write_bytes(random.Random(1).randbytes(5000))
        return "not a readable Parquet file"
    if kind == "wrong columns":
        pd.read_parquet(part).drop(columns=["otif"]).to_parquet(part, index=False)
        return "lacks the columns otif"
    if kind == "a FIFO":
        part.unlink()
        os.mkfifo(part)
        return "not a regular file"
    if kind == "another sweep's":
        shutil.copy(_other_seed_part(tmp_path), part)
        return "another seed"
    if kind == "changed values":
        table = pq.read_table(part)
        frame = table.to_pandas()
        frame.loc[0, "cost_total"] += 1.0
        pq.write_table(
            table.from_pandas(frame, preserve_index=False).replace_schema_metadata(
                table.schema.metadata
            ),
            part,
        )
        return "do not match the digest"
    raise ValueError(kind)


DAMAGE = [
    "truncated",
    "empty",
    "garbage",
    "wrong columns",
    "another sweep's",
    "changed values",
    "a FIFO",
]


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_part_is_named_set_aside_and_run_again(
    finished: tuple[Path, servsim.SweepResults], tmp_path: Path, kind: str
) -> None:
    experiment = _copy(finished, tmp_path)
    folder = experiment.parent / "results"
    part = part_files(folder)[2]
    words = _damage(kind, part, tmp_path)
    result = invoke("sweep", experiment, "--workers", "1", "--resume")
    assert result.exit_code == 0, result.output + result.stderr
    said = [line for line in result.stderr.splitlines() if "damaged part" in line]
    assert len(said) == 1 and said[0].startswith(f"{part}: damaged part, "), said
    assert words in said[0] and "its runs are run again" in said[0]
    assert (folder / "runs" / "damaged" / part.name).exists()
    again = servsim.SweepResults.from_folder(folder)
    assert_same_table(again.runs, finished[1].runs)
    assert_same_table(again.summary, finished[1].summary)


def test_a_report_leaves_a_damaged_part_out_and_says_so(
    finished: tuple[Path, servsim.SweepResults], tmp_path: Path
) -> None:
    experiment = _copy(finished, tmp_path)
    folder = experiment.parent / "results"
    _damage("garbage", part_files(folder)[0], tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runs = servsim.SweepResults.from_folder(folder).runs
    assert len(runs) == 36 - 4
    assert [w.category for w in caught] == [DamagedPartWarning]


@pytest.mark.parametrize(
    ("content", "words"),
    [("[1, 2, 3]", "not a mapping"), ('{"a": 1}', "without plan_hash"), ("{", "damaged")],
)
def test_a_damaged_manifest_is_one_line(
    finished: tuple[Path, servsim.SweepResults], tmp_path: Path, content: str, words: str
) -> None:
    experiment = _copy(finished, tmp_path)
    folder = experiment.parent / "results"
    (folder / "manifest.json").write_text(content)
    assert_clean_refusal(invoke("sweep", experiment, "--resume"), str(folder), words)
    assert_clean_refusal(invoke("report", folder), str(folder), "manifest.json is damaged")


def _oserror(code: int) -> OSError:
    return OSError(code, os.strerror(code))


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_a_read_only_folder_is_refused_before_any_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    experiment = write_experiment(tmp_path)

    def refused(*args: object, **kwargs: object) -> None:
        raise _oserror(code)

    monkeypatch.setattr("servsim.core.folders.tempfile.mkstemp", refused)
    assert_clean_refusal(
        invoke("sweep", experiment, "--workers", "1"),
        "cannot write in the folder",
        os.strerror(code),
    )
    assert not part_files(tmp_path / "results")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_folder_without_write_access_is_refused(
    finished: tuple[Path, servsim.SweepResults], tmp_path: Path
) -> None:  # pragma: no cover - CI runs as root
    experiment = _copy(finished, tmp_path)
    folder = experiment.parent / "results"
    for path in [folder, folder / "runs"]:
        path.chmod(0o555)
    try:
        assert_clean_refusal(invoke("sweep", experiment, "--resume"), "Permission denied")
    finally:
        for path in [folder, folder / "runs"]:
            path.chmod(0o755)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_disk_that_fills_up_mid_sweep_keeps_every_stored_run(
    finished: tuple[Path, servsim.SweepResults],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
) -> None:
    experiment = write_experiment(tmp_path)
    written = pq.write_table
    calls = []

    def fills_up(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) > 3:
            raise _oserror(code)
        written(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("servsim.experiment.parts.pq.write_table", fills_up)
    result = invoke("sweep", experiment, "--workers", "1")
    assert_clean_refusal(result, os.strerror(code), "runs stored so far are kept", "--resume")
    folder = tmp_path / "results"
    assert len(part_files(folder)) == 3
    assert not list((folder / "runs").glob(".*"))  # no temporary file left behind
    monkeypatch.setattr("servsim.experiment.parts.pq.write_table", written)
    result = invoke("sweep", experiment, "--workers", "1", "--resume")
    assert result.exit_code == 0, result.output + result.stderr
    assert_same_table(servsim.SweepResults.from_folder(folder).runs, finished[1].runs)


def test_a_second_writer_is_refused_in_one_line(
    finished: tuple[Path, servsim.SweepResults], tmp_path: Path
) -> None:
    experiment = _copy(finished, tmp_path)
    folder = experiment.parent / "results"
    before = {path: path.read_bytes() for path in part_files(folder)}
    with FileLock(folder / LOCK):  # another process's sweep holds the folder
        for command in (["sweep", experiment, "--resume"], ["sweep", experiment, "--force"]):
            assert_clean_refusal(invoke(*command), str(folder), "another servsim")
    assert {path: path.read_bytes() for path in part_files(folder)} == before
    result = invoke("sweep", experiment, "--resume")  # the lock is free again
    assert result.exit_code == 0, result.output + result.stderr


SLOW_SWEEP = SMALL_SWEEP.replace("replications: 3", "replications: 6")
"""72 runs: long enough for a second process to start while the first still writes."""


@pytest.fixture(scope="module")
def slow_whole(tmp_path_factory: pytest.TempPathFactory) -> servsim.SweepResults:
    """The slow sweep run serially in this process, never stopped: the reference."""
    folder = tmp_path_factory.mktemp("slow")
    return servsim.sweep(write_experiment(folder, SLOW_SWEEP), executor="serial")


def _sweep_process(experiment: Path, *options: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [SERVSIM, "sweep", str(experiment), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(condition: object, seconds: float = HANG) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)
    assert condition(), "the condition was not met in time"  # type: ignore[operator]


def test_two_concurrent_resumes_one_writes_the_other_is_refused(tmp_path: Path) -> None:
    # runs of 100 days (about 0.2 s each): the first sweep still has seconds of runs to write
    # when the second has started, however loaded the machine (with 10-day runs it could
    # finish first)
    longer_shop = SMALL_SHOP.replace("horizon: 10d", "horizon: 100d")
    experiment = write_experiment(tmp_path, SLOW_SWEEP, longer_shop)
    folder = tmp_path / "results"
    first = _sweep_process(experiment, "--workers", "1")
    try:
        _wait_for(lambda: bool(part_files(folder)))
        second = _sweep_process(experiment, "--workers", "1", "--resume")
        _, said = second.communicate(timeout=HANG)
        assert second.returncode == 2, said
        assert b"another servsim" in said and b"Traceback" not in said
        assert said.decode().count("\n") == 1
        assert first.poll() is None  # the refusal came while the first still wrote
    finally:
        first.kill()
        first.wait()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DamagedPartWarning)  # every part written is whole
        runs = servsim.SweepResults.from_folder(folder).runs
    assert not runs.duplicated(["point", "replication"]).any()
    assert len(runs) == sum(len(pd.read_parquet(path)) for path in part_files(folder))


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(child) for child in path.read_text().split()} if path.exists() else set()


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    long_shop = SMALL_SHOP.replace("horizon: 10d", "horizon: 3000d")  # chunks of a minute or more
    experiment = write_experiment(tmp_path, SLOW_SWEEP, long_shop)
    main = _sweep_process(experiment, "--workers", "2")
    workers: set[int] = set()
    try:
        _wait_for(lambda: len(_children(main.pid)) >= 2)
        workers = _children(main.pid)
        time.sleep(0.5)  # the workers are computing runs: a chunk takes over a minute
        main.send_signal(signal.SIGKILL)
        main.wait(timeout=HANG)
        _wait_for(lambda: not any(_running(pid) for pid in workers), seconds=30)
    finally:
        main.kill()
        for pid in workers:  # orphans of a failed test are ended, not left running
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


def test_kill_9_at_random_moments_then_resume_gives_the_same_table(
    tmp_path: Path, slow_whole: servsim.SweepResults
) -> None:
    """Two kill -9s at seeded random moments (mid-write included), a part damaged as a
    kill could leave it, then --resume: the tables of a sweep that never stopped."""
    experiment = write_experiment(tmp_path, SLOW_SWEEP)
    folder = tmp_path / "results"
    moments = random.Random(15)
    for attempt in range(2):
        options = ["--workers", "2"] + (["--resume"] if attempt else [])
        process = _sweep_process(experiment, *options)
        try:
            done = len(part_files(folder))
            _wait_for(lambda: len(part_files(folder)) > done)  # noqa: B023 - waited here
            time.sleep(moments.uniform(0.0, 0.5))
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait()
    parts = part_files(folder)
    if parts:
        _damage("truncated", parts[-1], tmp_path)
    result = invoke("sweep", experiment, "--workers", "2", "--resume")
    assert result.exit_code == 0, result.output + result.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["finished"] is not None and len(manifest["resumed"]) >= 1
    resumed = servsim.SweepResults.from_folder(folder)
    assert_same_table(resumed.runs, slow_whole.runs)
    assert_same_table(resumed.summary, slow_whole.summary)
