"""The base of every scenario section: immutable, and unknown keys (typos) are errors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A part of a scenario file: immutable, and unknown keys (typos) are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
