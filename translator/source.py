"""Source positions and input errors shared by every stage."""

from __future__ import annotations

from typing import NamedTuple


class Position(NamedTuple):
    """A place in an input file; line and column count from 1.

    A named tuple rather than a dataclass: one is made for every YAML node, and tuples are
    the cheapest immutable, ordered, hashable records Python has.
    """

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def short(self) -> str:
        """``file:line``, the form findings are printed with."""
        return self.file if self.line <= 0 else f"{self.file}:{self.line}"


class InputError(Exception):
    """Bad input: reported as one line ``file:line:col: message`` with exit code 1."""

    def __init__(self, position: Position | None, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message

    def __str__(self) -> str:
        # One line whatever the input held: user text inside a message cannot break it.
        message = self.message.replace("\r", "\\r").replace("\n", "\\n")
        if self.position is None:
            return message
        return f"{self.position}: {message}"
