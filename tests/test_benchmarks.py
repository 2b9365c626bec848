"""The benchmark harness cannot rot: it runs at N=10, and its large input matches the library's output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks import run
from benchmarks.generate import write_inputs
from tests.helpers import ROOT
from translator.api import translate


def test_harness_runs_at_n_10(capsys: object) -> None:
    assert run.main(["10", "--runs", "1", "--kinds", "compose"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    row = next(line for line in out.splitlines() if line.startswith("| compose | 10 |"))
    assert "n/a |" not in row.split("|")[3]  # the CLI itself ran


def test_thousand_services_cli_equals_library(tmp_path: Path) -> None:
    compose, _ = write_inputs(tmp_path, 1000)
    out_dir = tmp_path / "out"
    command = [sys.executable, "-m", "translator", str(compose), "-o", str(out_dir)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    result = translate([str(compose)], environ={})
    assert len(result.project.workloads) == 1000
    for name, text in result.hcl.items():
        assert (out_dir / f"{name}.nomad.hcl").read_text(encoding="utf-8") == text
