"""Lay HCL text out as ``nomad fmt`` does: aligned ``=`` in runs of attributes, tidy blank lines."""

from __future__ import annotations

import re

_OPENING = ("{", "[", "(")
_ASSIGN = re.compile(r'^(?P<indent> *)(?P<key>[A-Za-z_][A-Za-z0-9_-]*|"(?:[^"\\]|\\.)*") *= *(?P<value>.*)$')


def format_hcl(text: str) -> str:
    # One pass over every line of every job: kept to plain loops, and the regex runs only on
    # lines that hold an "=".
    lines = _tidy_blank_lines([line.rstrip() for line in text.split("\n")])
    out: list[str] = []
    append = out.append
    run: list[tuple[str, str, str]] = []  # (indent, key, value) of consecutive attributes

    def flush() -> None:
        if len(run) == 1:
            indent, key, value = run[0]
            append(f"{indent}{key} = {value}")
        else:
            width = max(len(key) for _, key, _ in run)
            for indent, key, value in run:
                append(f"{indent}{key.ljust(width)} = {value}")
        run.clear()

    match_assign = _ASSIGN.match
    for line in lines:
        match = match_assign(line) if "=" in line else None
        if match is None:
            if run:
                flush()
            append(line)
            continue
        parts = (match["indent"], match["key"], match["value"])
        if parts[2][-1:] in _OPENING:
            # A value that opens a bracket and goes on over lines is not aligned: nomad fmt
            # (hclwrite) only lines up an "=" whose right side is a whole expression.
            if run:
                flush()
            append(f"{parts[0]}{parts[1]} = {parts[2]}")
            continue
        if run and run[0][0] != parts[0]:
            flush()
        run.append(parts)
    if run:
        flush()
    return "\n".join(out).strip("\n") + "\n"


def _tidy_blank_lines(lines: list[str]) -> list[str]:
    """No double blank lines, none after an opening brace or before a closing one.

    ``lines`` are right-stripped, so a blank line is an empty one.
    """
    result: list[str] = []
    append = result.append
    for line in lines:
        if not line:
            if result and result[-1] and result[-1][-1] != "{":
                append("")
            continue
        if result and not result[-1] and line.lstrip() == "}":
            result.pop()
        append(line)
    return result
