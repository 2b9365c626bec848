"""Snapshot tests: each Compose fixture's jobspec and findings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, fixture_options, parse_hcl
from translator.api import translate
from translator.options import Options

CASES = sorted(p.parent for p in (FIXTURES / "compose").glob("*/compose.yaml"))
ENVIRON = {"HOME": "/home/user"}  # fixtures must not depend on the machine's environment


def run_case(case: Path) -> tuple[str, list[str]]:
    options = Options(**fixture_options(case))
    result = translate([str(case / "compose.yaml")], options, environ=ENVIRON)
    prefix = str(FIXTURES) + "/"
    # Comments show paths relative to the working directory when the input lies below it.
    relative = os.path.relpath(FIXTURES) + "/"
    text = "\n".join(result.hcl.values()).replace(prefix, "").replace(relative, "")
    findings = [f.line().replace(prefix, "") for f in result.findings]
    return text, findings


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_jobspec(case: Path, snapshot: object) -> None:
    text, findings = run_case(case)
    parse_hcl(text)  # every jobspec must parse
    assert text == snapshot(name="jobspec")  # type: ignore[operator]
    assert findings == snapshot(name="findings")  # type: ignore[operator]


def test_output_is_deterministic() -> None:
    for case in CASES:
        assert run_case(case) == run_case(case)
