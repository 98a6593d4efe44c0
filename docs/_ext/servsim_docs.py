"""Reference pages generated from the code, so the docs cannot drift from it.

At ``builder-inited`` this writes Markdown into ``docs/reference/_generated/`` (not in git),
which the reference pages ``{include}``:

- ``scenario-fields.md``, ``experiment-fields.md``: every key of a scenario file and of an
  experiment file (sweep and optimizer), walked recursively from the pydantic models'
  ``model_fields``: key, type, default, description (the field's ``description=``);
- ``kpis.md``: every KPI of ``servsim.core.catalogue.CATALOGUE``;
- ``run-folder.md``, ``sweep-folder.md``: the files a run's ``--out`` folder and a sweep's
  ``out:`` folder hold, with their columns, read from folders written by a tiny run and sweep.

A model field, results file or order column without a description stops the build.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
import tempfile
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, Tag
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[2]
"""The repository root: the tiny run and sweep read the example scenarios from there."""


# --- types, as a planner reads them ------------------------------------------------------------
def _named_types() -> list[tuple[Any, str]]:
    """Type aliases of the schema and the words the tables use for them (most specific first)."""
    from servsim.experiment import schema as experiment
    from servsim.scenario import distributions, fields, shifts, standards

    return [
        (
            distributions.DurationDistribution,
            "{ref}`distribution <scenario-distributions>` of durations",
        ),
        (
            distributions.QuantityDistribution,
            "{ref}`distribution <scenario-distributions>` of whole numbers ≥ 1",
        ),
        (distributions.Distribution, "{ref}`distribution <scenario-distributions>`"),
        (fields.OptionalDuration, "duration"),
        (fields.Duration, "duration"),
        (fields.Count, "whole number"),
        (fields.Number, "number"),
        (shifts.ClockTime, "time of day (`8:30`, `8.5h`)"),
        (standards.KpiName, "{ref}`KPI name <kpi-reference>`"),
        (standards.SegmentKpiName, "{ref}`KPI name <kpi-reference>` (measured per segment)"),
        (standards.WrittenStandard, 'target (`">= 0.95"`, `"<= 72h"`, `{at_least: 0.95}`)'),
        (experiment.KpiName, "{ref}`KPI name <kpi-reference>`"),
        (experiment.ExperimentTarget, 'target (`">= 0.95"`, `{at_least: 0.95}`; no time unit)'),
    ]


PLAIN = {
    int: "whole number",
    float: "number",
    str: "text",
    bool: "true / false",
    Any: "any value",
    datetime.date: "date (2025-01-06)",
}


def _unwrap(hint: Any) -> tuple[Any, list[Any]]:
    """The type inside ``Annotated[...]`` and its metadata."""
    if get_origin(hint) is Annotated:
        inner, *metadata = get_args(hint)
        return inner, metadata
    return hint, []


def _is_model(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, BaseModel)


def _union_members(hint: Any) -> list[Any] | None:
    if get_origin(hint) in (Union, types.UnionType):
        return list(get_args(hint))
    return None


def _tag(hint: Any) -> str | None:
    """A union member's ``Tag`` or its single-valued Literal field (``policy: base_stock``)."""
    inner, metadata = _unwrap(hint)
    for item in metadata:
        if isinstance(item, Tag):
            return item.tag
    if _is_model(inner):
        for name, info in inner.model_fields.items():
            values = get_args(info.annotation) if get_origin(info.annotation) is Literal else ()
            if len(values) == 1:
                return f"{info.alias or name}: {values[0]}"
    return None


def _constraints(metadata: list[Any]) -> str:
    """``≥ 0``, ``in [0, 1]``, ``at least 1 entry`` from a field's constraints."""
    kinds = {
        annotated_types.Ge: "ge",
        annotated_types.Gt: "gt",
        annotated_types.Le: "le",
        annotated_types.Lt: "lt",
        annotated_types.MinLen: "min_length",
    }
    bounds: dict[str, Any] = {}
    for item in metadata:
        kind = kinds.get(type(item))
        if kind is not None:
            bounds[kind] = getattr(item, kind)
    said = []
    if "ge" in bounds and "le" in bounds:
        said.append(f"in [{_number(bounds['ge'])}, {_number(bounds['le'])}]")
    else:
        for kind, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            if kind in bounds and not (kind == "ge" and bounds[kind] <= -1000):
                said.append(f"{sign} {_number(bounds[kind])}")
    if bounds.get("min_length"):
        said.append(f"at least {bounds['min_length']}")
    return ", ".join(said)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# --- the walk over the models ---------------------------------------------------------------------
@dataclass
class Section:
    """One model's table: where it sits in the file, and the variant it is (if any)."""

    model: type[BaseModel]
    label: str
    paths: list[str] = field(default_factory=list)
    variant: str | None = None


class Walk:
    """Every model reachable from a root, each with the key paths where it sits."""

    def __init__(self, prefix: str, stops: dict[type, str], hidden: frozenset[str] = frozenset()):
        self.prefix = prefix
        self.stops = stops
        self.hidden = hidden
        self.sections: dict[type, Section] = {}
        self.named = _named_types()

    def hidden_in(self, model: type) -> frozenset[str]:
        """Fields left out of a table: only the root's (shared with another walk)."""
        return self.hidden if model is next(iter(self.sections)) else frozenset()

    def label(self, model: type) -> str:
        if model in self.stops:
            return self.stops[model]
        return self.sections[model].label

    def visit(self, model: type[BaseModel], path: str, variant: str | None = None) -> None:
        if model in self.stops:
            return
        known = self.sections.get(model)
        if known is not None:
            if path not in known.paths:
                known.paths.append(path)
            return
        slug = "".join(c if c.isalnum() or c == "_" else "-" for c in path.replace("[]", ""))
        slug = "-".join(part for part in slug.split("-") if part)
        label = f"{self.prefix}-{slug or 'root'}" + (
            "-" + "".join(c for c in variant if c.isalnum()) if variant else ""
        )
        self.sections[model] = Section(model, label, [path], variant)
        for name, info in _ordered_fields(model, self.hidden_in(model)):
            key = info.alias or name
            self._visit_type(
                _field_hint(model, name, info),
                f"{path}.{key}" if path else key,
                placeholder=_placeholder(info),
            )

    def _visit_type(
        self, hint: Any, path: str, variant: str | None = None, placeholder: str = "name"
    ) -> None:
        if any(hint == alias for alias, _ in self.named):
            return
        inner, _ = _unwrap(hint)
        if _is_model(inner):
            self.visit(inner, path, variant)
            return
        members = _union_members(inner)
        if members is not None:
            for member in members:
                self._visit_type(member, path, _tag(member), placeholder)
            return
        origin = get_origin(inner)
        if origin is dict:
            self._visit_type(get_args(inner)[1], f"{path}.<{placeholder}>")
        elif origin is list:
            self._visit_type(get_args(inner)[0], f"{path}[]")

    def describe(self, hint: Any, placeholder: str = "name") -> str:
        for alias, words in self.named:
            if hint == alias:
                return words
        inner, metadata = _unwrap(hint)
        if inner is type(None):
            return "`none`"
        if _is_model(inner):
            return f"{{ref}}`section <{self.label(inner)}>`"
        members = _union_members(inner)
        if members is not None:
            said = [self.describe(member) for member in members if member is not type(None)]
            tagged = [(member, _tag(member)) for member in members]
            if all(_is_model(_unwrap(m)[0]) and tag for m, tag in tagged):
                said = [f"{{ref}}`{tag} <{self.label(_unwrap(m)[0])}>`" for m, tag in tagged]
            words = " or ".join(dict.fromkeys(said))
            if type(None) in members:
                words += " or `none`"
            return words
        if get_origin(inner) is Literal:
            said = [f"`{value}`" for value in get_args(inner)]
            return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " or " + said[-1]
        if get_origin(inner) is dict:
            key, value = get_args(inner)
            keys = f"`<{placeholder}>`" if key is str else self.describe(key)
            return f"mapping: {keys} → {self.describe(value)}"
        if get_origin(inner) is list:
            return f"list of {self.describe(get_args(inner)[0])}"
        if inner in PLAIN:
            words = PLAIN[inner]
            bounds = _constraints(metadata)
            return f"{words} {bounds}" if bounds else words
        raise ExtensionError(f"servsim_docs: no words for the type {hint!r}")


def _placeholder(info: FieldInfo) -> str:
    """What a mapping's keys are: ``sku`` for "sku -> replenishment policy", else ``name``."""
    first = (info.description or "").split(" -> ")[0]
    return first if " -> " in (info.description or "") and first.isidentifier() else "name"


def _ordered_fields(model: type[BaseModel], hidden: frozenset[str]) -> list[tuple[str, FieldInfo]]:
    """A model's fields as a file shows them: the variant's tag (``policy:``) first."""
    fields = [
        (name, info)
        for name, info in model.model_fields.items()
        if not info.exclude and name not in hidden
    ]
    tags = [
        item
        for item in fields
        if get_origin(item[1].annotation) is Literal and len(get_args(item[1].annotation)) == 1
    ]
    return tags + [item for item in fields if item not in tags]


def _field_hint(model: type[BaseModel], name: str, info: FieldInfo) -> Any:
    """A field's type with its Annotated metadata (``Duration``, not float)."""
    for klass in model.__mro__:
        raw = vars(klass).get("__annotations__", {}).get(name)
        if raw is not None:
            return eval(raw, vars(sys.modules[klass.__module__])) if isinstance(raw, str) else raw
    return info.annotation


def _default(info: FieldInfo) -> str:
    if info.default is PydanticUndefined and info.default_factory is None:
        return "required"
    value = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    if isinstance(value, BaseModel):
        dumped = value.model_dump(by_alias=True, exclude_defaults=False)
        if len(json.dumps(dumped, default=str)) > 60:
            return "its keys' defaults"
        value = dumped
    return f"`{_yaml(value)}`"


def _yaml(value: Any) -> str:
    if value == "":
        return "''"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{" + ", ".join(f"{key}: {_yaml(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml(item) for item in value) + "]"
    return str(value)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _doc(model: type) -> str:
    text = model.__doc__ or ""
    if model.__doc__ == BaseModel.__doc__ or text.startswith("!!! abstract"):
        return ""
    return " ".join(text.strip().split("\n\n")[0].split())


def render(walk: Walk, heading: str = "###", titles: dict[type, str] | None = None) -> str:
    """One heading and table per section, in the order the walk met them."""
    out: list[str] = []
    for section in walk.sections.values():
        model = section.model
        title = (titles or {}).get(model)
        if title is None:
            where = section.paths[0] or "top level"
            title = f"`{where}`" + (f" ({section.variant})" if section.variant else "")
        out += [f"({section.label})=", f"{heading} {title}", ""]
        if len(section.paths) > 1:
            out += ["Also at " + ", ".join(f"`{path}`" for path in section.paths[1:]) + ".", ""]
        if _doc(model):
            out += [_escape_markdown(_doc(model)), ""]
        out += ["| key | type | default | description |", "|---|---|---|---|"]
        for name, info in _ordered_fields(model, walk.hidden_in(model)):
            key = KEYS.get((_root_of(model), name), info.alias or name)
            hint = _field_hint(model, name, info)
            optional = _union_members(_unwrap(hint)[0]) or []
            if type(None) in optional and len(optional) == 2:
                hint = next(member for member in optional if member is not type(None))
            kind = walk.describe(hint, _placeholder(info))
            if key == "<kpi>":
                kind = walk.describe(get_args(_unwrap(hint)[0])[1])
            bounds = _constraints(info.metadata)
            if bounds and bounds not in kind:
                kind = f"{kind} {bounds}"
            if type(None) in optional and info.is_required():
                kind += " or `none`"
            description = _escape_markdown(
                info.description or NOTES.get((_root_of(model), name), "") or _linked_doc(hint)
            )
            out.append(
                f"| `{key}` | {_cell(kind)} | {_cell(_default(info))} | {_cell(description)} |"
            )
        out.append("")
    return "\n".join(out)


def _escape_markdown(text: str) -> str:
    """Keep a docstring's ``code`` and stop a stray ``*`` or ``<`` from being read as markup."""
    text = re.sub(r":\w+:`([^`]+)`", r"`\1`", text)
    return text.replace("``", "`").replace("*", "\\*").replace("<", "\\<")


def _root_of(model: type) -> str:
    """The schema class a field is read from, by the name of the base that declares it."""
    for klass in model.__mro__:
        if klass.__name__ in {"ServiceStandards"}:
            return klass.__name__
    return model.__name__


KEYS = {("ServiceStandards", "overall"): "<kpi>"}
"""Keys a file spells otherwise than the model: overall targets sit at the top of standards."""

NOTES = {
    ("ServiceStandards", "overall"): "a target on the whole business's KPI, written at the top "
    "of the section beside segments:",
}
"""A description where the model has none and its key is spelt otherwise in a file."""


def _linked_doc(hint: Any) -> str:
    """For a field whose type is a section: the first sentence of that section's docstring."""
    inner = _unwrap(hint)[0]
    if _is_model(inner):
        return _doc(inner).split(". ")[0].rstrip(".")
    return ""


# --- the scenario and experiment files ------------------------------------------------------------
def scenario_fields() -> str:
    from servsim.scenario.distribution_spec import DistributionSpec
    from servsim.scenario.schema import Scenario

    walk = Walk("scenario", stops={})
    walk.visit(Scenario, "")
    specs = [
        section
        for model, section in list(walk.sections.items())
        if issubclass(model, DistributionSpec)
    ]
    for section in specs:  # the distributions get a table of their own, below
        del walk.sections[section.model]
    text = render(walk, heading="##", titles={Scenario: "The top level"})
    return text + "\n" + distribution_table()


def distribution_table() -> str:
    from servsim.scenario import distributions

    members = get_args(_unwrap(distributions._Union)[0])
    out = [
        "(scenario-distributions)=",
        "## Distributions",
        "",
        "A bare number is a constant; otherwise `dist:` names the distribution and the keys "
        "below give its parameters. Every distribution also takes `min:` and `max:`: draws "
        "outside are re-drawn (truncation), except `empirical`, which lists only allowed "
        "values. In a distribution of durations every parameter may carry a unit (`36h`, `2d`).",
        "",
        "| `dist` | parameters | description |",
        "|---|---|---|",
    ]
    for model in members:
        keys = []
        for name, info in model.model_fields.items():
            if name in ("dist", "min", "max") or info.exclude:
                continue
            optional = "" if info.is_required() else f" (default {_yaml(info.default)})"
            bounds = _constraints(info.metadata)
            keys.append(f"`{info.alias or name}`" + (f" {bounds}" if bounds else "") + optional)
        dist = get_args(model.model_fields["dist"].annotation)[0]
        out.append(
            f"| `{dist}` | {_cell(', '.join(keys))} | {_cell(_escape_markdown(_doc(model)))} |"
        )
    return "\n".join(out) + "\n"


def experiment_fields() -> str:
    from servsim.experiment.schema import Experiment
    from servsim.scenario.schema import Scenario
    from servsim.search.schema import SearchExperiment

    stops: dict[type, str] = {Scenario: "scenario-root"}
    sweep = Walk("experiment", stops=stops)
    sweep.visit(Experiment, "")
    text = ["## Sweeps: `servsim sweep`", "", render(sweep, titles={Experiment: "The top level"})]
    shared = (set(Experiment.model_fields) - {"parameters"}) | {"design", "replications"}
    search = Walk(
        "search",
        stops={**stops, **{s.model: s.label for s in sweep.sections.values()}},
        hidden=frozenset(shared),
    )
    search.visit(SearchExperiment, "")
    text += [
        "## The optimizer: `servsim optimize`",
        "",
        "An optimizer's file has every key of a sweep's top level except `design:` and "
        "`replications:`, with bounds instead of swept values, and a `search:` section. "
        "The keys it reads differently:",
        "",
        render(search, titles={SearchExperiment: "The top level (what differs)"}),
    ]
    return "\n".join(text)


# --- the KPI catalogue ----------------------------------------------------------------------------
KINDS = {
    "rate": "rate: a share in [0, 1], shown as a percentage",
    "score": "score: a satisfaction score or a customer's trust, in [0, 1]",
    "balance": "balance: a difference of two shares in [-1, 1], shown as a percentage "
    "(the net promoter score)",
    "change": "change: a relative change, -100% (all gone) or more, shown as a percentage",
    "duration": "duration: a time in the scenario's time unit",
    "count": "count: a number of things (≥ 0)",
    "money": "money: in the scenario's currency, over the measured window (a cost is never "
    "negative; a margin or a profit may be)",
}


def kpi_tables() -> str:
    from servsim.core.catalogue import CATALOGUE
    from servsim.core.kpi import Kpi
    from servsim.core.kpi_columns import KPI_GROUPS
    from servsim.core.stages import STAGES

    by_name: dict[str, Kpi] = {kpi.name: kpi for kpi in CATALOGUE}
    unknown = {kpi.kind for kpi in CATALOGUE} - set(KINDS)
    if unknown:
        raise ExtensionError(f"servsim_docs: say what the KPI kind(s) {unknown} mean")
    out = [
        f"The catalogue lists {len(CATALOGUE)} KPIs in {len(KPI_GROUPS)} groups. "
        "*Kind* says how a KPI is measured and shown:",
        "",
        *(f"- {KINDS[kind]}" for kind in KINDS),
        "",
        "*Better* is the direction a planner wants (`neither`: a figure to read, not to push). "
        "*Per segment*: the KPI is measured for each customer segment's orders too, as the "
        "column `kpi[segment]` (`otif[trade]`), and a segment's standards may name it.",
        "",
        "*Only with*: the part of the business the KPI measures, when a scenario may leave it "
        "out. A scenario without that part gives the KPI as NaN (`-`), not 0, and the run "
        "report leaves it out of its headline; decided from the scenario, so a part that is "
        "modelled but had no events in a run (no complaint at all) gives 0. The parts and "
        "what models each:",
        "",
        *(f"- `{stage}`: {words}" for stage, words in STAGES.items()),
        "",
    ]
    for group, names in KPI_GROUPS.items():
        slug = "".join(c if c.isalnum() else "-" for c in group.lower())
        out += [f"(kpi-{slug})=", f"## {group}", ""]
        out += [
            "| KPI | kind | better | per segment | only with | definition |",
            "|---|---|---|---|---|---|",
        ]
        for name in names:
            kpi = by_name[name]
            definition = kpi.definition + (f" (part of `{kpi.part_of}`)" if kpi.part_of else "")
            segment = "yes" if kpi.per_segment else ""
            stage = f"`{kpi.stage}`" if kpi.stage else ""
            out.append(
                f"| `{name}` | {kpi.kind} | {kpi.better} | {segment} | {stage} "
                f"| {_cell(definition)} |"
            )
        out.append("")
    return "\n".join(out)


# --- results folders ------------------------------------------------------------------------------
RUN_FILES = {
    "kpis": "one row per replication: its number, its seed, and every KPI",
    "summary": "one row per KPI: `mean`, `lo`, `hi` (the confidence interval, within what the "
    "KPI can be), `halfwidth`, `n`",
    "orders": "only with `--logs`: one row per order of every replication (the order log)",
    "lines": "only with `--logs`: one row per order line of every replication",
    "stock_levels": "on hand and backorders per sku over time: a step function, one row per change",
    "busy_staff": "busy clerks over time: a step function, one row per change",
    "report_orders": "the columns of `orders` the report draws (cycle time against the promise, "
    "satisfaction lost), so `servsim report` works on a folder written without `--logs`",
    "standards": "only when the scenario has `standards:`: each standard judged met, missed "
    "or unclear",
    "kpis_by_segment": "with `--by segment`, or when a standard is per segment: the KPIs of each "
    "segment's orders, per replication",
    "summary_by_segment": "with `--by segment`: mean and interval per segment and KPI",
    "kpis_by_channel": "with `--by channel`: the KPIs of each order entry channel, per replication",
    "summary_by_channel": "with `--by channel`: mean and interval per channel and KPI",
    "kpis_by_sku": "with `--by sku`: the stock figures of each product, per replication",
    "summary_by_sku": "with `--by sku`: mean and interval per sku and KPI",
}

ORDER_COLUMNS = {
    "replication": "the replication (0, 1, ...) the order belongs to",
    "order": "the order's number within its replication",
    "placed": "when the order was placed",
    "segment": "the customer segment that placed it",
    "promised": "when delivery was promised (placed + the tier's promise, moved by a postponement)",
    "first_promise": "when delivery was first promised (placed + the tier's promise): what the "
    "customer judges lateness against",
    "urgent": "the order asked for urgent delivery (served under the segment's urgent tier)",
    "lines": "order lines (distinct skus)",
    "quantity": "units ordered",
    "filled": "units filled from stock on hand when the order arrived",
    "lost": "units lost (not on hand and not backordered, or cancelled)",
    "substituted": "units served by a substitute sku",
    "backordered": "units that waited for a replenishment",
    "backorder_wait": "unit-time the backordered units waited",
    "postponed": "the customer accepted a later date on a stock-out",
    "quoted": "how much later than the usual promise the order was promised, because it waits "
    "for stock and the firm quotes from the stock's due date (quote_from_stock)",
    "declined": "units the customer left out of the order on seeing them out of stock before "
    "ordering (sees_stock): not ordered, so not counted as lost",
    "cancelled": "short units were cancelled: the customer refused a later date, or stopped "
    "waiting",
    "withdrawn": "its customer cancelled the order after waiting past its patience",
    "allocated": "when the last of its units was allocated (NaN: still waiting at the horizon)",
    "delivered": "when its last shipment was delivered (NaN: not yet)",
    "shipments": "shipments it went in (more than one when it shipped in parts)",
    "expedited": "a shipment was upgraded to a faster carrier mode",
    "damaged": "a shipment was damaged in transit",
    "channel": "the order entry channel",
    "wrong_item": "entered with a wrong item",
    "wrong_invoice": "entered with a wrong invoice",
    "notices": "status notices sent",
    "informed": "the customer was told of a delay before the promise passed",
    "replaces": "the order this replacement order replaces (-1: a customer's own order)",
    "customer": "the customer who placed it, numbered within its segment (-1: the segment's "
    "demand is a fixed stream, customers: none)",
    "outcome": "at the horizon: delivered, in_pipeline, backordered, lost or cancelled",
    "cycle_time": "delivered - placed",
    "on_time": "delivered by the promise",
    "in_full": "no unit lost",
    "known": "its on-time-in-full outcome is settled at the horizon (delivered, units lost, "
    "or still open past its promise)",
    "counted": "placed after the warm-up and not a replacement: counted in the KPIs",
    "resolution_time": "its complaint's resolution time so far (NaN: no complaint)",
    "satisfaction": "the order's satisfaction score on [0, 1]",
    "satisfied": "the score is at or above the segment's threshold",
    "shortfall_reliability": "weighted share of the score lost on reliability",
    "shortfall_responsiveness": "weighted share of the score lost on responsiveness",
    "shortfall_information": "weighted share of the score lost on information",
    "shortfall_tangibles": "weighted share of the score lost on tangibles",
}

LINE_COLUMNS = {
    "replication": "the replication",
    "line": "the line's number within its replication",
    "order": "the order it belongs to",
    "sku": "the product",
    "quantity": "units ordered",
    "filled": "units filled from stock on hand on arrival",
    "lost": "units lost",
    "substituted": "units served by a substitute",
    "substitute": "the substitute sku (none when not substituted)",
    "backordered": "units backordered",
    "backorder_wait": "unit-time its backordered units waited",
    "cancelled": "its short units were cancelled (a later date refused, or the customer "
    "stopped waiting)",
    "declined": "units its customer left out on seeing them out of stock (sees_stock)",
    "allocated": "when its last unit was allocated (NaN: still waiting)",
}

LOCK = ".servsim.lock"

SWEEP_FILES = {
    LOCK: "the operating-system lock a sweep or search holds while it writes the "
    "folder, so that a second writer is refused (an empty file, which may stay when it is "
    "released)",
    "manifest.json": "what the sweep was: the keys below",
    "runs/part-NNNNNN.parquet": "each completed chunk of runs, written the moment it completes "
    "(under a temporary name, then renamed): one row per run",
    "summary.parquet": "one row per point, written when the sweep finishes",
    "summary.csv": "the same as CSV",
}

MANIFEST_KEYS = {
    "name": "the experiment's name (else its file's, else its scenario's)",
    "experiment_file": "the experiment file's absolute path (none for a mapping)",
    "experiment_text": "the experiment file as written",
    "scenario_file": "the scenario file's absolute path",
    "scenario_hash": "a SHA-256 digest of the validated scenario",
    "plan_hash": "a digest of the scenario, seed and points: `--resume` refuses a folder whose "
    "plan differs",
    "servsim_version": "the version that ran it",
    "seed": "the seed of every run",
    "parameters": "the parameters' dotted paths",
    "points": "how many points the design has",
    "design": "the design (`{method: grid}`, ...)",
    "replications": "replications per point, as written (a number, or min, max, until_halfwidth)",
    "objectives": "the cost and satisfaction KPIs",
    "standards": "the standards judged at every point (the experiment's, else the scenario's)",
    "confidence": "the confidence level of every interval",
    "started": "when it started (UTC, ISO 8601)",
    "finished": "when it finished (none while it runs or after a stop)",
    "resumed": "when it was resumed, each time (only after `--resume`)",
    "replications_per_point": "replications each point ended with",
    "runs": "runs in the folder",
}


def _columns(frame: Any) -> str:
    return ", ".join(f"`{column}`" for column in frame.columns)


def _check_described(what: str, found: list[str], described: dict[str, str]) -> None:
    missing = [name for name in found if name not in described]
    if missing:
        raise ExtensionError(f"servsim_docs: describe the {what} {missing} in docs/_ext")


def run_folder() -> str:
    import pandas as pd

    import servsim
    from servsim.run.folder import write_run_folder

    scenario = servsim.load_scenario(ROOT / "scenarios" / "garden_basic.yaml")
    short = scenario.with_overrides({"horizon": "6d", "warmup": "1d"})
    results = servsim.simulate(short, replications=2, seed=1)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        write_run_folder(results, folder, 0.95, by=("segment", "channel", "sku"), logs="parquet")
        tables = {path.stem: pd.read_parquet(path) for path in sorted(folder.glob("*.parquet"))}
        csvs = {path.stem for path in folder.glob("*.csv")}
        series = {"orders", "lines", "stock_levels", "busy_staff", "report_orders"}
        others = sorted(
            path.name for path in folder.iterdir() if path.suffix not in (".csv", ".parquet")
        )
        run = json.loads((folder / "run.json").read_text())
    _check_described("run folder tables", list(tables), RUN_FILES)
    _check_described("order columns", list(tables["orders"].columns), ORDER_COLUMNS)
    _check_described("line columns", list(tables["lines"].columns), LINE_COLUMNS)
    if csvs != set(tables) - series or others != ["run.json", "scenario.yaml"]:
        raise ExtensionError(f"servsim_docs: a run folder changed: {sorted(csvs)}, {others}")
    out = [
        "The KPI tables are written twice, as `NAME.csv` and `NAME.parquet`; the logs and time "
        "series as compressed Parquet (zstd) only, and as CSV too with `--logs csv`. The "
        "tables, in the order below, are read from a folder written by `write_run_folder` "
        "(with the logs) as the docs were built:",
        "",
        "| table | written as | what it holds | columns |",
        "|---|---|---|---|",
    ]
    for name in RUN_FILES:
        if name not in tables:
            raise ExtensionError(f"servsim_docs: a run folder no longer writes {name}")
        shown = _columns(tables[name])
        if name == "kpis":
            shown = "`replication`, `seed`, then every {ref}`KPI <kpi-reference>`"
        elif name in ("orders", "lines"):
            shown = f"{len(tables[name].columns)} columns, each explained below"
        written = "Parquet" if name in series else "CSV and Parquet"
        out.append(f"| `{name}` | {written} | {_cell(RUN_FILES[name])} | {_cell(shown)} |")
    out += [
        "",
        "Besides the tables: `scenario.yaml`, the scenario as run (overrides applied) in the "
        "scenario file format, and `run.json`, the run's "
        + " and ".join(f"`{key}`" for key in run)
        + " (`files`: every file the run wrote, which `--force` replaces as a whole and which "
        "alone it removes). `servsim report` needs `scenario.yaml`, `run.json` and "
        "`kpis.parquet` to know a folder for a run's.",
        "",
        "(run-folder-orders)=",
        "### The columns of `orders`",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{name}` | {_cell(ORDER_COLUMNS[name])} |" for name in tables["orders"].columns),
        "",
        "Times are in the scenario's time unit, from the start of the replication.",
        "",
        "### The columns of `lines`",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{name}` | {_cell(LINE_COLUMNS[name])} |" for name in tables["lines"].columns),
        "",
    ]
    return "\n".join(out)


def sweep_folder() -> str:
    import pandas as pd

    import servsim
    from servsim.core.kpi_columns import KPI_NAMES

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "sweep"
        servsim.sweep(
            {
                "scenario": str(ROOT / "scenarios" / "webshop.yaml"),
                "parameters": {"processing.staff": [2, 3], "horizon": ["12d"], "warmup": ["2d"]},
                "replications": 2,
                "out": str(folder),
            },
            workers=1,
            chunk=2,
        )
        found = sorted(
            str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()
        )
        manifest = json.loads((folder / "manifest.json").read_text())
        runs = pd.read_parquet(next((folder / "runs").glob("part-*.parquet")))
        summary = pd.read_parquet(folder / "summary.parquet")
    shapes = sorted(
        {"runs/part-NNNNNN.parquet" if name.startswith("runs/") else name for name in found}
    )
    # the lock's file stays or goes with the filelock release: described either way
    if set(shapes) - {LOCK} != set(SWEEP_FILES) - {LOCK}:
        raise ExtensionError(f"servsim_docs: a sweep's folder changed: {shapes}")
    _check_described("manifest keys", list(manifest), MANIFEST_KEYS)
    leading = [c for c in runs.columns if c not in KPI_NAMES]
    kpi_part = [c for c in summary.columns if not c.startswith(tuple(f"{k}_" for k in KPI_NAMES))]
    out = [
        "| file | what it holds |",
        "|---|---|",
        *(f"| `{name}` | {_cell(text)} |" for name, text in SWEEP_FILES.items()),
        "",
        "The columns of a part file (read from a sweep of `processing.staff`, `horizon` and "
        "`warmup` run as the docs were built): "
        + ", ".join(f"`{c}`" for c in leading)
        + ": the point, the replication, the run's seed and each parameter's value, then every "
        "{ref}`KPI <kpi-reference>` (and `kpi[segment]` columns when a standard is per segment).",
        "",
        "The columns of `summary`: "
        + ", ".join(f"`{c}`" for c in kpi_part)
        + " (the point, each parameter, the runs behind it), then for every KPI `KPI_mean`, "
        "`KPI_lo`, `KPI_hi` and `KPI_n` (`otif_mean`, `otif_lo`, ...).",
        "",
        "The keys of `manifest.json`:",
        "",
        "| key | meaning |",
        "|---|---|",
        *(f"| `{key}` | {_cell(text)} |" for key, text in MANIFEST_KEYS.items()),
        "",
    ]
    return "\n".join(out)


# --- plotly figures in executed notebooks --------------------------------------------------------
PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOTLY_JS = "plotly.min.js"
"""Copied from the installed plotly into the build's _static: the pages load nothing remote."""


class PlotlyFigures:
    """A myst-nb mime renderer for plotly's JSON output: a div drawn by plotly.js on the page.

    The tour notebook's figures come out of the kernel as plotly JSON only (the default
    renderer in a kernel); myst-nb has no renderer for it and would drop them.
    """

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[Any] | None:
        from docutils import nodes

        if inline or data.mime_type != PLOTLY_MIME:
            return None
        env = renderer.renderer.document.settings.env
        shown = env.servsim_plotly_pages.setdefault(env.docname, 0) + 1
        env.servsim_plotly_pages[env.docname] = shown
        figure = data.content if isinstance(data.content, dict) else json.loads(data.content)
        spec = json.dumps(
            {"data": figure.get("data", []), "layout": figure.get("layout", {})}
        ).replace("</", "<\\/")
        element = f"plotly-figure-{shown}"
        height = int(figure.get("layout", {}).get("height") or 480)
        html = (
            f'<div id="{element}" class="plotly-figure" style="width: 100%; height: {height}px">'
            "</div>"
            f'<script>window.addEventListener("load", function () {{ const figure = {spec}; '
            f'Plotly.newPlot("{element}", figure.data, figure.layout, {{responsive: true}}); '
            "});</script>"
        )
        return [nodes.raw("", html, format="html")]


def _render_plotly(app: Sphinx) -> None:
    """Add the plotly renderer to myst-nb's mime renderers (it finds them by entry point)."""
    from myst_nb.core import render

    found = render.load_mime_renders
    if getattr(found, "servsim", False):
        return

    def with_plotly() -> list[Any]:
        return [*found(), PlotlyFigures]

    with_plotly.servsim = True  # type: ignore[attr-defined]
    render.load_mime_renders = with_plotly
    if not hasattr(app.env, "servsim_plotly_pages"):
        app.env.servsim_plotly_pages = {}  # type: ignore[attr-defined]


def _purge_plotly(app: Sphinx, env: Any, docname: str) -> None:
    getattr(env, "servsim_plotly_pages", {}).pop(docname, None)


def _plotly_script(app: Sphinx, pagename: str, *_: Any) -> None:
    if pagename in getattr(app.env, "servsim_plotly_pages", {}):
        app.add_js_file(PLOTLY_JS)


def _copy_plotly(app: Sphinx, error: Exception | None) -> None:
    if error is None and app.builder.format == "html":
        import shutil

        import plotly

        source = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
        target = Path(app.outdir) / "_static" / PLOTLY_JS
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


# --- the extension --------------------------------------------------------------------------------
PAGES: dict[str, Callable[[], str]] = {
    "scenario-fields.md": scenario_fields,
    "experiment-fields.md": experiment_fields,
    "kpis.md": kpi_tables,
    "run-folder.md": run_folder,
    "sweep-folder.md": sweep_folder,
}


def _generate(app: Sphinx) -> None:
    folder = Path(app.srcdir) / "reference" / "_generated"
    folder.mkdir(exist_ok=True)
    for name, make in PAGES.items():
        text = "<!-- generated by docs/_ext/servsim_docs.py; do not edit -->\n\n" + make()
        path = folder / name
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _generate)
    app.connect("builder-inited", _render_plotly)
    app.connect("env-purge-doc", _purge_plotly)
    app.connect("html-page-context", _plotly_script)
    app.connect("build-finished", _copy_plotly)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
