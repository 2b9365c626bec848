"""Snapshot tests: each Kubernetes fixture's jobspecs and findings (a snapshot is a claim: read it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, parse_hcl
from translator.api import translate

CASES = sorted(p for p in (FIXTURES / "kubernetes").iterdir() if p.is_dir())


def run_case(case: Path) -> tuple[str, list[str]]:
    result = translate([str(case)])
    prefix = str(FIXTURES) + "/"
    relative = os.path.relpath(FIXTURES) + "/"
    text = "\n".join(result.hcl.values()).replace(prefix, "").replace(relative, "")
    findings = [f.line().replace(prefix, "").replace(relative, "") for f in result.findings]
    return text, findings


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_jobspecs(case: Path, snapshot: object) -> None:
    text, findings = run_case(case)
    for document in text.split("\n# Translated from "):
        parse_hcl(document if document.startswith("#") else "# " + document)
    assert text == snapshot(name="jobspecs")  # type: ignore[operator]
    assert findings == snapshot(name="findings")  # type: ignore[operator]


def test_output_is_deterministic() -> None:
    for case in CASES:
        assert run_case(case) == run_case(case)
