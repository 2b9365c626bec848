"""Variables kept for deployment time (``--keep-variables``).

With ``--keep-variables`` a Compose ``${NAME}`` in a free-text field (image, command,
entrypoint, environment, working_dir, user) is not resolved: it becomes the Nomad job
variable ``var.NAME``, declared by a ``variable "NAME"`` block, so ``nomad job run -var``
(or ``NOMAD_VAR_NAME``) can still set it.

Inside the pipeline a kept variable travels as a *marker* inside an ordinary string, so
every stage that copies, merges, splits or rewrites strings carries it along unchanged.
A marker is U+FDD0, the name spelt in private-use characters, then U+FDD1: none of those
characters is a letter, digit, space, quote or punctuation, so shell splitting, ``KEY=value``
splitting and the discovery scanner (which looks for service names) see an opaque word.
Only the emitter turns a marker into ``${var.NAME}``; reports show it as ``${NAME}``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import field

from translator.records import record
from translator.source import Position

OPEN = "\ufdd0"
CLOSE = "\ufdd1"
_SHIFT = 0xE000  # name characters are ASCII: each becomes U+E000 + its code
_MARKER = re.compile(f"{OPEN}([\ue000-\ue07f]+){CLOSE}")
# The names a Nomad variable may take that Compose also accepts (HCL identifiers, ASCII only).
VALID_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def marker(name: str) -> str:
    """The in-string stand-in for ``var.<name>`` (``name`` matches ``VALID_NAME``)."""
    return OPEN + "".join(chr(_SHIFT + ord(c)) for c in name) + CLOSE


def _name(match: re.Match[str]) -> str:
    return "".join(chr(ord(c) - _SHIFT) for c in match.group(1))


def names_in(text: str) -> list[str]:
    """The kept variables ``text`` refers to, in order of appearance."""
    return [_name(m) for m in _MARKER.finditer(text)] if OPEN in text else []


def names_below(value: object, found: set[str] | None = None) -> set[str]:
    """The kept variables that strings anywhere in ``value`` (mappings, lists, dataclasses) refer to."""
    found = set() if found is None else found
    if isinstance(value, str):
        if OPEN in value:
            found.update(names_in(value))
    elif isinstance(value, dict):
        for item in value.values():
            names_below(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            names_below(item, found)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            names_below(getattr(value, item.name), found)
    return found


def replace_markers(text: str, replacement: Callable[[str], str]) -> str:
    """``text`` with each marker replaced by ``replacement(name)``."""
    if OPEN not in text:
        return text
    return _MARKER.sub(lambda m: replacement(_name(m)), text)


def marker_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every marker in ``text``."""
    return [(m.start(), m.end(), _name(m)) for m in _MARKER.finditer(text)] if OPEN in text else []


def shown(text: str) -> str:
    """``text`` for people (reports, comments): markers read as Compose wrote them, ``${NAME}``.

    Messages often quote a value with ``repr``, which spells a marker's characters as
    ``\\ufdd0``-style escapes: those read as ``${NAME}`` too."""
    text = replace_markers(text, lambda name: "${" + name + "}")
    if _ESCAPED_OPEN in text:
        text = _ESCAPED_MARKER.sub(lambda m: "${" + _escaped_name(m) + "}", text)
    return text


def needs_showing(text: str) -> bool:
    return OPEN in text or _ESCAPED_OPEN in text


_ESCAPED_OPEN = "\\ufdd0"
_ESCAPED_MARKER = re.compile(r"\\ufdd0((?:\\ue0[0-7][0-9a-f])+)\\ufdd1")


def _escaped_name(match: re.Match[str]) -> str:
    codes = match.group(1).split("\\u")[1:]
    return "".join(chr(int(code, 16) - _SHIFT) for code in codes)


def as_hcl_reference(text: str) -> str:
    """An HCL string body with markers as ``${var.NAME}`` (``text`` already escaped for HCL).

    A literal ``$`` just before a reference would make ``$${``, HCL's escape for a literal
    ``${``; such a run of ``$`` is written as the interpolated string ``${"$"}`` instead."""
    if OPEN not in text:
        return text
    return _DOLLARS_AND_MARKER.sub(_reference, text)


_DOLLARS_AND_MARKER = re.compile(f"(\\$*){OPEN}([\ue000-\ue07f]+){CLOSE}")


def _reference(match: re.Match[str]) -> str:
    dollars = match.group(1)
    name = "".join(chr(ord(c) - _SHIFT) for c in match.group(2))
    return (f'${{"{dollars}"}}' if dollars else "") + "${var." + name + "}"


@record
class Use:
    """One place a kept variable is written, with what Compose would substitute there."""

    position: Position
    path: str  # services.web.image
    operator: str  # "" for $NAME / ${NAME}, else one of :- - :? ?
    argument: str  # the default or the error message, already resolved
    file_value: str | None = None  # the project's env files' value there, if they set it
    compose_value: str | None = None  # what Compose substitutes there with only the env files; None: fails


@record
class KeptVariable:
    """A ``variable`` block of the jobspec."""

    name: str
    position: Position  # the first use
    default: str | None = None  # None: required at ``nomad job run``
    uses: list[Use] = field(default_factory=list)
    origin: str = ""  # where the default comes from, for the report
    required: Use | None = None  # the ``${NAME:?message}`` that makes it required (no default)

    @property
    def description(self) -> str:
        """A required variable's Compose message, for the ``variable`` block."""
        return self.required.argument if self.required is not None else ""
