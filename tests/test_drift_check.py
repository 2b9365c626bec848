"""``--check -o DIR``: no output and exit 0 when up to date; a unified diff and exit 4 on drift."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import FIXTURES
from translator.cli import EXIT_DRIFT, EXIT_OK, EXIT_USAGE, app

SOURCE = str(FIXTURES / "compose" / "ports-long" / "compose.yaml")
runner = CliRunner()


def test_up_to_date_directory_passes(tmp_path: Path) -> None:
    assert runner.invoke(app, [SOURCE, "-o", str(tmp_path)]).exit_code == EXIT_OK
    result = runner.invoke(app, [SOURCE, "-o", str(tmp_path), "--check"])
    assert result.exit_code == EXIT_OK
    assert result.stdout == ""


def test_changed_file_is_reported_with_a_diff(tmp_path: Path) -> None:
    runner.invoke(app, [SOURCE, "-o", str(tmp_path)])
    target = tmp_path / "ports-long.nomad.hcl"
    target.write_text(target.read_text().replace("to = 6000", "to = 6001"))
    before = target.read_text()
    result = runner.invoke(app, [SOURCE, "-o", str(tmp_path), "--check"])
    assert result.exit_code == EXIT_DRIFT
    assert "-        to = 6001\n+        to = 6000\n" in result.stdout
    assert "is out of date" in result.stderr
    assert target.read_text() == before  # --check never writes


def test_missing_file_is_drift(tmp_path: Path) -> None:
    result = runner.invoke(app, [SOURCE, "-o", str(tmp_path), "--check"])
    assert result.exit_code == EXIT_DRIFT
    assert result.stdout.startswith("--- /dev/null\n")
    assert not list(tmp_path.iterdir())


def test_check_needs_an_output_directory() -> None:
    assert runner.invoke(app, [SOURCE, "--check"]).exit_code == EXIT_USAGE


def test_json_format_is_checked_too(tmp_path: Path) -> None:
    runner.invoke(app, [SOURCE, "-o", str(tmp_path), "--format", "json"])
    assert (tmp_path / "ports-long.nomad.json").is_file()
    result = runner.invoke(app, [SOURCE, "-o", str(tmp_path), "--format", "json", "--check"])
    assert result.exit_code == EXIT_OK


def test_pre_commit_hook_runs_the_drift_check() -> None:
    import yaml

    from tests.helpers import ROOT

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "translate-check"
    assert hook["entry"] == "translate --check"
    assert hook["pass_filenames"] is False


def test_shell_completion_script() -> None:
    result = runner.invoke(app, ["--show-completion", "bash"], prog_name="translate")
    assert result.exit_code == EXIT_OK
    assert "_translate_completion" in result.stdout
