"""Lay HCL text out as ``nomad fmt`` does: aligned ``=`` in runs of attributes, tidy blank lines."""

from __future__ import annotations

import re

_ASSIGN = re.compile(r'^(?P<indent> *)(?P<key>[A-Za-z_][A-Za-z0-9_-]*|"(?:[^"\\]|\\.)*") *= *(?P<value>.*)$')


def format_hcl(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    lines = _tidy_blank_lines(lines)
    out: list[str] = []
    run: list[re.Match[str]] = []

    def flush() -> None:
        if not run:
            return
        width = max(len(m["key"]) for m in run)
        for m in run:
            out.append(f"{m['indent']}{m['key'].ljust(width)} = {m['value']}")
        run.clear()

    for line in lines:
        match = _ASSIGN.match(line)
        if match and (not run or run[0]["indent"] == match["indent"]):
            run.append(match)
            continue
        flush()
        if match:
            run.append(match)
        else:
            out.append(line)
    flush()
    return "\n".join(out).strip("\n") + "\n"


def _tidy_blank_lines(lines: list[str]) -> list[str]:
    """No double blank lines, none after an opening brace or before a closing one."""
    result: list[str] = []
    for line in lines:
        if not line.strip():
            if not result or not result[-1].strip() or result[-1].endswith("{"):
                continue
            result.append("")
            continue
        if line.strip() == "}" and result and not result[-1].strip():
            result.pop()
        result.append(line)
    return result
