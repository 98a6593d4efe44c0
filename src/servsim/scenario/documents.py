"""Scenario and experiment documents: YAML read with the line of every key, and validated.

A document is validated against the model it should be (a Scenario, an Experiment); every
problem comes back located by file, line and data path, all of them at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel

from servsim.core.errors import Problem, ScenarioError, dotted, sorted_by_line
from servsim.core.units import TimeUnit
from servsim.core.validation import problems_from_errors, validate_all
from servsim.scenario.history_reading import read_histories
from servsim.scenario.reading import Loader, check_characters, check_shape, read_text

DataPath = tuple[str | int, ...]
Model = TypeVar("Model", bound=BaseModel)

_MERGE_TAG = "tag:yaml.org,2002:merge"


def plain(value: Any) -> Any:
    """A deep copy made of plain dicts and lists, so the caller's objects are never shared."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def validate_document(
    document: Any,
    model: type[Model],
    *,
    file: str | None,
    lines: Mapping[DataPath, int],
    source_path: Path | None = None,
    problems: list[Problem] | None = None,
) -> Model:
    """Validate a raw document as ``model`` (a scenario, with its time unit); the result keeps
    the document, so overrides can be applied to it later."""
    found = list(problems or [])
    if not isinstance(document, dict):
        raise ScenarioError([*found, _not_a_mapping(document, model, file, lines.get(()))])
    time_unit = document.get("time_unit")
    known_unit = time_unit if time_unit in get_args(TimeUnit) else "hours"
    histories, unread = read_histories(document, source_path, file, dict(lines), str(known_unit))
    found += unread
    checked = validate_all(
        model, document, context={"time_unit": known_unit, "histories": histories}
    )
    found += problems_from_errors(checked.errors, model, document, file=file, lines=lines)
    if found or checked.model is None:
        raise ScenarioError(sorted_by_line(found))
    validated = checked.model
    validated._source = document  # type: ignore[attr-defined]
    validated._source_path = source_path  # type: ignore[attr-defined]
    validated._lines = dict(lines)  # type: ignore[attr-defined]
    return validated


def _required_keys(model: type[BaseModel]) -> str:
    return ", ".join(
        field.alias or name for name, field in model.model_fields.items() if field.is_required()
    )


def _not_a_mapping(
    document: Any, model: type[BaseModel], file: str | None, line: int | None
) -> Problem:
    kind = "a list" if isinstance(document, list) else f"the value {document!r}"
    return Problem(
        file,
        line,
        "",
        f"the top level must be a mapping of keys ({_required_keys(model)}), got {kind}",
    )


# --- YAML with line numbers --------------------------------------------------------------------
def read_document(
    path: Path, model: type[BaseModel]
) -> tuple[Any, dict[DataPath, int], list[Problem]]:
    """Parse a YAML file as ``yaml.safe_load`` would, plus the line of every key and list entry.

    ``model`` is the kind of file expected (a Scenario, an Experiment), named in the messages.
    Only a regular file is read, and only within the bounds of :mod:`servsim.scenario.reading`.
    """
    return parse_document(read_text(path, model.__name__.lower()), str(path), model)


def parse_document(
    text: str, file: str, model: type[BaseModel]
) -> tuple[Any, dict[DataPath, int], list[Problem]]:
    """The document in ``text`` (the contents of ``file``), with its lines and the keys given
    twice; bad text, YAML or shape is one located problem, whatever the text holds."""
    kind = model.__name__.lower()
    article = "an" if kind[0] in "aeiou" else "a"
    check_characters(text, file, kind)
    check_shape(text, file, kind)
    lines: dict[DataPath, int] = {}
    problems: list[Problem] = []
    loader = None
    try:
        loader = Loader(text)
        node = loader.get_single_node()
        if node is None:
            message = f"the file is empty; {article} {kind} needs at least: {_required_keys(model)}"
            raise ScenarioError([Problem(file, None, "", message)])
        _record_lines(loader, node, (), lines, problems, file, frozenset())
        document = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise ScenarioError([_yaml_problem(error, file)]) from None
    except yaml.YAMLError as error:
        raise ScenarioError([Problem(file, None, "", f"not valid YAML: {error}")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return document, lines, problems


def _yaml_problem(error: yaml.MarkedYAMLError, file: str) -> Problem:
    """The YAML parser's complaint, on the line where it noticed it."""
    line = error.problem_mark.line + 1 if error.problem_mark is not None else None
    message = f"not valid YAML: {error.problem or error}"
    if error.context:
        context = error.context
        if error.context_mark is not None and error.context_mark.line + 1 != line:
            context += f" that starts on line {error.context_mark.line + 1}"
        message += f" ({context})"
    if error.problem and ("'\\t'" in error.problem or "tab character" in error.problem):
        message += "; indent with spaces, not tabs"
    return Problem(file, line, "", message)


def _pairs(loader: Loader, node: yaml.MappingNode) -> tuple[list[Any], list[Any]]:
    """The (key, value) nodes a mapping gets from ``<<:`` merges, and those it writes itself."""
    merged: list[Any] = []
    own: list[Any] = []
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE_TAG:
            own.append((key_node, value_node))
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if isinstance(source, yaml.MappingNode):
                merged += [pair for group in _pairs(loader, source) for pair in group]
    return merged, own


def _record_lines(
    loader: Loader,
    node: yaml.Node,
    path: DataPath,
    lines: dict[DataPath, int],
    problems: list[Problem],
    file: str,
    ancestors: frozenset[int],
) -> None:
    """Fill ``lines`` (path -> 1-based line) for ``node`` and below; note keys given twice."""
    if not path:
        lines[()] = node.start_mark.line + 1
    if id(node) in ancestors:
        return
    ancestors = ancestors | {id(node)}
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _record_lines(loader, item, (*path, index), lines, problems, file, ancestors)
    elif isinstance(node, yaml.MappingNode):
        merged, own = _pairs(loader, node)
        first_seen: dict[Any, int] = {}
        for position, (key_node, value_node) in enumerate(merged + own):
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if position >= len(merged):
                if key in first_seen:
                    problems.append(
                        Problem(
                            file,
                            line,
                            dotted((*path, key)),
                            f"key {key!r} is given twice (also on line {first_seen[key]});"
                            " keep one, the later would silently win",
                        )
                    )
                first_seen.setdefault(key, line)
            lines[(*path, key)] = line
            _record_lines(loader, value_node, (*path, key), lines, problems, file, ancestors)
