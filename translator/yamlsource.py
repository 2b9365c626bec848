"""Safe YAML reading that keeps the file, line and column of every node.

Documents are composed with PyYAML's libyaml composer when available (fast, and
it never constructs Python objects from tags), then built here into plain
dicts and lists that remember where each key and value came from. Plain
scalars resolve with the YAML 1.2 core schema, as Docker Compose's YAML
library does: ``no``/``on`` stay strings, only ``true``/``false`` are booleans.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import yaml

from translator.source import InputError, Position

_PLAIN = "!translate/plain"
_intern = sys.intern


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _PlainResolver(yaml.resolver.BaseResolver):
    """Marks every untagged plain scalar so that the core schema is applied here, not YAML 1.1's.

    libyaml's composer calls ``resolve`` for every node; this one decides without regexes.
    """

    def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _PureParser(Reader, Scanner, Parser, Composer):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

    _Parser = _PureParser  # type: ignore[misc, assignment]


class _Loader(_Parser, _PlainResolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _PlainResolver.__init__(self)
        # The composer calls these around every node for path resolvers, which this loader never
        # registers: C callables that do nothing cost a fraction of the Python methods.
        self.descend_resolver = {}.get  # type: ignore[method-assign, assignment]
        self.ascend_resolver = tuple  # type: ignore[method-assign, assignment]


# Bounds that keep hostile documents (alias bombs, deep nesting) cheap to reject.
MAX_NODES = 2_000_000
MAX_DEPTH = 400
MAX_FILE_BYTES = 16 * 1024 * 1024  # far beyond any real manifest; bounds time and memory

# Tags Compose gives meaning to; kept on the parent so the merge step can act on them.
COMPOSE_TAGS = frozenset({"!reset", "!override"})
_STANDARD = "tag:yaml.org,2002:"
_STANDARD_TAGS = frozenset(
    _STANDARD + kind for kind in ("str", "int", "float", "bool", "null", "map", "seq", "binary", "timestamp")
)

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_INT_PREFIXED = re.compile(r"^[-+]?0(x[0-9a-fA-F_]+|o[0-7_]+|b[01_]+|[0-7_]+)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)$")
_NAN = re.compile(r"^\.(nan|NaN|NAN)$")


class YamlMap(dict[str, Any]):
    """A mapping with the position of itself, of each key and of each value."""

    __slots__ = ("key_pos", "pos", "tags", "value_pos")

    def __init__(self, pos: Position) -> None:
        # No dict.__init__() call: with no arguments it does nothing, and maps are made by the
        # hundred thousand.
        self.pos = pos
        self.key_pos: dict[str, Position] = {}
        self.value_pos: dict[str, Position] = {}
        self.tags: dict[str, str] = {}

    def set(self, key: str, value: Any, key_pos: Position, value_pos: Position) -> None:
        self[key] = value
        self.key_pos[key] = key_pos
        self.value_pos[key] = value_pos

    def where(self, key: str) -> Position:
        """Position of ``key``'s value, falling back to the key and then the mapping."""
        return self.value_pos.get(key) or self.key_pos.get(key) or self.pos

    def where_key(self, key: str) -> Position:
        return self.key_pos.get(key) or self.pos


class YamlSeq(list[Any]):
    """A sequence with the position of itself and of each item."""

    __slots__ = ("item_pos", "pos", "tags")

    def __init__(self, pos: Position) -> None:
        self.pos = pos  # no list.__init__() call, as for YamlMap
        self.item_pos: list[Position] = []
        self.tags: dict[int, str] = {}

    def add(self, value: Any, pos: Position) -> None:
        self.append(value)
        self.item_pos.append(pos)

    def where(self, index: int) -> Position:
        if 0 <= index < len(self.item_pos):
            return self.item_pos[index]
        return self.pos


def position_of(value: Any, fallback: Position) -> Position:
    pos = getattr(value, "pos", None)
    return pos if isinstance(pos, Position) else fallback


# Go YAML's timestamp layouts (gopkg.in/yaml.v3 resolve.go, allowedTimestampFormats), read with
# time.Parse: 1- or 2-digit month, day and clock fields, any number of fraction digits.
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[+-](\d{2}):(\d{2}))"
    r"| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?)?"
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_timestamp(text: str) -> bool:
    """Whether Docker Compose's YAML library reads this plain scalar as a time, not a string."""
    found = _TIMESTAMP.fullmatch(text)
    if found is None:
        return False
    year, month, day = (int(found[i]) for i in (1, 2, 3))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month - 1] - (month == 2 and not leap):
        return False
    first = 4 if found[4] else 9
    clock = found.group(first, first + 1, first + 2)
    if clock[0] is not None and (int(clock[0]) > 23 or int(clock[1]) > 59 or int(clock[2]) > 59):
        return False
    return found[7] is None or (int(found[7]) <= 24 and int(found[8]) <= 60)


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar the way YAML 1.2's core schema does."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    first = text[0]
    if first.isdigit() or first in "+-.":
        if _INT.match(text):
            return int(text.replace("_", ""))
        if _INT_PREFIXED.match(text):
            sign = -1 if text[0] == "-" else 1
            body = text.lstrip("+-").replace("_", "")
            base = {"x": 16, "o": 8, "b": 2}.get(body[1:2], 8)
            digits = body[2:] if body[1:2] in ("x", "o", "b") else body[1:]
            return sign * int(digits or "0", base)
        if _FLOAT.match(text):
            return float(text.replace("_", ""))
        if _INF.match(text):
            return float("-inf") if first == "-" else float("inf")
        if _NAN.match(text):
            return float("nan")
    return text


_ScalarNode = yaml.ScalarNode
_SequenceNode = yaml.SequenceNode
_MappingNode = yaml.MappingNode
_make_position = tuple.__new__  # Position(...) without the Python-level __new__ call: one per node
_UNTAGGED = frozenset({_PLAIN, _STR_TAG, _SEQ_TAG, _MAP_TAG})  # what the resolver gives untagged nodes
_NO_CUSTOM_TAG = _STANDARD_TAGS | {"!", "", _PLAIN}


class _Builder:
    """Builds positioned values from composed nodes.

    This is the loader's inner loop (one call per node of every input), so it is written for
    speed: one Position per node, made once and shared by the parent's record and the child's own
    ``pos``; the common tags tested first; keys interned (the same few names recur in every
    service or object, and interned keys also hash and compare faster later).
    """

    def __init__(self, filename: str, compose: ComposeScalars | None = None) -> None:
        self.filename = filename
        self.nodes = 0
        self.compose = compose

    def pos(self, node: yaml.Node) -> Position:
        mark = node.start_mark
        return _make_position(Position, (self.filename, mark.line + 1, mark.column + 1))

    def build(self, node: yaml.Node, depth: int = 0, pos: Position | None = None) -> Any:
        """The value of ``node``; ``pos`` is its position when the caller has made it already."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise InputError(
                self.pos(node),
                f"document expands to more than {MAX_NODES:,} nodes "
                "(a YAML alias bomb?); expected an ordinary Compose or Kubernetes file",
            )
        if depth > MAX_DEPTH:
            raise InputError(self.pos(node), f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, _ScalarNode):
            return self.scalar(node)
        if isinstance(node, _SequenceNode):
            return self.sequence(node, depth, pos or self.pos(node))
        assert isinstance(node, _MappingNode)
        return self.mapping(node, depth, pos or self.pos(node))

    def custom_tag(self, node: yaml.Node) -> str | None:
        tag = node.tag or ""
        if tag in _NO_CUSTOM_TAG:
            return None
        if tag in COMPOSE_TAGS:
            return tag
        raise InputError(
            self.pos(node), f"unsupported YAML tag {tag!r}; expected plain YAML (or !reset, !override)"
        )

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag or ""
        text = node.value
        if tag == _PLAIN:
            value = resolve_plain(text)
            if value is text and self.compose is not None and text[:1].isdigit() and is_timestamp(text):
                self.compose.timestamps.append(self.pos(node))
            return value
        if tag == _STR_TAG:
            return text
        if tag in _STANDARD_TAGS:
            kind = tag[len(_STANDARD) :]
            if kind in ("int", "float", "bool", "null"):
                value = resolve_plain(text)
                if not _fits(kind, value):
                    raise InputError(self.pos(node), f"value {text!r} is not a valid !!{kind}")
                return float(value) if kind == "float" else value
            return text
        self.custom_tag(node)
        return resolve_plain(text) if node.style is None else text

    def sequence(self, node: yaml.SequenceNode, depth: int, pos: Position) -> YamlSeq:
        seq = YamlSeq(pos)
        item_pos = seq.item_pos
        filename = self.filename
        depth += 1
        for item in node.value:
            if item.tag not in _UNTAGGED:
                tag = self.custom_tag(item)
                if tag:
                    seq.tags[len(seq)] = tag
            mark = item.start_mark
            position = _make_position(Position, (filename, mark.line + 1, mark.column + 1))
            seq.append(self.build(item, depth, position))
            item_pos.append(position)
        return seq

    def mapping(self, node: yaml.MappingNode, depth: int, pos: Position) -> YamlMap:
        result = YamlMap(pos)
        key_positions = result.key_pos
        value_positions = result.value_pos
        filename = self.filename
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, _ScalarNode):
                raise InputError(self.pos(key_node), "mapping key must be a scalar")
            key = key_node.value
            if key == "<<" and key_node.tag == _PLAIN:
                merges.append(value_node)
                continue
            key = _intern(key)
            mark = key_node.start_mark
            key_pos = _make_position(Position, (filename, mark.line + 1, mark.column + 1))
            if self.compose is not None and key_node.tag == _PLAIN:
                self.compose.check_key(key, key_pos)
            if key in result:
                first = key_positions[key]
                raise InputError(
                    key_pos,
                    f"duplicate key {key!r} (first defined at line {first.line}); expected each key once",
                )
            if value_node.tag not in _UNTAGGED:
                tag = self.custom_tag(value_node)
                if tag:
                    result.tags[key] = tag
            mark = value_node.start_mark
            value_pos = _make_position(Position, (filename, mark.line + 1, mark.column + 1))
            result[key] = self.build(value_node, depth + 1, value_pos)
            key_positions[key] = key_pos
            value_positions[key] = value_pos
        for merge in merges:
            self.apply_merge(result, merge, depth)
        return result

    def apply_merge(self, target: YamlMap, merge: yaml.Node, depth: int) -> None:
        sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
        for source_node in sources:
            source = self.build(source_node, depth + 1)
            if not isinstance(source, YamlMap):
                raise InputError(
                    self.pos(source_node), "merge key '<<' expects a mapping or a list of mappings"
                )
            for key, value in source.items():
                if key not in target:
                    target.set(key, value, source.where_key(key), source.where(key))
                    if key in source.tags:
                        target.tags[key] = source.tags[key]


def _fits(kind: str, value: Any) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    return value is None


def read_source(path: str) -> str:
    """Read and decode one input file, refusing what no real manifest looks like."""
    from pathlib import Path

    file = Path(path)
    try:
        size = file.stat().st_size
        if file.is_dir():
            raise InputError(Position(path), "is a directory; expected a file")
        if size > MAX_FILE_BYTES:
            raise InputError(
                Position(path),
                f"file is {size:,} bytes; expected at most {MAX_FILE_BYTES:,} (is it really a manifest?)",
            )
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(Position(path), "no such file; expected a Compose file") from None
    except OSError as err:
        raise InputError(Position(path), f"cannot read file: {err.strerror}") from None
    if len(data) > MAX_FILE_BYTES:  # grew while being read, or a device
        raise InputError(Position(path), f"file is larger than {MAX_FILE_BYTES:,} bytes")
    return decode(data, path)


def read_stdin(name: str) -> str:
    """Standard input, decoded, within the same size bound as files (it can be read only once)."""
    import sys

    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(Position(name), f"input is larger than {MAX_FILE_BYTES:,} bytes")
    return decode(data, name)


def decode(data: bytes, filename: str) -> str:
    """Decode UTF-8 input (a BOM is allowed) or stop at the first bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            Position(filename, line, column), "file is not valid UTF-8 text; expected a UTF-8 YAML file"
        ) from None


def _yaml_error(err: yaml.YAMLError, filename: str) -> InputError:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    if mark is None:
        return InputError(Position(filename), message)
    return InputError(Position(filename, mark.line + 1, mark.column + 1), message)


def _reader_error(err: yaml.YAMLError, text: str, filename: str) -> InputError:
    offset = getattr(err, "position", None)
    if not isinstance(offset, int):
        return _yaml_error(err, filename)
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    character = getattr(err, "character", 0)
    return InputError(
        Position(filename, line, column),
        f"invalid YAML: control character U+{character:04X} is not allowed; expected printable text",
    )


class ComposeScalars:
    """What Docker Compose's YAML library reads otherwise than Kubernetes' does.

    Compose refuses a mapping key that is not a string (``1:``, ``true:``, ``2024-01-01:``),
    anywhere in the file; that is checked while building. A plain value that reads as a time
    is refused too, except under an ``x-`` extension, which the builder cannot see: it only
    collects their positions for the loader.
    """

    def __init__(self) -> None:
        self.timestamps: list[Position] = []
        self.string_keys: set[str] = set()

    def check_key(self, key: str, pos: Position) -> None:
        if key in self.string_keys:
            return
        value = resolve_plain(key)
        kind = "a time" if value is key and is_timestamp(key) else None if value is key else _kind(value)
        if kind is not None:
            raise InputError(pos, f"mapping key {key} is {kind} in YAML; expected a string key: quote it")
        self.string_keys.add(key)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"


def load_documents(text: str, filename: str, compose: ComposeScalars | None = None) -> Iterator[Any]:
    """Yield every document of a (multi-document) YAML text, with positions.

    ``compose`` reads the text as Docker Compose does (see ComposeScalars)."""
    builder = _Builder(filename, compose)
    try:
        loader = _Loader(text)
    except yaml.YAMLError as err:
        raise _reader_error(err, text, filename) from None
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - libyaml yields None for an empty stream
                continue
            yield builder.build(node)
    except yaml.reader.ReaderError as err:
        raise _reader_error(err, text, filename) from None
    except yaml.YAMLError as err:
        raise _yaml_error(err, filename) from None
    except RecursionError:
        raise InputError(Position(filename), f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def first_top_level_keys(text: str, enough: Sequence[frozenset[str]]) -> set[str]:
    """Top-level keys of the first non-empty document, reading only as far as needed.

    Scans parse events and stops once the keys seen include any set in ``enough`` (or the
    first mapping ends), so telling one kind of input from another costs no full load.
    Malformed YAML yields what was seen before the error; the real load reports it.
    """
    found: set[str] = set()
    parser = _Loader(text) if "\0" not in text else None
    if parser is None:
        return found
    depth, expecting_key = 0, False
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if depth == 0 and not isinstance(event, yaml.MappingStartEvent):
                    return found
                if depth == 1:
                    expecting_key = True  # a collection value ends; the next scalar is a key
                depth += 1
                if depth == 1:
                    expecting_key = True
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if depth == 0:
                    return found
            elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)) and depth == 1:
                if expecting_key and isinstance(event, yaml.ScalarEvent):
                    found.add(event.value)
                    if any(keys <= found for keys in enough):
                        return found
                expecting_key = not expecting_key
    except yaml.YAMLError:
        return found
    finally:
        parser.dispose()
    return found


def load_single(text: str, filename: str) -> Any:
    """Load a file that must hold one document (a Compose file)."""
    documents = list(load_documents(text, filename))
    if not documents:
        return None
    if len(documents) > 1:
        raise InputError(Position(filename), "expected a single YAML document, found several")
    return documents[0]


def plain(value: Any) -> Any:
    """Strip positions: a deep copy as ordinary dicts and lists."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
