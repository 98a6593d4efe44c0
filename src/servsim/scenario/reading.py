"""Reading a scenario or experiment file whatever it holds: bounded, and only regular files.

Files come from planners, but also from downloads, generators and mistyped paths (a FIFO, a
device, a log of gigabytes). Whatever the path names, reading ends quickly in YAML text of a
bounded size, depth and alias expansion, or in one problem saying what is wrong and what is
allowed; nothing is read beyond the bound, nothing waits for a writer, nothing recurses deeply.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from servsim.core.errors import Problem, ScenarioError

MOST_BYTES = 1_048_576
"""Largest file read (1 MiB): the example scenarios are under 6 KB."""

MOST_DEPTH = 50
"""Deepest nesting of sections and lists (the examples nest 6 deep)."""

MOST_VALUES = 100_000
"""Most values (keys, entries, scalars) a file may hold, counting an alias's values each time
it is used: a file of 10,000 products stays well below; an alias bomb does not."""

MOST_DIGITS = 100
"""Longest whole number (in digits): every count in a scenario has at most 19."""

_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""What YAML does not allow in a file: control characters, NUL, lone surrogates."""

_FILE_TYPES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _problem(file: str, line: int | None, message: str) -> ScenarioError:
    return ScenarioError([Problem(file, line, "", message)])


def read_text(path: Path, kind: str) -> str:
    """The text of ``path``: a regular file of at most MOST_BYTES, UTF-8 (or with a BOM).

    ``kind`` names the file expected (scenario, experiment) in the messages. The file is opened
    without blocking, so a FIFO is refused at once instead of waiting for a writer.
    """
    file = str(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise _problem(file, None, "file not found") from None
    except IsADirectoryError:
        raise _problem(file, None, f"is a folder, not a {kind} file") from None
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise _problem(file, None, f"cannot read the file: {reason}") from None
    try:
        raw = _read_regular(descriptor, file, kind)
    finally:
        os.close(descriptor)
    return decode(raw, file, kind)


def _read_regular(descriptor: int, file: str, kind: str) -> bytes:
    mode = os.fstat(descriptor).st_mode
    for test, name in _FILE_TYPES:
        if test(mode):
            detail = f", not a {kind} file" if name == "a folder" else "; give a regular file"
            raise _problem(file, None, f"is {name}{detail}")
    if not stat.S_ISREG(mode):
        raise _problem(file, None, f"is not a regular file; give a {kind} file")
    chunks: list[bytes] = []
    size = 0
    while size <= MOST_BYTES:
        try:
            chunk = os.read(descriptor, MOST_BYTES + 1 - size)
        except OSError as error:
            raise _problem(file, None, f"cannot read the file: {error.strerror}") from None
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > MOST_BYTES:
        raise _problem(
            file,
            None,
            f"the file is larger than {MOST_BYTES:,} bytes (1 MiB), the most a {kind} file may "
            "be (the examples are under 6 KB); is it the right file?",
        )
    return b"".join(chunks)


def decode(raw: bytes, file: str, kind: str) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is allowed); anything else is refused, located."""
    article = "an" if kind[0] in "aeiou" else "a"
    utf8 = f"not a text file: {article} {kind} is YAML text in UTF-8"
    for bom, encoding in _WIDE_BOMS:
        if raw.startswith(bom):
            raise _problem(file, 1, f"{utf8} (this starts like {encoding}: save it as UTF-8)")
    if b"\x00" in raw and _looks_like_utf16(raw):
        raise _problem(
            file,
            1,
            f"looks like UTF-16 text without a byte-order mark; save the {kind} as UTF-8",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise _problem(file, line, utf8) from None


def _looks_like_utf16(raw: bytes) -> bool:
    """Most ASCII text in UTF-16 has a NUL in every other byte."""
    half = max(1, len(raw) // 2)
    return raw[1::2].count(0) > half // 2 or raw[0::2].count(0) > half // 2


def check_characters(text: str, file: str, kind: str) -> None:
    """Refuse control characters (NUL included), which YAML does not allow, at their line."""
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return
    character = found.group()
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    name = "a NUL byte" if character == "\x00" else "the control character"
    raise _problem(
        file,
        line,
        f"contains {name} U+{ord(character):04X} at column {column}; a {kind} file is "
        "printable text (tabs and line breaks allowed)",
    )


# --- the shape of the YAML, measured on the parser's events before any node is built ----------
def check_shape(text: str, file: str, kind: str) -> None:
    """Refuse nesting deeper than MOST_DEPTH, more than MOST_VALUES values once aliases and
    merges are expanded, and an alias used inside its own anchor, from the event stream alone
    (flat and linear in the text; building nodes would recurse, expanding them would explode)."""
    parser = _Parser(text)
    open_anchors: list[str | None] = []
    sizes: dict[str, int] = {}
    counts: list[int] = []
    total = 0
    expanded = False
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                return
            if isinstance(event, yaml.CollectionStartEvent):
                open_anchors.append(event.anchor)
                counts.append(1)
                total += 1
                if len(counts) > MOST_DEPTH:
                    raise _problem(
                        file,
                        _line(event),
                        f"nested more than {MOST_DEPTH} levels deep; a {kind} nests at most "
                        f"{MOST_DEPTH} (the examples nest 6)",
                    )
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, size = open_anchors.pop(), counts.pop()
                if anchor is not None:
                    sizes[anchor] = size
                if counts:
                    counts[-1] += size
                continue
            if isinstance(event, yaml.AliasEvent):
                if event.anchor in open_anchors:
                    raise _problem(
                        file,
                        _line(event),
                        f"alias *{event.anchor} is used inside its own anchor "
                        f"&{event.anchor}: a value cannot contain itself",
                    )
                size = sizes.get(event.anchor, 1)  # unknown anchors: the composer says so
                expanded = expanded or size > 1
            elif isinstance(event, yaml.ScalarEvent):
                size = 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            else:
                continue
            total += size
            if counts:
                counts[-1] += size
            if total > MOST_VALUES:
                how = " once its aliases (*name) and merges (<<:) are expanded" if expanded else ""
                raise _problem(
                    file,
                    _line(event),
                    f"holds more than {MOST_VALUES:,} values{how}; a {kind} holds at most "
                    f"{MOST_VALUES:,} (the examples hold under 1,000)",
                )
    except yaml.YAMLError:
        return  # the composer reports the same error, with its context, next
    finally:
        parser.dispose()


def _line(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return None if mark is None else mark.line + 1


# --- the loader: libyaml where installed, bounded numbers ---------------------------------------
class BoundedConstructor(yaml.constructor.SafeConstructor):
    """Safe construction, with whole numbers bounded in length before Python converts them
    (which would refuse more than 4,300 digits with a traceback)."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(character.isdigit() for character in str(node.value))
        if digits > MOST_DIGITS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a number of {digits:,} digits; numbers have at most {MOST_DIGITS} digits",
                node.start_mark,
            )
        return super().construct_yaml_int(node)  # type: ignore[no-any-return]


BoundedConstructor.add_constructor(
    "tag:yaml.org,2002:int",
    BoundedConstructor.construct_yaml_int,  # type: ignore[arg-type]
)

_CParser: Any = getattr(yaml, "CParser", None) or getattr(
    getattr(yaml, "_yaml", None), "CParser", None
)

if _CParser is not None:

    class _Parser(_CParser):  # type: ignore[misc, no-redef]
        """libyaml's parser: events only (for check_shape)."""

    class Loader(_CParser, BoundedConstructor, yaml.resolver.Resolver):  # type: ignore[misc]
        """libyaml's parser and composer (fast, with every node's line) and bounded numbers."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            BoundedConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _Parser(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser
    ):
        """PyYAML's pure-Python parser: events only (for check_shape)."""

        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)

    class Loader(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        BoundedConstructor,
        yaml.resolver.Resolver,
    ):
        """PyYAML's pure-Python loader with bounded numbers."""

        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            BoundedConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
