"""Compose variable interpolation: ``$VAR``, ``${VAR}`` and the ``:-  -  :?  ?  :+  +`` operators.

The rules are Compose's: ``$$`` is a literal ``$``; a ``$`` that starts neither a
name nor ``{`` stays as it is; ``${`` must be closed and must hold a valid name;
operator arguments may themselves contain ``${...}`` and are expanded only when used.
Keys are never interpolated, only values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from translator import findings as codes
from translator.findings import Findings
from translator.source import InputError, Position
from translator.yamlsource import YamlMap, YamlSeq

Lookup = Callable[[str], str | None]

_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


class Interpolator:
    def __init__(self, lookup: Lookup, findings: Findings) -> None:
        self.lookup = lookup
        self.findings = findings
        self.referenced: set[str] = set()

    def tree(self, value: Any, position: Position) -> Any:
        """Interpolate every string value below ``value``; containers keep their positions."""
        if isinstance(value, YamlMap):
            for key in list(value):
                value[key] = self.tree(value[key], value.where(key))
            return value
        if isinstance(value, YamlSeq):
            for index, item in enumerate(value):
                value[index] = self.tree(item, value.where(index))
            return value
        if isinstance(value, str) and "$" in value:
            return self.string(value, position)
        return value

    def string(self, value: str, position: Position) -> str:
        text, _ = self._expand(value, 0, position, closing=False)
        return text

    def _expand(self, text: str, start: int, position: Position, closing: bool) -> tuple[str, int]:
        """Expand from ``start``; with ``closing``, stop at the ``}`` that ends an operator argument."""
        out: list[str] = []
        i = start
        while i < len(text):
            char = text[i]
            if closing and char == "}":
                return "".join(out), i
            if char != "$":
                out.append(char)
                i += 1
                continue
            following = text[i + 1 : i + 2]
            if following == "$":
                out.append("$")
                i += 2
            elif following == "{":
                expanded, i = self._braced(text, i, position)
                out.append(expanded)
            else:
                match = _NAME.match(text, i + 1)
                if match:
                    out.append(self._value(match.group(), position))
                    i = match.end()
                else:
                    out.append("$")
                    i += 1
        if closing:
            raise InputError(position, f"invalid interpolation format in {text!r}: '${{' is not closed")
        return "".join(out), i

    def _braced(self, text: str, start: int, position: Position) -> tuple[str, int]:
        """``${...}`` starting at ``start`` (the ``$``): returns the expansion and the index after ``}``."""
        match = _NAME.match(text, start + 2)
        if not match:
            raise InputError(
                position, f"invalid interpolation format in {text!r}: expected a name after '${{'"
            )
        name = match.group()
        i = match.end()
        if i >= len(text):
            raise InputError(position, f"invalid interpolation format in {text!r}: '${{' is not closed")
        if text[i] == "}":
            return self._value(name, position), i + 1
        operator = next((op for op in _OPERATORS if text.startswith(op, i)), None)
        if operator is None:
            raise InputError(
                position, f"invalid interpolation format in {text!r}: unexpected {text[i]!r} after ${{{name}"
            )
        argument_start = i + len(operator)
        current = self.lookup(name)
        self.referenced.add(name)
        use_argument = {
            ":-": current is None or current == "",
            "-": current is None,
            ":+": current is not None and current != "",
            "+": current is not None,
            ":?": current is None or current == "",
            "?": current is None,
        }[operator]
        if not use_argument:
            end = self._skip_argument(text, argument_start, position)
            return current or "", end + 1
        argument, end = self._expand(text, argument_start, position, closing=True)
        if operator in (":?", "?"):
            raise InputError(position, f"required variable {name} is missing a value: {argument}")
        return argument, end + 1

    def _skip_argument(self, text: str, start: int, position: Position) -> int:
        """Find the ``}`` that closes an unused argument without expanding (or warning about) it."""
        depth = 0
        i = start
        while i < len(text):
            if text.startswith("$$", i):
                i += 2
                continue
            if text.startswith("${", i):
                depth += 1
                i += 2
                continue
            if text[i] == "}":
                if depth == 0:
                    return i
                depth -= 1
            i += 1
        raise InputError(position, f"invalid interpolation format in {text!r}: '${{' is not closed")

    def _value(self, name: str, position: Position) -> str:
        self.referenced.add(name)
        value = self.lookup(name)
        if value is None:
            self.findings.add(
                codes.UNSET_VARIABLE,
                position,
                f"variable {name} is not set; using an empty string",
                f"set {name} in the environment, in .env, or with --env-file",
            )
            return ""
        return value
