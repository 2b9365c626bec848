"""The benchmark harness cannot rot: it runs at N=10, and its large input matches the library's output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks import run
from benchmarks.generate import write_inputs
from tests.helpers import ROOT
from translator.api import translate


def test_harness_runs_at_n_10_and_keeps_the_notes_of_the_results_file(tmp_path: Path, capsys: object) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# old figures\n\n| stale |\n\n## Notes\n\nWritten by hand.\n", encoding="utf-8")
    assert run.main(["10", "--runs", "1", "--kinds", "compose", "--write", str(results)]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    row = next(line for line in out.splitlines() if line.startswith("| compose | 10 |"))
    assert "n/a |" not in row.split("|")[3]  # the CLI itself ran
    assert "| `translate --version` imports nothing heavy" in out
    written = results.read_text(encoding="utf-8")
    assert "| stale |" not in written and "| compose | 10 |" in written
    assert written.endswith("\n## Notes\n\nWritten by hand.\n")


def test_version_and_help_import_nothing_heavy() -> None:
    assert run.heavy_imports("--version") == []
    assert run.heavy_imports("--help") == []


def test_targets_give_verdicts_from_the_figures() -> None:
    thousand = run.Row("compose", 1000, cli=1.0, compose_config=3.0, yaml_floor=0.2)
    big = run.Row("compose", 10_000, cli=13.0, peak_mb=450)
    start = run.Startup(3, Path("voting-app/compose.yaml"), {"base": 0.1, "small": 0.14}, {"--version": []})
    verdicts = {
        line.split(" | ")[0].strip("| "): line.rsplit("|", 2)[-2].strip()
        for line in run.targets([thousand, big], start).splitlines()[2:]
    }
    assert verdicts == {
        "1,000-service Compose CLI ≤ 0.5× `docker compose config`": "yes",
        "1,000-service Compose CLI ≤ 4× the C-loader floor": "no",
        "compose: 10,000 services ≤ 12× the 1,000-service time": "no",
        "compose: peak memory at 10,000 services < 600 MB": "yes",
        "`translate --version` imports nothing heavy (`python -X importtime`)": "yes",
        'voting-app end to end ≤ 1.5× `python -c "import yaml, jinja2"`': "yes",
    }


def test_thousand_services_cli_equals_library(tmp_path: Path) -> None:
    compose, _ = write_inputs(tmp_path, 1000)
    out_dir = tmp_path / "out"
    command = [sys.executable, "-m", "translator", str(compose), "-o", str(out_dir)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    result = translate([str(compose)], environ={})
    assert len(result.project.workloads) == 1000
    for name, text in result.hcl.items():
        assert (out_dir / f"{name}.nomad.hcl").read_text(encoding="utf-8") == text
