"""The report model → Markdown or JSON text, through ``templates/report.md.j2`` and ``report.json.j2``."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from translator.emit import templating
from translator.findings import CODES
from translator.report.model import ACTION, APPROXIMATED, READY, Report

# Words for statuses and severities, shared by the Markdown and the terminal.
LABELS = {
    READY: "✅ ready",
    APPROXIMATED: "⚠️ approximated",
    ACTION: "❌ needs a person",
    "error": "Errors: a person must act",
    "warning": "Warnings: approximated",
    "info": "Info: translated with a visible change",
}


def report_format(path: str) -> str:
    """``md`` or ``json`` from a report file name; ValueError for anything else."""
    lowered = path.lower()
    if lowered.endswith((".md", ".markdown")):
        return "md"
    if lowered.endswith(".json"):
        return "json"
    raise ValueError(f"{path}: expected a .md or .json file name")


def render(report: Report, fmt: str) -> str:
    return render_json(report) if fmt == "json" else render_markdown(report)


def render_markdown(report: Report) -> str:
    template = templating.environment().get_template("report.md.j2")
    used = sorted({f.code for f in report.findings})
    codes = [{"code": c, "severity": str(CODES[c].severity), "title": CODES[c].title} for c in used]
    basis = "traffic" if any(e.kind in ("rewritten", "name") for e in report.edges) else "dependencies"
    return template.render(report=report, codes=codes, labels=LABELS, edge_basis=basis)


def render_json(report: Report) -> str:
    template = templating.environment().get_template("report.json.j2")
    text = template.render(data=as_data(report))
    # Parsed back and written once more: the output is valid JSON by construction, with one layout.
    return json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def as_data(report: Report) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    for finding in data["findings"]:
        finding["where"] = _where(finding)
    return data


def _where(finding: dict[str, Any]) -> str:
    if finding["line"] > 0:
        return f"{finding['file']}:{finding['line']}:{finding['column']}"
    return str(finding["file"])
