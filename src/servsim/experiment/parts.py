"""Part files of a results folder: each carries what identifies its sweep, and is checked on
every read.

A part is one completed chunk of runs. Written, it records in its Parquet metadata the plan
hash and seed of its sweep, its number of rows and a digest of its contents; read back (on
``--resume``, or by a report), a part that cannot be read, has the wrong columns, belongs to
another sweep or does not match its digest is named, moved to ``runs/damaged/`` and its runs
are run again: a damaged part is never trusted.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from servsim.experiment.tables import KEYS

METADATA_KEY = b"servsim"
DAMAGED = "damaged"


class DamagedPartWarning(UserWarning):
    """A part file of a results folder was not trusted: its runs are run again."""


def identity(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """What every part of a sweep records about it: the plan hash and the seed."""
    return {"plan_hash": manifest.get("plan_hash"), "seed": manifest.get("seed")}


def digest(frame: pd.DataFrame) -> str:
    """A digest of a part's contents (column names and every value)."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    names = json.dumps([str(column) for column in frame.columns]).encode()
    return hashlib.sha256(names + hashed.tobytes()).hexdigest()


def write_part(frame: pd.DataFrame, path: Path, manifest: Mapping[str, Any]) -> None:
    """Write ``frame`` as a Parquet file that records its sweep, row count and digest."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    recorded = {**identity(manifest), "rows": len(frame), "digest": digest(frame)}
    metadata = {**(table.schema.metadata or {}), METADATA_KEY: json.dumps(recorded).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), path)


def required_columns(manifest: Mapping[str, Any]) -> list[str]:
    """The columns every part of the sweep has: the keys, the parameters, the objectives, the
    standards' KPIs and the adaptive replications' goals."""
    columns = [*KEYS, *manifest.get("parameters", [])]
    objectives = manifest.get("objectives")
    if isinstance(objectives, Mapping):
        columns += [str(kpi) for kpi in objectives.values()]
    standards = manifest.get("standards")
    if isinstance(standards, Mapping):
        columns += [str(kpi) for kpi in standards]
    replications = manifest.get("replications")
    if isinstance(replications, Mapping) and isinstance(replications.get("until_halfwidth"), dict):
        columns += list(replications["until_halfwidth"])
    return list(dict.fromkeys(columns))


def why_damaged(path: Path, manifest: Mapping[str, Any]) -> tuple[pd.DataFrame | None, str]:
    """The part's runs, or None and why the part cannot be trusted."""
    if not path.is_file():  # a FIFO would block the reader
        return None, "not a regular file"
    try:
        table = pq.read_table(path)
        frame = table.to_pandas()
    except Exception as error:  # noqa: BLE001 - any failure to read is damage, whatever raised it
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, f"not a readable Parquet file ({reason[:120]})"
    missing = [column for column in required_columns(manifest) if column not in frame.columns]
    if missing:
        return None, f"lacks the columns {', '.join(missing[:5])}"
    for key in KEYS:
        if not pd.api.types.is_integer_dtype(frame[key]):
            return None, f"its {key} column holds {frame[key].dtype}, not whole numbers"
    seed = manifest.get("seed")
    if seed is not None and len(frame) and not (frame["seed"] == seed).all():
        return None, f"holds runs of another seed ({frame['seed'].iloc[0]}, not {seed})"
    if ((frame["point"] < 0) | (frame["replication"] < 0)).any():
        return None, "holds negative point or replication numbers"
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        return frame, ""  # written before parts recorded their sweep: its columns checked
    try:
        recorded = json.loads(raw)
    except ValueError:
        return None, "its record of the sweep is damaged"
    if not isinstance(recorded, dict):
        return None, "its record of the sweep is damaged"
    if recorded.get("plan_hash") != manifest.get("plan_hash"):
        return None, "belongs to another sweep (another scenario, seed or points)"
    if recorded.get("rows") != len(frame) or recorded.get("digest") != digest(frame):
        return None, "its contents do not match the digest written with them"
    return frame, ""


def trusted_parts(
    paths: Sequence[Path], manifest: Mapping[str, Any], move: bool
) -> list[pd.DataFrame]:
    """The runs of every part that can be trusted; each other part is named in a warning and,
    with ``move``, moved to ``runs/damaged/`` (so it is neither read again nor lost)."""
    frames = []
    for path in paths:
        frame, reason = why_damaged(path, manifest)
        if frame is not None:
            frames.append(frame)
            continue
        fate = "its runs are run again" if move else "its runs are left out"
        if move:
            aside = path.parent / DAMAGED / path.name
            aside.parent.mkdir(exist_ok=True)
            path.replace(aside)
            fate += f"; the file is kept as {aside}"
        warnings.warn(DamagedPartWarning(f"{path}: damaged part, {reason}: {fate}"), stacklevel=2)
    return frames
