"""The written service policy: a scenario's ``standards:`` section, targets on any KPI.

Written as ``{otif: ">= 0.95", cycle_p95: "<= 72h", segments: {name: {otif: ">= 0.98"}}}``.
The targets are kept as written (so overrides and dumps give the file's form back) and parsed
once, at load time, into :class:`servsim.stats.standards.Standard` in the scenario's time unit.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    model_serializer,
    model_validator,
)

from servsim.core.validation import CrossChecks
from servsim.scenario.section import Section
from servsim.stats.standards import (
    Standard,
    known_kpi,
    parse_standard,
    read_comparison,
    segment_kpi,
)


def _readable(written: Any) -> Any:
    read_comparison(written)
    return written


KpiName = Annotated[str, AfterValidator(known_kpi)]
SegmentKpiName = Annotated[str, AfterValidator(segment_kpi)]
WrittenStandard = Annotated[Any, AfterValidator(_readable)]
"""A comparison as written (``">= 0.95"``, ``"<= 72h"``, ``{at_least: 0.95}``), form checked."""


class ServiceStandards(Section):
    """Targets for the whole business (``overall``) and per customer segment (``segments``).

    In a file the overall targets sit at the top of the section, beside ``segments:``.
    """

    overall: dict[KpiName, WrittenStandard] = Field(default_factory=dict)
    segments: dict[str, dict[SegmentKpiName, WrittenStandard]] = Field(
        default_factory=dict, description="segment -> {kpi: target}"
    )

    _parsed: tuple[Standard, ...] = PrivateAttr(default=())

    @model_validator(mode="before")
    @classmethod
    def _overall_beside_segments(cls, data: Any) -> Any:
        if data is None:
            return {}
        if isinstance(data, dict) and "overall" not in data:
            overall = {key: value for key, value in data.items() if key != "segments"}
            return {"overall": overall, "segments": data.get("segments", {})}
        return data

    @model_validator(mode="after")
    def _targets_in_time_unit(self, info: ValidationInfo) -> ServiceStandards:
        time_unit = (info.context or {}).get("time_unit", "hours")
        parsed = []
        checks = CrossChecks("standards")
        for segment, where, standards in [
            (None, ("overall",), self.overall),
            *((name, ("segments", name), own) for name, own in self.segments.items()),
        ]:
            for kpi, written in standards.items():
                try:
                    parsed.append(parse_standard(kpi, written, time_unit, segment))
                except ValueError as error:
                    checks.add((*where, kpi), str(error), written)
        checks.raise_any(self)
        self._parsed = tuple(parsed)
        return self

    @model_serializer(mode="wrap")
    def _as_written(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped = handler(self)
        segments = dumped.get("segments") or {}
        return {**dumped.get("overall", {}), **({"segments": segments} if segments else {})}

    @property
    def all(self) -> tuple[Standard, ...]:
        """Every standard, overall ones first, targets in the scenario's time unit."""
        return self._parsed

    @property
    def flat(self) -> dict[str, str]:
        """Every standard as ``{kpi: '<= 72.0', 'kpi[segment]': '>= 0.98'}`` in the time
        unit: the form of an experiment's standards."""
        return {standard.column: standard.written for standard in self._parsed}

    def __bool__(self) -> bool:
        return bool(self._parsed)


def unknown_segment(name: str, segments: Sequence[str]) -> str | None:
    """Why ``name`` is not one of ``segments`` (with the closest), or None when it is."""
    if name in segments:
        return None
    close = difflib.get_close_matches(name, segments, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown segment {name!r}{hint}; segments are: {', '.join(segments)}"
