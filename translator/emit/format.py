"""Lay HCL text out as ``nomad fmt`` does: aligned ``=`` in runs of attributes, tidy blank lines."""

from __future__ import annotations

import re

_OPENING = ("{", "[", "(")
_ASSIGN = re.compile(r'^(?P<indent> *)(?P<key>[A-Za-z_][A-Za-z0-9_-]*|"(?:[^"\\]|\\.)*") *= *(?P<value>.*)$')


def format_hcl(text: str) -> str:
    """Tidy blank lines (none doubled, none after an opening brace or before a closing one) and
    align the ``=`` of consecutive attributes at one indent, in one pass over the lines: this
    runs on every line of every job, so it is kept to plain loops, and the regex runs only on
    lines that hold an "="."""
    out: list[str] = []
    append = out.append
    run: list[tuple[str, str, str]] = []  # (indent, key, value) of consecutive attributes
    previous = ""  # the last non-blank line kept
    blank = False  # a blank line is due before the next line, unless that line closes a block

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
    for line in text.split("\n"):
        line = line.rstrip()
        if not line:
            blank = blank or (previous != "" and previous[-1] != "{")
            continue
        previous = line
        if blank:
            blank = False
            if line.lstrip() != "}":
                if run:
                    flush()
                append("")
        match = match_assign(line) if "=" in line else None
        if match is None:
            if run:
                flush()
            append(line)
            continue
        indent, key, value = match.groups()
        if value[-1:] in _OPENING:
            # A value that opens a bracket and goes on over lines is not aligned: nomad fmt
            # (hclwrite) only lines up an "=" whose right side is a whole expression.
            if run:
                flush()
            append(f"{indent}{key} = {value}")
            continue
        if run and run[0][0] != indent:
            flush()
        run.append((indent, key, value))
    if run:
        flush()
    return "\n".join(out).strip("\n") + "\n"
