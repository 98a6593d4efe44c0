"""The base of every scenario section: immutable, finite, and unknown keys (typos) are errors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A part of a scenario file: immutable, and unknown keys (typos) are errors.

    Every number is finite (``.inf``, ``.nan`` are refused) unless a field says otherwise.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )
