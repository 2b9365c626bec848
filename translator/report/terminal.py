"""The short summary the CLI prints on stderr after each run: plain code, no template.

Colour only when the stream is a terminal and ``NO_COLOR`` is unset (https://no-color.org);
piped output is plain text that scripts can read.
"""

from __future__ import annotations

import os
from typing import TextIO

from translator.report.model import Report

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[2m", "bold": "\033[1m"}
_RESET = "\033[0m"


def use_colour(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def summary(report: Report, destination: str, colour: bool = False) -> str:
    """Jobs written, workloads by status, findings by severity, and every error in full."""

    def paint(text: str, style: str) -> str:
        return f"{_COLOURS[style]}{text}{_RESET}" if colour else text

    s = report.summary
    jobs = ", ".join(s.jobs) or "none"
    counts = ", ".join(
        paint(
            f"{s.counts[severity]} {severity}{'s' if s.counts[severity] != 1 and severity != 'info' else ''}",
            severity,
        )
        if s.counts[severity]
        else f"0 {severity}{'s' if severity != 'info' else ''}"
        for severity in ("error", "warning", "info")
    )
    lines = [
        paint(
            f"translate: {len(s.jobs)} job{_plural(len(s.jobs))} ({jobs}) written to {destination}",
            "bold",
        ),
        f"translate: {s.workloads} workloads: {s.ready} ready, {s.approximated} approximated, "
        f"{s.action} need a person (readiness {s.readiness}%)",
        f"translate: findings: {counts}" + (f"; {s.ignored} ignored" if s.ignored else ""),
    ]
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        lines.append(paint("translate: a person must act on:", "error"))
        for f in errors:
            hint = f" (hint: {f.hint})" if f.hint else ""
            lines.append(f"  {f.where}: {paint('error', 'error')} {f.code}: {f.message}{hint}")
    return "\n".join(lines) + "\n"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"
