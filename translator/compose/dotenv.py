"""``.env`` and ``env_file`` files, read as Docker Compose reads them.

``KEY=value`` lines, optionally prefixed with ``export``; ``#`` comments; single
quotes keep text literally; double quotes take ``\\n``, ``\\t``, ``\\\\``, ``\\"`` escapes,
may span lines and expand ``${VAR}``; unquoted values lose a trailing `` #comment``
and surrounding blanks, and expand ``${VAR}``. A line with a key and no ``=`` takes
the value from the environment (or is left out when unset). ``KEY: value`` is
accepted as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from translator.findings import Findings
from translator.source import InputError, Position

Lookup = Callable[[str], str | None]

_KEY = re.compile(r"^[^\s=#'\"]+$")
_DOUBLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "$": "$$"}


def parse_dotenv(text: str, filename: str, lookup: Lookup) -> dict[str, str]:
    """Parse a dotenv file; later keys see earlier ones when they expand ``${VAR}``."""
    from translator.compose.interpolation import Interpolator

    values: dict[str, str] = {}

    def chained(name: str) -> str | None:
        return values[name] if name in values else lookup(name)

    interpolator = Interpolator(chained, Findings())
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line_no = index + 1
        raw = lines[index]
        index += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export ") or stripped.startswith("export\t"):
            stripped = stripped[len("export") :].strip()
        key, sep, rest = stripped.partition("=")
        colon = stripped.find(":")
        if colon > 0 and (not sep or colon < len(key)):
            # The YAML-like form KEY: value is accepted too.
            key, sep, rest = stripped[:colon], ":", stripped[colon + 1 :]
        key = key.strip()
        column = raw.find(key) + 1 if key else 1
        position = Position(filename, line_no, max(column, 1))
        if not _KEY.match(key):
            raise InputError(position, f"invalid variable name {key!r}; expected KEY=VALUE")
        if not sep:
            found = lookup(key)
            if found is not None:
                values[key] = found
            continue
        rest = rest.lstrip()
        if rest.startswith("'"):
            value, index = _quoted(rest, "'", lines, index, position)
        elif rest.startswith('"'):
            body, index = _quoted(rest, '"', lines, index, position)
            value = interpolator.string(_unescape(body), position)
        else:
            value = interpolator.string(_strip_comment(rest), position)
        values[key] = value
    return values


def _quoted(rest: str, quote: str, lines: list[str], index: int, position: Position) -> tuple[str, int]:
    """Text between quotes, which may continue over following lines; returns the next line index."""
    body = rest[1:]
    parts: list[str] = []
    while True:
        end = _closing(body, quote)
        if end >= 0:
            parts.append(body[:end])
            return "\n".join(parts), index
        parts.append(body)
        if index >= len(lines):
            raise InputError(position, f"unterminated {quote} quoted value; expected a closing {quote}")
        body = lines[index]
        index += 1


def _closing(body: str, quote: str) -> int:
    i = 0
    while i < len(body):
        if quote == '"' and body[i] == "\\":
            i += 2
            continue
        if body[i] == quote:
            return i
        i += 1
    return -1


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body) and body[i + 1] in _DOUBLE_ESCAPES:
            out.append(_DOUBLE_ESCAPES[body[i + 1]])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _strip_comment(value: str) -> str:
    """An inline comment starts at a `` #`` after some value; a leading ``#`` is part of the value."""
    cut = value.find(" #")
    if cut >= 0:
        value = value[:cut]
    return value.strip()
