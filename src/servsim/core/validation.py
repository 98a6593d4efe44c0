"""Pydantic's validation errors in a planner's words, located where the file wrote the value.

Each error is translated into a Problem: located by pydantic's own error location, followed
through the data as written (never by pydantic's internal union names), with what is wrong and
what is allowed. Checks that span several fields (a segment naming a sku no product has) report
through :class:`CrossChecks`, so they too carry their exact location, all at once.

Pydantic runs a model's checks across its fields only when every field is valid, so a value
refused deep in a file (a mix summing to 1.2) would hide every check above it (the same mix
naming a sku no product has) until it is fixed. :func:`validate_all` therefore validates a
file that has problems a second time, *leniently*: value checks written with :func:`refuse`
let the value through, so the checks across fields above them run too, and what they find
is reported with the rest, in one pass.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from types import UnionType
from typing import Annotated, Any, Generic, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from servsim.core.errors import Path, Problem, dotted, line_of, show

CROSS_CHECK = "cross_check"
"""The error type of a problem found by a check across fields (its message is complete)."""

Model = TypeVar("Model", bound=BaseModel)

_WAIVED: ContextVar[dict[int, tuple[BaseModel, list[InitErrorDetails]]] | None] = ContextVar(
    "servsim_waived_checks", default=None
)
"""During a lenient pass: what each model's checks across fields found, by the model's id."""


def refuse(message: str) -> None:
    """A value check failed: ValueError with ``message``. In the lenient pass of
    :func:`validate_all` nothing happens (the first pass reported it), so the value is let
    through and the checks that depend on it still run; write value checks with it, as
    ``if bad: refuse(...)``, and keep them going sensibly past it."""
    if _WAIVED.get() is None:
        raise ValueError(message)


@contextmanager
def _lenient() -> Iterator[dict[int, tuple[BaseModel, list[InitErrorDetails]]]]:
    found: dict[int, tuple[BaseModel, list[InitErrorDetails]]] = {}
    token = _WAIVED.set(found)
    try:
        yield found
    finally:
        _WAIVED.reset(token)


class CrossChecks:
    """The problems a model's check across its fields finds, each at its own place.

    Raised together as one ValidationError, which pydantic merges into the validation of the
    whole file with the location of the model prefixed, so every problem is reported at once
    and located without parsing messages.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.found: list[InitErrorDetails] = []

    def add(self, where: Sequence[str | int], message: str, value: Any = None) -> None:
        """A problem at ``where`` (a path below the model being checked)."""
        error = PydanticCustomError(CROSS_CHECK, "{message}", {"message": message})
        self.found.append(InitErrorDetails(type=error, loc=tuple(where), input=value))

    def raise_any(self, model: BaseModel | None = None) -> None:
        """Raise what was found, if anything. ``model`` is the model checked: in the lenient
        pass of :func:`validate_all` its problems are kept for it instead, so that the checks
        of the models around it run too."""
        if not self.found:
            return
        waived = _WAIVED.get()
        if waived is not None and model is not None:
            waived[id(model)] = (model, list(self.found))
            return
        raise ValidationError.from_exception_data(self.title, self.found)


@dataclasses.dataclass
class Validated(Generic[Model]):
    """A document validated by :func:`validate_all`."""

    model: Model | None
    """The model, None when the document has problems."""
    errors: list[ErrorDetails] = dataclasses.field(default_factory=list)
    """Every problem found, each at its place (pydantic's error details)."""
    lenient: Model | None = None
    """With problems: the model as the lenient pass built it (value checks waived), for
    later checks that look at parts the problems do not touch; None when it could not."""


def validate_all(
    model: type[Model], document: Any, context: dict[str, Any] | None = None
) -> Validated[Model]:
    """Validate ``document`` as ``model``, finding every problem of it in one pass.

    When pydantic refuses the document, it is validated again leniently: values refused by
    :func:`refuse` are let through, a number outside a bound (``ge``, ``le``) is read as the
    bound, and an unknown key is left out. The problems that the checks across fields find
    then, which pydantic skipped the first time above a refused value, join the first ones;
    but not those of a section that holds a refused value (they may be about the stand-in,
    not about what was written).
    """
    try:
        return Validated(model.model_validate(document, context=context))
    except ValidationError as error:
        errors = error.errors(include_url=False)
    lenient: Model | None = None
    stand_ins = document
    for found in errors:
        path = _data_path(found["loc"], document, missing=False)
        if found["type"] == "extra_forbidden" and path:
            stand_ins = _with_value(stand_ins, path, _LEFT_OUT)
        elif found["type"] in _STAND_INS and path:
            bound = (found.get("ctx") or {}).get(_STAND_INS[found["type"]])
            if bound is not None:
                stand_ins = _with_value(stand_ins, path, bound)
    with _lenient() as waived:
        try:
            lenient = model.model_validate(stand_ins, context=context)
        except Exception:  # noqa: BLE001 - a best effort: the first pass's problems stand
            lenient = None
    if lenient is not None:
        seen = {(tuple(found["loc"]), found["msg"]) for found in errors}
        refused = [_data_path(found["loc"], document, missing=False) for found in errors]
        for details in _waived_errors(lenient, (), waived):
            where = _data_path(details["loc"], document, missing=False)
            holds_refused = any(len(p) > len(where) and p[: len(where)] == where for p in refused)
            if (tuple(details["loc"]), details["msg"]) not in seen and not holds_refused:
                errors.append(details)
    return Validated(None, errors, lenient)


_STAND_INS = {"greater_than_equal": "ge", "less_than_equal": "le"}
"""Errors whose value the lenient pass replaces by the bound it broke."""


_LEFT_OUT = object()


def _with_value(data: Any, path: Sequence[str | int], value: Any) -> Any:
    """``data`` with the value at ``path`` replaced (``_LEFT_OUT``: the key removed), the
    containers along it copied."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    if isinstance(data, Mapping) and key in data:
        if not rest and value is _LEFT_OUT:
            return {k: v for k, v in data.items() if k != key}
        return {**data, key: _with_value(data[key], rest, value)}
    if isinstance(data, list) and isinstance(key, int):
        return [_with_value(item, rest, value) if i == key else item for i, item in enumerate(data)]
    return data


def _waived_errors(
    node: Any, where: tuple[str | int, ...], waived: dict[int, tuple[BaseModel, list[Any]]]
) -> Iterator[ErrorDetails]:
    """The problems the lenient pass kept for the models within ``node``, located."""
    if isinstance(node, BaseModel):
        if id(node) in waived and waived[id(node)][0] is node:
            for found in waived[id(node)][1]:
                kind = found["type"]
                message = kind.message() if isinstance(kind, PydanticCustomError) else str(kind)
                yield ErrorDetails(
                    type=CROSS_CHECK,
                    loc=(*where, *found["loc"]),
                    msg=message,
                    input=found["input"],
                    ctx={"message": message},
                )
        for name, info in type(node).model_fields.items():
            yield from _waived_errors(getattr(node, name), (*where, info.alias or name), waived)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _waived_errors(value, (*where, key), waived)
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from _waived_errors(value, (*where, index), waived)


# --- walking the schema along a data path ------------------------------------------------------
def _members(annotation: Any) -> list[Any]:
    """The concrete types an annotation stands for, with Annotated and unions unwrapped."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        return [member for argument in get_args(annotation) for member in _members(argument)]
    return [annotation]


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _public_fields(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """Fields as keys written in files (alias first); internal, excluded fields are left out."""
    return [
        (field.alias or name, field)
        for name, field in model.model_fields.items()
        if not field.exclude
    ]


def _field_for_key(model: type[BaseModel], key: object) -> FieldInfo | None:
    config = model.model_config
    by_name = config.get("populate_by_name") or config.get("validate_by_name")
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        if key == (field.alias or name) or (by_name and key == name):
            return field
    return None


def _tags_agree(model: type[BaseModel], data: Mapping[Any, Any]) -> bool:
    """Whether the data's tag values (``policy: sS``) are ones this union member accepts."""
    for key, field in _public_fields(model):
        tagged = get_origin(field.annotation) is Literal and key in data
        if tagged and data[key] not in get_args(field.annotation):
            return False
    return True


def _with_shorthands(kinds: list[Any]) -> list[Any]:
    """Add the models a section may also be written as (a class's ``shorthand``)."""
    expanded = list(kinds)
    for kind in kinds:
        shorthand = getattr(kind, "shorthand", None) if _is_model(kind) else None
        if shorthand is not None and shorthand not in expanded:
            expanded.append(shorthand)
    return expanded


def _narrow(kinds: list[Any], data: Any) -> list[Any]:
    """Keep the union members the data's tags select; all of them when none is selected."""
    if not isinstance(data, Mapping):
        return kinds
    agreeing = [kind for kind in kinds if not _is_model(kind) or _tags_agree(kind, data)]
    return agreeing or kinds


def _child(data: Any, key: str | int) -> Any:
    if isinstance(data, Mapping):
        return data.get(key)
    if isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
        return data[key]
    return None


def _contains(data: Any, key: str | int) -> bool:
    if isinstance(data, Mapping):
        return key in data
    return isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)


def _kinds_and_fields_at(
    model: type[BaseModel], path: Sequence[str | int], data: Any
) -> tuple[list[Any], list[FieldInfo]]:
    """The types the schema allows at ``path`` and the model fields that lead there."""
    kinds: list[Any] = [model]
    fields: list[FieldInfo] = []
    for key in path:
        kinds = _narrow(_with_shorthands(kinds), data)
        data = _child(data, key)
        following: list[Any] = []
        fields = []
        for kind in kinds:
            origin = get_origin(kind)
            if _is_model(kind):
                field = _field_for_key(kind, key)
                if field is not None:
                    fields.append(field)
                    following += _members(field.annotation)
            elif origin is dict:
                following += _members(get_args(kind)[1])
            elif origin is list and isinstance(key, int) and not isinstance(key, bool):
                following += _members(get_args(kind)[0])
        kinds = following
    return _narrow(_with_shorthands(kinds), data), fields


def keys_allowed_at(
    model: type[BaseModel], path: Sequence[str | int], data: Any
) -> list[str] | None:
    """Keys the schema allows in the mapping at ``path``; None when any key is (a sku table)."""
    kinds, _ = _kinds_and_fields_at(model, path, data)
    if any(get_origin(kind) is dict for kind in kinds):
        return None
    allowed: list[str] = []
    for kind in kinds:
        if _is_model(kind):
            allowed += [key for key, _ in _public_fields(kind) if key not in allowed]
    return allowed


def accepts_key(model: type[BaseModel], path: Sequence[str | int], data: Any, key: str) -> bool:
    """Whether the schema allows ``key`` in the mapping at ``path`` (so an override may add it)."""
    kinds, _ = _kinds_and_fields_at(model, path, data)
    return any(
        get_origin(kind) is dict or (_is_model(kind) and _field_for_key(kind, key) is not None)
        for kind in kinds
    )


def unknown_key_message(key: object, allowed: Sequence[str]) -> str:
    """Say which key is unknown, the likely intended one, and every key allowed at that place."""
    close = difflib.get_close_matches(str(key), list(allowed), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    listed = ", ".join(allowed) if allowed else "none (this is a single value, not a section)"
    return f"unknown key {key!r}{hint}; allowed keys here: {listed}"


# --- from pydantic's errors to problems ----------------------------------------------------------
_COMPARISONS = {
    "greater_than": (">", "gt"),
    "greater_than_equal": (">=", "ge"),
    "less_than": ("<", "lt"),
    "less_than_equal": ("<=", "le"),
}

_EXPECTED = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "finite_number": "a finite number",
    "dict_type": "a mapping of keys to values (key: value)",
    "list_type": "a list (lines starting with '- ', or [a, b])",
}

_SECTION_TYPES = ("model_type", "model_attributes_type", "dataclass_type")


def _number(value: Any) -> str:
    """A bound or a value in a message: whole numbers with thousands separated."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**16:
        return f"{value:,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{float(value):.6g}" if value.bit_length() < 1000 else "a number too large"
    return show(value)


def _data_path(loc: Sequence[str | int], data: Any, missing: bool) -> list[str | int]:
    """Follow pydantic's loc through the data, skipping what is not in it (union tags)."""
    path: list[str | int] = []
    node = data
    for element in loc:
        if _contains(node, element):
            node = _child(node, element)
            path.append(element)
    if missing and loc and isinstance(node, Mapping) and loc[-1] not in node:
        path.append(loc[-1])
    return path


def _tags_expected(kinds: list[Any], tag_key: str) -> list[str]:
    tags: list[str] = []
    for kind in kinds:
        if _is_model(kind):
            field = _field_for_key(kind, tag_key)
            if field is not None and get_origin(field.annotation) is Literal:
                tags += [str(tag) for tag in get_args(field.annotation) if str(tag) not in tags]
    return tags


def _describe(
    details: ErrorDetails, model: type[BaseModel], path: list[str | int], data: Any
) -> str:
    """Pydantic's error in plain words: what is wrong and what is allowed."""
    kind = details["type"]
    context = details.get("ctx") or {}
    value = details.get("input")
    if kind == "missing":
        kinds, fields = _kinds_and_fields_at(model, path, data)
        words = "required key is missing"
        if fields and fields[0].description:
            words += f" ({fields[0].description})"
        choices = [str(choice) for k in kinds if get_origin(k) is Literal for choice in get_args(k)]
        return words + (f"; allowed: {', '.join(choices)}" if choices else "")
    if kind == "extra_forbidden":
        key = details["loc"][-1]
        allowed = keys_allowed_at(model, path[:-1], data) or []
        return unknown_key_message(key, allowed)
    if kind in _COMPARISONS:
        symbol, bound = _COMPARISONS[kind]
        about = ""
        if bound in ("le", "lt"):  # an upper bound: say what the field is, and its bound
            _, fields = _kinds_and_fields_at(model, path, data)
            about = f": {fields[0].description}" if fields and fields[0].description else ""
        return f"must be {symbol} {_number(context.get(bound))}, got {_number(value)}{about}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {show(value)}"
    if kind in _SECTION_TYPES:
        allowed = keys_allowed_at(model, path, data) or []
        return f"expected a section with keys ({', '.join(allowed)}), got {show(value)}"
    if kind == "literal_error":
        choices = re.findall(r"'((?:[^'\\]|\\.)*)'", str(context.get("expected", "")))
        return f"got {show(value)}; allowed: {', '.join(choices)}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag_key = str(context.get("discriminator", "")).strip("'")
        kinds, _ = _kinds_and_fields_at(model, path, data)
        tags = ", ".join(_tags_expected(kinds, tag_key))
        if kind == "union_tag_invalid":
            return f"unknown {tag_key} {show(context.get('tag'))}; allowed: {tags}"
        return f"needs a '{tag_key}:' key; allowed: {tags}"
    if kind == "string_too_short" and context.get("min_length") == 1:
        return "must not be empty"
    if kind in ("too_short", "too_long"):
        bound = "at least" if kind == "too_short" else "at most"
        limit = context.get("min_length" if kind == "too_short" else "max_length")
        return f"needs {bound} {limit} entries, got {context.get('actual_length')}"
    if kind == CROSS_CHECK:
        return str(context["message"])
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    return re.sub(r"^(Value|Assertion) error, ", "", details["msg"])


MOST_DESCRIBED = 100
"""Errors described in full (with the keys allowed and the likely typo); those after them in
the file get a short message, so a file of 10,000 stray keys is answered at once."""


def problems_from_validation_error(
    error: ValidationError,
    model: type[BaseModel],
    data: Any,
    *,
    file: str | None = None,
    lines: Mapping[Path, int] | None = None,
) -> list[Problem]:
    """Translate every error of a failed validation of ``data`` into a located, plain problem,
    in the order of the file."""
    return problems_from_errors(
        error.errors(include_url=False), model, data, file=file, lines=lines
    )


def problems_from_errors(
    errors: Sequence[ErrorDetails],
    model: type[BaseModel],
    data: Any,
    *,
    file: str | None = None,
    lines: Mapping[Path, int] | None = None,
) -> list[Problem]:
    """Every error of a validation of ``data`` (pydantic's details, or :func:`validate_all`'s)
    as a located, plain problem, in the order of the file."""
    located = []
    for details in errors:
        path = _data_path(details["loc"], data, missing=details["type"] == "missing")
        line = line_of(path, lines) if lines else None
        located.append((line, path, details))
    located.sort(key=lambda found: (found[0] is None, found[0] or 0))
    problems: dict[Problem, None] = {}
    for position, (line, path, details) in enumerate(located):
        if position >= MOST_DESCRIBED and details["type"] == "extra_forbidden":
            message = f"unknown key {details['loc'][-1]!r}"
        else:
            message = _describe(details, model, path, data)
        problems.setdefault(Problem(file=file, line=line, path=dotted(path), message=message))
    return list(problems)


def relocated(error: ValidationError, prefix: Sequence[str | int]) -> ValidationError:
    """The same errors placed under ``prefix``: for a part of a file validated on its own (a
    segment's satisfaction settings), so each error keeps its kind, context and exact place."""
    checks = CrossChecks(error.title)
    for details in error.errors():
        kind = PydanticCustomError(details["type"], details["msg"], details.get("ctx"))
        checks.found.append(
            InitErrorDetails(type=kind, loc=(*prefix, *details["loc"]), input=details["input"])
        )
    return ValidationError.from_exception_data(error.title, checks.found)
