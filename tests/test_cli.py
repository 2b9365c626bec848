"""The command line: output, exit codes, one-line errors, and -o DIR."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import FIXTURES, ROOT, parse_hcl
from translator import __version__
from translator.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, app

runner = CliRunner()
SIMPLE = "services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n"


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_translates_a_file_to_stdout() -> None:
    code, out, err = invoke(str(FIXTURES / "compose" / "ports-long" / "compose.yaml"))
    assert code == EXIT_OK
    assert 'job "ports-long"' in out
    parse_hcl(out)
    assert "info P001" in err


def test_reads_standard_input() -> None:
    code, out, err = invoke("-", "-p", "piped", stdin=SIMPLE)
    assert code == EXIT_OK
    assert 'job "piped"' in out
    assert "<stdin>:4: info P001" in err


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == EXIT_OK
    assert out.strip() == f"translate {__version__}"


def test_help_shows_examples() -> None:
    code, out, _ = invoke("--help")
    assert code == EXIT_OK
    assert "translate compose.yaml -o jobs/" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("services: [", "<stdin>:2:1: invalid YAML"),
        ("services:\n  a:\n    image: x\n    ports: [80.5]\n", "<stdin>:4:13: invalid port 80.5"),
        ("services:\n  a: [1]\n", "<stdin>:2:6: service 'a' must be a mapping"),
        ("- just\n- a list\n", "<stdin>:1:1: expected a Compose file"),
        ("services:\n  a:\n    image: x\n  a:\n    image: y\n", "<stdin>:4:3: duplicate key 'a'"),
        ("x: !!python/object:os.system ls\nservices: {}\n", "<stdin>:1:4: unsupported YAML tag"),
        ("services:\n  a:\n    image: ${REQUIRED:?set it}\n", "<stdin>:3:12: "),
    ],
)
def test_bad_input_is_one_line_with_position(text: str, expected: str) -> None:
    code, out, err = invoke("-", stdin=text)
    assert code == EXIT_INPUT
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"translate: error: {expected}"), lines[0]
    if "REQUIRED" in text:
        assert lines[0].endswith("required variable REQUIRED is missing a value: set it")


def test_missing_file() -> None:
    code, _, err = invoke("does-not-exist.yml")
    assert code == EXIT_INPUT
    assert err.strip() == "translate: error: does-not-exist.yml: no such file; expected a Compose file"


def test_usage_error() -> None:
    code, _, _ = invoke("--provider", "zookeeper", "x.yml")
    assert code == EXIT_USAGE


def test_output_directory(tmp_path: Path) -> None:
    out_dir = tmp_path / "jobs"
    code, out, _ = invoke(str(FIXTURES / "compose" / "ports-long" / "compose.yaml"), "-o", str(out_dir))
    assert code == EXIT_OK
    assert out == ""
    written = out_dir / "ports-long.nomad.hcl"
    parse_hcl(written.read_text(encoding="utf-8"))
    assert [p.name for p in out_dir.iterdir()] == ["ports-long.nomad.hcl"]
    # A second run may replace its own file...
    assert invoke(str(FIXTURES / "compose" / "ports-long" / "compose.yaml"), "-o", str(out_dir))[0] == EXIT_OK


def test_output_directory_refuses_foreign_files(tmp_path: Path) -> None:
    (tmp_path / "piped.nomad.hcl").write_text('job "mine" {}\n', encoding="utf-8")
    code, _, err = invoke("-", "-p", "piped", "-o", str(tmp_path), stdin=SIMPLE)
    assert code == EXIT_INPUT
    assert "was not written by translate; use --force" in err
    assert (tmp_path / "piped.nomad.hcl").read_text(encoding="utf-8") == 'job "mine" {}\n'
    code, _, _ = invoke("-", "-p", "piped", "-o", str(tmp_path), "--force", stdin=SIMPLE)
    assert code == EXIT_OK
    assert 'job "piped"' in (tmp_path / "piped.nomad.hcl").read_text(encoding="utf-8")


def test_console_command_exit_codes_and_output_survive_its_quick_exit(tmp_path: Path) -> None:
    """main() ends the process without the interpreter's teardown: its output is flushed first and
    the exit code is the command's."""
    source = tmp_path / "compose.yaml"
    source.write_text(SIMPLE, encoding="utf-8")
    command = [sys.executable, "-m", "translator", str(source), "-p", "quick"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == EXIT_OK
    assert done.stdout.startswith("# Translated from ") and done.stdout.endswith("}\n")
    assert done.stderr.endswith(
        "need a person (readiness 100%)\ntranslate: findings: 0 errors, 0 warnings, 1 info\n"
    )
    strict = subprocess.run([*command, "--strict"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert strict.returncode == EXIT_OK  # info only
    missing = subprocess.run(
        [*command[:3], str(tmp_path / "none.yaml")], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert missing.returncode == EXIT_INPUT and "no such file" in missing.stderr


def test_python_dash_m_entry_point() -> None:
    command = [sys.executable, "-m", "translator", "--version"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0
    assert result.stdout.strip() == f"translate {__version__}"
