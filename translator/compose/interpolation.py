"""Compose variable interpolation, with the results ``docker compose config`` gives.

Syntax (compose-spec ``12-interpolation.md``): ``$VAR``, ``${VAR}``, ``${VAR:-default}``
(unset or empty), ``${VAR-default}`` (unset), ``${VAR:+alt}`` (set and non-empty),
``${VAR+alt}`` (set), ``${VAR:?message}`` (error when unset or empty), ``${VAR?message}``
(error when unset); arguments may hold further ``${...}``; ``$$`` is a literal ``$``.
Only values are interpolated, never keys.

The details follow Docker Compose (compose-go's ``template`` package) rather than a
shell, because users compare our output with ``docker compose config``. Each rule
below was checked against docker-compose v2.40.3:

- A ``$`` that starts neither a name, ``$`` nor ``{`` stays as it is (``$1``, ``$-``).
- ``${`` not followed by a valid name and then ``}`` or an operator is an error
  (``${``, ``${1abc}``, ``${A:x}``, ``${VAR`` without its ``}``).
- An operator's argument runs to the LAST ``}`` on the same line; that span is then
  cut at the first ``}`` that balances the opening brace, and what follows the cut is
  expanded as a separate template. So ``${A:-{x}}`` gives ``{x}`` and ``${A:-x}}``
  gives ``x}``; an argument cannot cross a line break.
- Arguments are expanded before the variable is looked at, so an unused default
  still warns about its own unset variables and still fails on its own errors.
  (compose-go changed this in January 2026, commit ddb94f1; docker-compose v2.40
  still behaves as here.)
- Only ``$VAR`` and ``${VAR}`` warn about an unset variable; ``${VAR:+x}`` and
  ``${VAR-x}`` do not.

After interpolation Compose converts the strings of a few fields to numbers or
booleans (its ``interpolateTypeCastMapping``); :meth:`Interpolator.tree` does the same.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from translator import findings as codes
from translator.findings import Findings
from translator.source import InputError, Position
from translator.variables import OPEN
from translator.yamlsource import YamlMap, YamlSeq

if TYPE_CHECKING:
    from translator.compose.keep import VariableKeeper

Lookup = Callable[[str], str | None]
"""Returns a variable's value, or None when it is not set (empty is a value)."""

OnUnset = Callable[[str], None]
"""Told the name of each variable that was read while unset and became ``""``."""

KeepHook = Callable[[str, str, str], str | None]
"""``--keep-variables``: given (name, operator or "", argument already resolved), returns the
text that stands for the kept variable, or None to resolve it as usual."""

PathPart = str | int
Path = tuple[PathPart, ...]
"""Keys and list indexes from the document root down to a value."""

# Compose matches names case-insensitively in Go, whose case folding also lets U+017F
# (long s) and U+212A (Kelvin sign) match [a-z]: docker-compose accepts ${ſ} and ${K}.
_NAME_CHARS = "_A-Za-z\u017f\u212a"
_NAME = re.compile(f"[{_NAME_CHARS}][{_NAME_CHARS}0-9]*")
# Two-character operators first so that ":-" is not read as ":" followed by "-".
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


class TemplateError(Exception):
    """A value that cannot be interpolated; the caller adds where it was found."""

    def message(self, where: str) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class InvalidTemplate(TemplateError):
    """Bad ``${`` syntax in ``template`` (the string being expanded when it was met)."""

    def __init__(self, template: str) -> None:
        super().__init__(template)
        self.template = template

    def message(self, where: str) -> str:
        place = f" for {where}" if where else ""
        return (
            f"invalid interpolation format{place}: {quote(self.template)}; "
            "you may need to escape any $ with another $"
        )


class MissingRequired(TemplateError):
    """``${NAME:?reason}`` or ``${NAME?reason}`` met an unset (or empty) variable."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name, reason)
        self.name = name
        self.reason = reason

    def message(self, where: str) -> str:
        text = f"required variable {self.name} is missing a value"
        if self.reason:
            text += f": {single_line(self.reason)}"
        return f"error while interpolating {where}: {text}" if where else text


def quote(text: str) -> str:
    """``text`` in double quotes on one line, control characters and line breaks escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    # JSON leaves these line breaks raw, but str.splitlines() and terminals break on them.
    return quoted.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def single_line(text: str) -> str:
    """``text`` as it is when it fits on one line, else quoted so that error messages stay one line."""
    return text if text.splitlines() in ([], [text]) else quote(text)


def substitute(template: str, lookup: Lookup, on_unset: OnUnset, keep: KeepHook | None = None) -> str:
    """Interpolate one string; raises :class:`TemplateError` subclasses for bad input."""
    return _Expander(lookup, on_unset, keep).expand(template)


class _Expander:
    def __init__(self, lookup: Lookup, on_unset: OnUnset, keep: KeepHook | None = None) -> None:
        self.lookup = lookup
        self.on_unset = on_unset
        self.keep = keep

    def expand(self, template: str) -> str:
        pieces: list[str] = []
        done = 0
        while (dollar := template.find("$", done)) >= 0:
            pieces.append(template[done:dollar])
            text, done = self._token(template, dollar)
            pieces.append(text)
        pieces.append(template[done:])
        return "".join(pieces)

    def _token(self, template: str, start: int) -> tuple[str, int]:
        """Expand the ``$`` at ``start``; returns the text and the index after the token."""
        following = template[start + 1 : start + 2]
        if following == "$":
            return "$", start + 2
        if following == "{":
            return self._braced(template, start)
        name = _NAME.match(template, start + 1)
        if name:
            return self._variable(name.group()), name.end()
        return "$", start + 1

    def _braced(self, template: str, start: int) -> tuple[str, int]:
        found = _NAME.match(template, start + 2)
        if found is None:
            raise InvalidTemplate(template)
        name, after = found.group(), found.end()
        if template.startswith("}", after):
            return self._variable(name), after + 1
        operator = next((op for op in _OPERATORS if template.startswith(op, after)), None)
        if operator is None:
            raise InvalidTemplate(template)
        line_end = template.find("\n", after)
        close = template.rfind("}", after + len(operator), len(template) if line_end < 0 else line_end)
        if close < 0:
            raise InvalidTemplate(template)
        span = template[start : close + 1]
        cut = _balancing_brace(span)
        head, tail = (span, "") if cut < 0 else (span[: cut + 1], span[cut + 1 :])
        argument = head[2 + len(name) + len(operator) : -1]
        value = self._operator(name, operator, argument)
        return value + self.expand(tail), close + 1

    def _operator(self, name: str, operator: str, argument: str) -> str:
        # Expanded first, used or not: see the module docstring.
        if self.keep is None:
            return self._apply(name, operator, self.expand(argument))
        # A kept variable's default must be plain text: its argument is always resolved.
        resolver = _Expander(self.lookup, self.on_unset)
        expanded = resolver.expand(argument)
        kept = self.keep(name, operator, expanded)
        return kept if kept is not None else resolver._apply(name, operator, expanded)

    def _apply(self, name: str, operator: str, expanded: str) -> str:
        current = self.lookup(name)
        text = current or ""
        # The ":" forms treat an empty value like an unset one.
        usable = current is not None and (text != "" or not operator.startswith(":"))
        kind = operator[-1]
        if kind == "-":
            return text if usable else expanded
        if kind == "+":
            return expanded if usable else text
        if not usable:
            raise MissingRequired(name, expanded)
        return text

    def _variable(self, name: str) -> str:
        if self.keep is not None and (kept := self.keep(name, "", "")) is not None:
            return kept
        value = self.lookup(name)
        if value is None:
            self.on_unset(name)
            return ""
        return value


def _balancing_brace(span: str) -> int:
    """Index of the ``}`` that closes the ``{`` at ``span[1]``, or -1, counted as Compose counts.

    Compose skips the character after every ``{``, so ``{}`` inside an argument does
    not count as a pair: ``${A:-{}`` has no balancing brace and its argument is ``{``.
    """
    depth = 0
    index = 0
    while index < len(span):
        char = span[index]
        if char == "}":
            depth -= 1
            if depth == 0:
                return index
        elif char == "{":
            depth += 1
            index += 1
        index += 1
    return -1


def report_unset(findings: Findings, name: str, position: Position) -> None:
    findings.add(
        codes.UNSET_VARIABLE,
        position,
        f"variable {name} is not set; using an empty string",
        f"set {name} in the environment, in the project's .env file or in a file given with "
        f"--env-file, or give it a default: ${{{name}:-value}}",
    )


def render_path(path: Path) -> str:
    """``services.web.command[1]``: dotted keys, list indexes in brackets."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class Interpolator:
    """Interpolates Compose values, reporting unset variables as findings."""

    def __init__(self, lookup: Lookup, findings: Findings, keeper: VariableKeeper | None = None) -> None:
        self._lookup = lookup
        self.findings = findings
        self.keeper = keeper
        self.referenced: set[str] = set()  # every variable name read, set or not
        self.unset: set[str] = set()  # names that were unset and became ""

    def string(self, value: str, position: Position, path: str = "", keep: KeepHook | None = None) -> str:
        """Interpolate ``value`` found at ``position``; ``path`` (``services.web.image``) names it."""

        def on_unset(name: str) -> None:
            self.unset.add(name)
            report_unset(self.findings, name, position)

        try:
            return substitute(value, self._resolve, on_unset, keep)
        except TemplateError as err:
            raise InputError(position, err.message(path)) from None

    def tree(self, value: Any, position: Position, path: Path = ()) -> Any:
        """Interpolate every string value below ``value``, which sits at ``path`` in its document.

        Returns new containers of the same types with the same positions and tags;
        keys and non-string scalars are kept. Strings at the fields Compose types
        (``deploy.replicas``, ``privileged``, ...) are converted as Compose converts them.
        """
        if isinstance(value, str):
            return self._leaf(value, position, path)
        if isinstance(value, YamlMap):
            return self._map(value, path)
        if isinstance(value, YamlSeq):
            return self._seq(value, path)
        if isinstance(value, dict):  # containers built in code carry no positions of their own
            return {key: self.tree(item, position, (*path, str(key))) for key, item in value.items()}
        if isinstance(value, list):
            return [self.tree(item, position, (*path, index)) for index, item in enumerate(value)]
        return value

    def _map(self, node: YamlMap, path: Path) -> YamlMap:
        result = YamlMap(node.pos)
        result.key_pos.update(node.key_pos)
        result.value_pos.update(node.value_pos)
        result.tags.update(node.tags)
        # Most values are strings with nothing to expand at a field with nothing to convert: they
        # are copied as they are, without a path and a position made for each.
        depth = len(path) + 1
        plain = self.keeper is None and not _casts_some_child(path, "*")
        for key, item in node.items():
            if plain and type(item) is str and "$" not in item and (depth, key) not in _CAST_INDEX:
                result[key] = item
            else:
                result[key] = self.tree(item, node.where(key), (*path, key))
        return result

    def _seq(self, node: YamlSeq, path: Path) -> YamlSeq:
        result = YamlSeq(node.pos)
        result.tags.update(node.tags)
        # Items as in _map: plain strings are copied as they are.
        plain = self.keeper is None and not _casts_some_child(path, "*") and not _casts_some_child(path, "[]")
        for index, item in enumerate(node):
            if plain and type(item) is str and "$" not in item:
                result.append(item)
            else:
                result.append(self.tree(item, node.where(index), (*path, index)))
        result.item_pos.extend(node.item_pos)
        return result

    def _leaf(self, text: str, position: Position, path: Path) -> Any:
        if self.keeper is not None and OPEN in text:
            raise InputError(
                position,
                "U+FDD0 cannot be used with --keep-variables, which marks kept variables with it; "
                "expected a value without it",
            )
        kind = cast_kind(path)
        if kind is None and "$" not in text:
            return text  # the common case: nothing to expand, nothing to convert
        where = render_path(path)
        if self.keeper is not None and "$" in text:
            value = self.keeper.interpolate(self, text, position, path, where, kind is None)
        else:
            value = self.string(text, position, where) if "$" in text else text
        if kind is None:
            return value
        try:
            result = _CASTERS[kind](value)
        except CastError as err:
            raise InputError(
                position, f"error while interpolating {where}: failed to cast to expected type: {err}"
            ) from None
        if kind == "bool" and value.lower() not in ("true", "false"):
            self.findings.add(
                codes.YAML11_BOOLEAN,
                position,
                f"{quote(value)} was read as {str(result).lower()}, as Compose reads it; "
                "YAML 1.2 only knows true and false",
                f"write {str(result).lower()}",
                path=where,
            )
        return result

    def _resolve(self, name: str) -> str | None:
        self.referenced.add(name)
        return self._lookup(name)


# --- type conversion after interpolation -------------------------------------------------
# Compose reads these fields as strings (so that "${N}" can fill them) and converts them
# once interpolated; the table mirrors compose-go's loader/interpolate.go. "*" matches any
# key or index, "[]" any list index.


def _service(*parts: str) -> tuple[str, ...]:
    return ("services", "*", *parts)


_CASTS: dict[tuple[str, ...], str] = {
    _service("cpu_count"): "int",
    _service("cpu_percent"): "float",
    _service("cpu_period"): "int",
    _service("cpu_quota"): "int",
    _service("cpu_rt_period"): "int",
    _service("cpu_rt_runtime"): "int",
    _service("cpus"): "float32",
    _service("cpu_shares"): "int",
    _service("init"): "bool",
    _service("depends_on", "*", "required"): "bool",
    _service("depends_on", "*", "restart"): "bool",
    _service("deploy", "replicas"): "int",
    _service("deploy", "update_config", "parallelism"): "int",
    _service("deploy", "update_config", "max_failure_ratio"): "float",
    _service("deploy", "rollback_config", "parallelism"): "int",
    _service("deploy", "rollback_config", "max_failure_ratio"): "float",
    _service("deploy", "restart_policy", "max_attempts"): "int",
    _service("deploy", "placement", "max_replicas_per_node"): "int",
    _service("healthcheck", "retries"): "int",
    _service("healthcheck", "disable"): "bool",
    _service("oom_kill_disable"): "bool",
    _service("oom_score_adj"): "int",
    _service("pids_limit"): "int",
    _service("ports", "[]", "target"): "int",
    _service("privileged"): "bool",
    _service("read_only"): "bool",
    _service("scale"): "int",
    _service("stdin_open"): "bool",
    _service("tty"): "bool",
    _service("ulimits", "*"): "int",
    _service("ulimits", "*", "hard"): "int",
    _service("ulimits", "*", "soft"): "int",
    _service("volumes", "[]", "read_only"): "bool",
    _service("volumes", "[]", "volume", "nocopy"): "bool",
    ("networks", "*", "external"): "bool",
    ("networks", "*", "internal"): "bool",
    ("networks", "*", "attachable"): "bool",
    ("networks", "*", "enable_ipv4"): "bool",
    ("networks", "*", "enable_ipv6"): "bool",
    ("volumes", "*", "external"): "bool",
    ("secrets", "*", "external"): "bool",
    ("configs", "*", "external"): "bool",
}


class CastError(ValueError):
    """A string that does not convert to its field's type."""


def _index_casts() -> dict[tuple[int, str], list[tuple[tuple[str, ...], str]]]:
    """The cast table keyed by (path length, last part), so a lookup tries a handful of patterns."""
    index: dict[tuple[int, str], list[tuple[tuple[str, ...], str]]] = {}
    for pattern, kind in _CASTS.items():
        index.setdefault((len(pattern), pattern[-1]), []).append((pattern, kind))
    return index


_CAST_INDEX = _index_casts()


def cast_kind(path: Path) -> str | None:
    """``int``, ``float``, ``float32`` or ``bool`` when Compose converts strings at ``path``."""
    if not path:
        return None
    last = path[-1]
    keys = [(len(path), "[]" if isinstance(last, int) else last), (len(path), "*")]
    for key in keys:
        for pattern, kind in _CAST_INDEX.get(key, ()):
            if all(map(_part_matches, path, pattern)):
                return kind
    return None


def _casts_some_child(path: Path, last: str) -> bool:
    """Whether a pattern ending in ``last`` (``*`` or ``[]``) may convert a child of ``path``: the
    test a map or list makes once, so that its items need no ``cast_kind`` call each."""
    patterns = _CAST_INDEX.get((len(path) + 1, last), ())
    return any(all(map(_part_matches, path, pattern)) for pattern, _ in patterns)


def _part_matches(part: PathPart, pattern: str) -> bool:
    if pattern == "*":
        return True
    return pattern == "[]" if isinstance(part, int) else part == pattern


# Go's strconv grammar, narrower than Python's int()/float(): ASCII digits only, no
# underscores, no surrounding blanks; hexadecimal floats need a "p" exponent.
_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")
_SPECIAL_FLOAT = re.compile(r"[+-]?(?:infinity|inf)|nan", re.IGNORECASE)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_YAML11_TRUE = ("y", "yes", "on")
_YAML11_FALSE = ("n", "no", "off")


def to_int(text: str) -> int:
    if not _INT.fullmatch(text):
        raise CastError(f"{quote(text)} is not an integer")
    number = int(text)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise CastError(f"{quote(text)} is out of range for an integer")
    return number


def to_float(text: str) -> float:
    if _DECIMAL.fullmatch(text) or _SPECIAL_FLOAT.fullmatch(text):
        number = float(text)
    elif _HEX_FLOAT.fullmatch(text):
        number = float.fromhex(text)
    else:
        raise CastError(f"{quote(text)} is not a number")
    if math.isinf(number) and not _SPECIAL_FLOAT.fullmatch(text):
        raise CastError(f"{quote(text)} is out of range for a number")
    return number


def to_float32(text: str) -> float:
    """A number that must fit a 32-bit float (``cpus``); kept at full precision, as Compose prints it."""
    number = to_float(text)
    (rounded,) = struct.unpack("f", struct.pack("f", number))
    if math.isinf(rounded) and not math.isinf(number):
        raise CastError(f"{quote(text)} is out of range for a 32-bit number")
    return number


def to_bool(text: str) -> bool:
    """``true``/``false`` in any case, and YAML 1.1's words, which Compose still accepts."""
    lowered = text.lower()
    if lowered == "true" or lowered in _YAML11_TRUE:
        return True
    if lowered == "false" or lowered in _YAML11_FALSE:
        return False
    raise CastError(f"{quote(text)} is not a boolean; expected true or false")


_CASTERS: dict[str, Callable[[str], Any]] = {
    "int": to_int,
    "float": to_float,
    "float32": to_float32,
    "bool": to_bool,
}
