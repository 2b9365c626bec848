"""Snapshots of the probe fixture under both providers (a snapshot is a claim: read it)."""

from __future__ import annotations

import os

import pytest

from tests.helpers import FIXTURES, parse_hcl
from translator.api import translate
from translator.options import Options


@pytest.mark.parametrize("provider", ["nomad", "consul"])
def test_probes(provider: str, snapshot: object) -> None:
    result = translate([str(FIXTURES / "kubernetes" / "probes")], Options(provider=provider))
    prefix, relative = str(FIXTURES) + "/", os.path.relpath(FIXTURES) + "/"
    text = "\n".join(result.hcl.values()).replace(prefix, "").replace(relative, "")
    for job in result.jobs:
        parse_hcl(result.hcl[job.name])
    findings = [f.line().replace(prefix, "").replace(relative, "") for f in result.findings]
    assert text == snapshot(name="jobspecs")  # type: ignore[operator]
    assert findings == snapshot(name="findings")  # type: ignore[operator]
