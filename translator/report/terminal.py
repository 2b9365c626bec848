"""The short summary the CLI prints on stderr after each run: plain code, no template.

Colour only when the stream is a terminal and ``NO_COLOR`` is unset (https://no-color.org);
piped output is plain text that scripts can read.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from translator.api import Result
    from translator.report.model import Report

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[2m", "bold": "\033[1m"}
_RESET = "\033[0m"
_SEVERITIES = ("error", "warning", "info")


def use_colour(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def summary(report: Report, destination: str, colour: bool = False) -> str:
    """Jobs written, workloads by status, findings by severity, and every error in full."""
    s = report.summary
    errors = [(f.where, f.code, f.message, f.hint) for f in report.findings if f.severity == "error"]
    statuses = (s.ready, s.approximated, s.action, s.readiness)
    return _text(s.jobs, s.workloads, statuses, s.counts, s.ignored, errors, destination, colour)


def result_summary(result: Result, ignored: Collection[str], destination: str, colour: bool = False) -> str:
    """``summary(build_report(result, ignored, details=False), destination, colour)``, worked out
    from the result directly: the CLI prints it after every run, and building the report model
    for it costs more than the rest of a small run (and a tenth of a large one)."""
    from translator.findings import SEVERITY_TEXT
    from translator.report.places import base_directory, owners, placed, shown, unwired
    from translator.report.secrets import report_text

    # The same steps as the report: findings kept after --ignore, each under its workload,
    # statuses from the counts and the dependencies wired, and every string shown passed through
    # report_text.
    kept = [f for f in result.findings if f.code not in ignored]
    base = base_directory(result.project.files)
    owner = owners(result.project.workloads)
    scrub, _ = report_text(result)
    counts = dict.fromkeys(_SEVERITIES, 0)
    by_workload: dict[str, dict[str, int]] = {}
    errors: list[tuple[str, str, str, str]] = []
    listed = scrub("error") == "error"  # the report lists entries whose scrubbed severity reads "error"
    for finding in kept:
        severity = SEVERITY_TEXT[finding.severity]
        counts[severity] += 1
        name = owner.get(finding.subject, finding.subject)
        own = by_workload.get(name)
        if own is None:
            own = by_workload[name] = dict.fromkeys(_SEVERITIES, 0)
        own[severity] += 1
        if severity == "error" and listed:
            position = finding.position
            file = scrub(shown(position.file, base))
            where = f"{file}:{position.line}:{position.column}" if position.line > 0 else file
            errors.append((where, scrub(finding.code), scrub(finding.message), scrub(finding.hint)))
    ready = approximated = action = 0
    for workload, _, group in placed(result):
        own = by_workload.get(workload.name)
        if (own and own["error"]) or unwired(workload, group, owner):
            action += 1
        elif own and own["warning"]:
            approximated += 1
        else:
            ready += 1
    total = len(result.project.workloads)
    readiness = round(100 * (ready + approximated) / total) if total else 100
    jobs = [scrub(job.name) for job in result.jobs]
    ignored_count = len(result.findings) - len(kept)
    statuses = (ready, approximated, action, readiness)
    return _text(jobs, total, statuses, counts, ignored_count, errors, destination, colour)


def _text(
    jobs: Sequence[str],
    workloads: int,
    statuses: tuple[int, int, int, int],
    counts: dict[str, int],
    ignored: int,
    errors: list[tuple[str, str, str, str]],
    destination: str,
    colour: bool,
) -> str:
    def paint(text: str, style: str) -> str:
        return f"{_COLOURS[style]}{text}{_RESET}" if colour else text

    ready, approximated, action, readiness = statuses
    listed = ", ".join(jobs) or "none"
    severities = ", ".join(
        paint(
            f"{counts[severity]} {severity}{'s' if counts[severity] != 1 and severity != 'info' else ''}",
            severity,
        )
        if counts[severity]
        else f"0 {severity}{'s' if severity != 'info' else ''}"
        for severity in _SEVERITIES
    )
    lines = [
        paint(
            f"translate: {len(jobs)} job{_plural(len(jobs))} ({listed}) written to {destination}",
            "bold",
        ),
        f"translate: {workloads} workloads: {ready} ready, {approximated} approximated, "
        f"{action} need a person (readiness {readiness}%)",
        f"translate: findings: {severities}" + (f"; {ignored} ignored" if ignored else ""),
    ]
    if errors:
        lines.append(paint("translate: a person must act on:", "error"))
        for where, code, message, hint in errors:
            shown_hint = f" (hint: {hint})" if hint else ""
            lines.append(f"  {where}: {paint('error', 'error')} {code}: {message}{shown_hint}")
    return "\n".join(lines) + "\n"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"
