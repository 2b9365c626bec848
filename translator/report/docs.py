"""``docs/findings.md``, generated from the code table in ``translator.findings``.

    python -m translator.report.docs > docs/findings.md

A test fails when the file differs from what this prints, so the list cannot go stale.
"""

from __future__ import annotations

import sys

from translator.findings import CODES
from translator.report.escape import markdown_text

# Areas by code prefix, in the order the table in translator/findings.py groups them.
AREAS = {
    "L": "Input and loading",
    "N": "Names",
    "B": "Images and build",
    "P": "Ports and networking",
    "S": "Services and registration",
    "T": "Task settings",
    "K": "Kubernetes input",
    "D": "Service discovery",
    "C": "Checks and start-up",
}

HEADER = """# Finding codes

Generated from `translator/findings.py` by `python -m translator.report.docs`; do not edit by hand
(a test fails when this file is stale). Codes are stable and never reused.

Severities: `info` (translated with a visible change), `warning` (approximated), `error` (a person
must act; the jobs are still written). `--ignore CODE` leaves a code out of the output, the report
and `--strict`; `--strict` exits with code 3 when any warning or error remains.
"""


def findings_markdown() -> str:
    lines = [HEADER]
    prefixes = sorted(
        {code[0] for code in CODES}, key=lambda p: (list(AREAS).index(p) if p in AREAS else 99, p)
    )
    for prefix in prefixes:
        lines += [
            f"## {AREAS.get(prefix, prefix)} ({prefix})",
            "",
            "| Code | Severity | Meaning |",
            "|---|---|---|",
        ]
        for code in sorted(c for c in CODES if c[0] == prefix):
            entry = CODES[code]
            lines.append(f"| `{code}` | {entry.severity} | {markdown_text(entry.title)} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(findings_markdown())
